package dev.cohort.state;

/**
 * Turns state stored by an older schema version into the current state type. Called on restore
 * when the stored version is lower than the persistence's {@code version}; the stored bytes were
 * decoded by the serializer first (so the old classes must still be allowed).
 */
@FunctionalInterface
public interface StateUpgrade {
    /** The current-version state for {@code stored}, written at {@code storedVersion}. */
    Object upgrade(int storedVersion, Object stored) throws Exception;
}
