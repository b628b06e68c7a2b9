package dev.cohort.supervisor;

import dev.cohort.process.ExitReason;

/**
 * Marks the detail of an exit reason ({@link ExitReason.Custom} or {@link ExitReason.Shutdown})
 * as part of a cluster's normal operation, not a fault: the loser of a registry conflict after a
 * partition heals, a durable server fenced by a newer incarnation, a child handed to another
 * node. A distributed supervisor's member restarts such a child as its restart type says but
 * does not count the exit against its restart intensity, so a heal that settles a dozen
 * conflicts at once does not stop the member. Not for faults: a crash is never routine.
 */
public interface RoutineExit {
    /** Whether {@code reason} carries a routine detail. */
    static boolean is(ExitReason reason) {
        return switch (reason) {
            case ExitReason.Custom c -> c.value() instanceof RoutineExit;
            case ExitReason.Shutdown s -> s.detail() instanceof RoutineExit;
            default -> false;
        };
    }
}
