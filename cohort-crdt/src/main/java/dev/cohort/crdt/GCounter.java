package dev.cohort.crdt;

import java.util.HashMap;
import java.util.Map;

/** A grow-only counter as a delta-state CRDT: one count per replica, joined by maximum. Immutable. */
public record GCounter(Map<String, Long> counts) {
    public static final GCounter EMPTY = new GCounter(Map.of());

    public GCounter {
        for (Long c : counts.values()) if (c < 0) throw new IllegalArgumentException("counts are never negative: " + counts);
        counts = Map.copyOf(counts);
    }

    /** The delta of {@code replica} adding {@code n} (>= 0). */
    public GCounter incrementDelta(String replica, long n) {
        if (n < 0) throw new IllegalArgumentException("a grow-only counter cannot decrease; use PNCounter");
        return new GCounter(Map.of(replica, counts.getOrDefault(replica, 0L) + n));
    }

    public GCounter join(GCounter other) {
        Map<String, Long> out = new HashMap<>(counts);
        other.counts.forEach((r, c) -> out.merge(r, c, Math::max));
        return new GCounter(out);
    }

    public long value() {
        long sum = 0;
        for (long c : counts.values()) sum += c;
        return sum;
    }
}
