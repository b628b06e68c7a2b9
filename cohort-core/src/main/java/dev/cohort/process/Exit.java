package dev.cohort.process;

/**
 * An exit signal turned into a message, delivered only to a process that traps exits
 * (Erlang's {@code {'EXIT', From, Reason}}). A process that does not trap exits never sees
 * this message: a non-normal signal ends it instead.
 *
 * @param from the process the signal came from (the linked process that ended, or the caller of {@code exit})
 * @param reason the signal's reason
 */
public record Exit(Pid from, ExitReason reason) {}
