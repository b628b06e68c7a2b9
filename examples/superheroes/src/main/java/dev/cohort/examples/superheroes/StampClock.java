package dev.cohort.examples.superheroes;

import java.util.function.LongSupplier;

/**
 * A hybrid logical clock for one node: every reading is later than every reading it made or
 * {@linkplain #observe observed} before, and stays close to wall-clock time. Thread-safe.
 */
public final class StampClock {
    private final String node;
    private final LongSupplier wallMillis;
    private long millis;
    private long counter;

    public StampClock(String node, LongSupplier wallMillis) {
        this.node = node;
        this.wallMillis = wallMillis;
    }

    /** The system clock. */
    public static StampClock system(String node) {
        return new StampClock(node, System::currentTimeMillis);
    }

    /** A new stamp, later than any this clock has made or observed. */
    public synchronized Stamp now() {
        long wall = wallMillis.getAsLong();
        if (wall > millis) {
            millis = wall;
            counter = 0;
        } else {
            counter++;
        }
        return new Stamp(millis, counter, node);
    }

    /** Moves this clock past a stamp from another node, so the next write here orders after it. */
    public synchronized void observe(Stamp seen) {
        if (seen.millis() > millis || (seen.millis() == millis && seen.counter() > counter)) {
            millis = seen.millis();
            counter = seen.counter();
        }
    }
}
