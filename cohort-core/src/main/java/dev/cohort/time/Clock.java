package dev.cohort.time;

/**
 * A monotonic time source in nanoseconds, injected wherever Cohort measures time (restart
 * intensity, timers) so tests drive time with {@link ManualTime} instead of sleeping.
 */
@FunctionalInterface
public interface Clock {
    /** Monotonic nanoseconds with an arbitrary origin; only differences are meaningful. */
    long nanoTime();

    /** The JVM's {@link System#nanoTime()}. */
    static Clock system() {
        return System::nanoTime;
    }
}
