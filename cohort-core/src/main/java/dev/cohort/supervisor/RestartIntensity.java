package dev.cohort.supervisor;

import dev.cohort.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;

/**
 * Counts restarts in a sliding window: more than {@code maxRestarts} within {@code period}
 * means the supervisor gives up (OTP's restart intensity). Time comes from the node's clock.
 */
final class RestartIntensity {
    private final int maxRestarts;
    private final long periodNanos;
    private final Clock clock;
    private final ArrayDeque<Long> restarts = new ArrayDeque<>();

    RestartIntensity(int maxRestarts, Duration period, Clock clock) {
        this.maxRestarts = maxRestarts;
        this.periodNanos = period.toNanos();
        this.clock = clock;
    }

    /** Records one restart; {@code false} if that exceeds the intensity. */
    boolean allowRestart() {
        long now = clock.nanoTime();
        restarts.addLast(now);
        while (!restarts.isEmpty() && now - restarts.peekFirst() > periodNanos) restarts.removeFirst();
        return restarts.size() <= maxRestarts;
    }
}
