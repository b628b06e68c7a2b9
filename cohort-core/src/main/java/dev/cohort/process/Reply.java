package dev.cohort.process;

/**
 * The answer to a call, as {@link From#reply} sends it. A process receives it only while it
 * is still waiting for {@code ref}; a late reply is dropped on delivery. Public for the
 * cluster layer, which carries replies between nodes.
 */
public record Reply(Ref ref, Object value) {}
