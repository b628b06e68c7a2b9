package dev.cohort.time;

import java.util.Objects;

/**
 * A hybrid logical clock reading: wall-clock milliseconds, a counter for events in the same
 * millisecond (or behind a faster clock seen earlier), and the replica that took it. Totally
 * ordered, so two concurrent writes never tie; and a write made after seeing another is always
 * later than it, whatever the two machines' clocks say. The counter is at most
 * {@link #MAX_COUNTER} (2^53, as a CRDT dot's); milliseconds lie between 0 and {@link #MAX_MILLIS} (the year 9999).
 */
public record Timestamp(long millis, long counter, String replica) implements Comparable<Timestamp> {
    public Timestamp {
        Objects.requireNonNull(replica, "replica");
        if (counter < 0 || counter > MAX_COUNTER) throw new IllegalArgumentException("a timestamp counter runs from 0 to 2^53, got " + counter);
        if (millis < 0 || millis > MAX_MILLIS) throw new IllegalArgumentException("a timestamp's millis run from 0 to " + MAX_MILLIS + ", got " + millis);
    }

    /** The largest counter: 2^53, exact in a double (JSON, JavaScript). */
    public static final long MAX_COUNTER = 1L << 53;

    /** The latest millisecond a timestamp may name: the end of the year 9999. */
    public static final long MAX_MILLIS = 253_402_300_799_999L;

    @Override
    public int compareTo(Timestamp o) {
        int c = Long.compare(millis, o.millis);
        if (c == 0) c = Long.compare(counter, o.counter);
        return c != 0 ? c : replica.compareTo(o.replica);
    }
}
