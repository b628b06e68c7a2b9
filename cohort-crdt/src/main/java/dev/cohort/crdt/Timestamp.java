package dev.cohort.crdt;

import java.util.Objects;

/**
 * A hybrid logical clock reading: wall-clock milliseconds, a counter for events in the same
 * millisecond (or behind a faster clock seen earlier), and the replica that took it. Totally
 * ordered, so two concurrent writes never tie; and a write made after seeing another is always
 * later than it, whatever the two machines' clocks say.
 */
public record Timestamp(long millis, long counter, String replica) implements Comparable<Timestamp> {
    public Timestamp {
        Objects.requireNonNull(replica, "replica");
        if (counter < 0) throw new IllegalArgumentException("counter must be >= 0");
    }

    @Override
    public int compareTo(Timestamp o) {
        int c = Long.compare(millis, o.millis);
        if (c == 0) c = Long.compare(counter, o.counter);
        return c != 0 ? c : replica.compareTo(o.replica);
    }
}
