package dev.cohort.supervisor;

import java.time.Duration;

/**
 * How a supervisor stops a child: {@link #brutalKill()} (exit signal {@code kill} at once),
 * {@link #timeout(Duration)} (exit signal {@code shutdown}, then {@code kill} if it has not
 * ended in time), or {@link #infinity()} (wait as long as it takes; the default for
 * supervisor children).
 */
public sealed interface Shutdown {
    static Shutdown brutalKill() { return new BrutalKill(); }

    static Shutdown timeout(Duration timeout) { return new Timeout(timeout); }

    static Shutdown infinity() { return new Infinity(); }

    record BrutalKill() implements Shutdown {}

    record Timeout(Duration duration) implements Shutdown {
        public Timeout {
            if (duration == null || duration.isNegative()) throw new IllegalArgumentException("shutdown timeout must be >= 0");
        }
    }

    record Infinity() implements Shutdown {}
}
