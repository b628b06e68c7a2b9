package dev.cohort.process;

import dev.cohort.time.Cancellable;

/**
 * A message scheduled by {@code sendAfter}. {@link #cancel()} returns {@code true} if the
 * message had not been sent yet and now never will be.
 */
public final class TimerRef {
    private final Cancellable task;

    TimerRef(Cancellable task) { this.task = task; }

    /** Cancels the timer; {@code false} if it already fired or was cancelled. */
    public boolean cancel() { return task.cancel(); }
}
