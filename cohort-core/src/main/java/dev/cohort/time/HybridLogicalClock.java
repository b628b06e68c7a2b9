package dev.cohort.time;

import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * A hybrid logical clock (Kulkarni et al., 2014) for one replica: every {@link #now()} is later
 * than every reading it made or {@linkplain #observe observed} before, and stays within the
 * clock skew of wall-clock time. Unlike a per-VM monotonic clock, whose origin is arbitrary,
 * readings from different replicas compare meaningfully.
 *
 * <p>The skew is bounded, as CockroachDB bounds it with its maximum offset: a reading more than
 * {@link #maxOffset()} (default {@value #DEFAULT_MAX_OFFSET_MILLIS} ms) ahead of this clock's wall
 * clock is not observed, so a peer whose clock runs hours ahead (or a hostile one sending the
 * year 9999) cannot drag this clock along nor win every last-writer-wins race; the caller refuses
 * what carries it. When the counter of one millisecond is used up, the clock moves to the next
 * millisecond. What it does not do: notice a wall clock that runs behind (readings stay correct,
 * only later than wall time).
 *
 * <p>Thread-safe; the wall clock is injected so tests control it.
 */
public final class HybridLogicalClock {
    /** The default bound on how far a reading observed may run ahead of the wall clock. */
    public static final long DEFAULT_MAX_OFFSET_MILLIS = 500;

    private final String replica;
    private final LongSupplier wallMillis;
    private final long maxOffsetMillis;
    private long millis;
    private long counter;

    public HybridLogicalClock(String replica, LongSupplier wallMillis) {
        this(replica, wallMillis, Duration.ofMillis(DEFAULT_MAX_OFFSET_MILLIS));
    }

    /** A clock that refuses to observe readings more than {@code maxOffset} ahead of {@code wallMillis}. */
    public HybridLogicalClock(String replica, LongSupplier wallMillis, Duration maxOffset) {
        this.replica = Objects.requireNonNull(replica, "replica");
        this.wallMillis = Objects.requireNonNull(wallMillis, "wallMillis");
        if (maxOffset.isNegative()) throw new IllegalArgumentException("maxOffset must be >= 0, got " + maxOffset);
        this.maxOffsetMillis = maxOffset.toMillis();
    }

    /** A clock on the system's wall clock, with the default maximum offset. */
    public static HybridLogicalClock system(String replica) {
        return new HybridLogicalClock(replica, System::currentTimeMillis);
    }

    public String replica() { return replica; }

    /** How far ahead of the wall clock an observed reading may be. */
    public Duration maxOffset() { return Duration.ofMillis(maxOffsetMillis); }

    /** A new reading, later than any this clock has made or observed. */
    public synchronized Timestamp now() {
        long wall = Math.min(wallMillis.getAsLong(), Timestamp.MAX_MILLIS);
        if (wall > millis) {
            millis = wall;
            counter = 0;
        } else if (counter == Timestamp.MAX_COUNTER) {
            if (millis == Timestamp.MAX_MILLIS) throw new IllegalStateException("the clock of " + replica + " has reached the year 9999");
            millis++;
            counter = 0;
        } else {
            counter++;
        }
        return new Timestamp(millis, counter, replica);
    }

    /** Whether {@code seen} is no more than the maximum offset ahead of the wall clock: whether {@link #observe} takes it. */
    public boolean admits(Timestamp seen) {
        long wall = wallMillis.getAsLong();
        return seen.millis() <= wall || seen.millis() - wall <= maxOffsetMillis;
    }

    /**
     * Moves this clock past a reading from elsewhere, unless it is too far ahead ({@link #admits}
     * is false): then nothing changes and this returns false.
     */
    public synchronized boolean observe(Timestamp seen) {
        if (!admits(seen)) return false;
        if (seen.millis() > millis || (seen.millis() == millis && seen.counter() > counter)) {
            millis = seen.millis();
            counter = seen.counter();
        }
        return true;
    }
}
