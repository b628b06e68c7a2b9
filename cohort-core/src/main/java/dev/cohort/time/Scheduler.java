package dev.cohort.time;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Runs short tasks after a delay; Cohort's timers ({@code sendAfter}) go through it. Tasks
 * must not block: they only enqueue messages. Injected so tests use {@link ManualTime}.
 */
@FunctionalInterface
public interface Scheduler {
    /** Runs {@code task} once after {@code delay}. */
    Cancellable schedule(Duration delay, Runnable task);

    /**
     * A scheduler backed by one daemon platform thread. Cancelled tasks are removed at once,
     * so a process that sets and cancels many timers does not leak.
     */
    static Scheduler system() {
        return SystemScheduler.INSTANCE;
    }
}

final class SystemScheduler implements Scheduler {
    static final SystemScheduler INSTANCE = new SystemScheduler();
    private final ScheduledThreadPoolExecutor executor;

    private SystemScheduler() {
        executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "cohort-timers");
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
    }

    @Override
    public Cancellable schedule(Duration delay, Runnable task) {
        ScheduledFuture<?> f = executor.schedule(task, Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
        return () -> f.cancel(false);
    }
}
