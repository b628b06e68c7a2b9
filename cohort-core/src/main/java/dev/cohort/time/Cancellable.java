package dev.cohort.time;

/** A scheduled task that can be cancelled. */
@FunctionalInterface
public interface Cancellable {
    /** Cancels the task; {@code true} if it had not run and now never will. */
    boolean cancel();
}
