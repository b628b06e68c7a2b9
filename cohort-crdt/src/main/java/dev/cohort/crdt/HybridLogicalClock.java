package dev.cohort.crdt;

import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * A hybrid logical clock (Kulkarni et al., 2014) for one replica: every {@link #now()} is later
 * than every reading it made or {@linkplain #observe observed} before, and stays within the
 * clock skew of wall-clock time. Unlike a per-VM monotonic clock, whose origin is arbitrary,
 * readings from different replicas compare meaningfully. Thread-safe; the wall clock is
 * injected so tests control it.
 */
public final class HybridLogicalClock {
    private final String replica;
    private final LongSupplier wallMillis;
    private long millis;
    private long counter;

    public HybridLogicalClock(String replica, LongSupplier wallMillis) {
        this.replica = Objects.requireNonNull(replica, "replica");
        this.wallMillis = Objects.requireNonNull(wallMillis, "wallMillis");
    }

    /** A clock on the system's wall clock. */
    public static HybridLogicalClock system(String replica) {
        return new HybridLogicalClock(replica, System::currentTimeMillis);
    }

    public String replica() { return replica; }

    /** A new reading, later than any this clock has made or observed. */
    public synchronized Timestamp now() {
        long wall = wallMillis.getAsLong();
        if (wall > millis) {
            millis = wall;
            counter = 0;
        } else {
            counter++;
        }
        return new Timestamp(millis, counter, replica);
    }

    /** Moves this clock past a reading from elsewhere. */
    public synchronized void observe(Timestamp seen) {
        if (seen.millis() > millis || (seen.millis() == millis && seen.counter() > counter)) {
            millis = seen.millis();
            counter = seen.counter();
        }
    }
}
