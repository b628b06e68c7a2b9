package dev.cohort.time;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * A clock and scheduler that move only when told to: {@link #advance(Duration)} moves time
 * forward and runs, in time order, every task that falls due. For deterministic tests of
 * timers and restart intensity. Thread-safe; tasks run on the thread calling {@code advance}.
 */
public final class ManualTime implements Clock, Scheduler {
    private record Task(long due, long seq, Runnable run, boolean[] cancelled) {}

    private final PriorityQueue<Task> queue = new PriorityQueue<>(
            (a, b) -> a.due != b.due ? Long.compare(a.due, b.due) : Long.compare(a.seq, b.seq));
    private long now;
    private long seq;

    @Override
    public synchronized long nanoTime() { return now; }

    @Override
    public synchronized Cancellable schedule(Duration delay, Runnable task) {
        boolean[] cancelled = {false};
        Task t = new Task(now + Math.max(0, delay.toNanos()), seq++, task, cancelled);
        queue.add(t);
        return () -> {
            synchronized (this) {
                if (cancelled[0] || !queue.remove(t)) return false;
                cancelled[0] = true;
                return true;
            }
        };
    }

    /** Number of tasks waiting to run. */
    public synchronized int pending() { return queue.size(); }

    /** Moves time forward by {@code by}, running each task that falls due, in order. */
    public void advance(Duration by) {
        long target;
        synchronized (this) { target = now + by.toNanos(); }
        for (;;) {
            List<Runnable> due = new ArrayList<>();
            synchronized (this) {
                Task t = queue.peek();
                if (t == null || t.due > target) {
                    now = target;
                    return;
                }
                queue.poll();
                now = Math.max(now, t.due);
                due.add(t.run);
            }
            due.forEach(Runnable::run);
        }
    }
}
