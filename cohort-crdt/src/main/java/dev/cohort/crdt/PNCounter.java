package dev.cohort.crdt;

/** A counter that goes up and down: two grow-only counters, increments and decrements. Immutable. */
public record PNCounter(GCounter increments, GCounter decrements) {
    public static final PNCounter EMPTY = new PNCounter(GCounter.EMPTY, GCounter.EMPTY);

    /** The delta of {@code replica} adding {@code n} (negative to subtract). */
    public PNCounter addDelta(String replica, long n) {
        return n >= 0 ? new PNCounter(increments.incrementDelta(replica, n), GCounter.EMPTY)
                : new PNCounter(GCounter.EMPTY, decrements.incrementDelta(replica, -n));
    }

    public PNCounter join(PNCounter other) {
        return new PNCounter(increments.join(other.increments), decrements.join(other.decrements));
    }

    public long value() { return increments.value() - decrements.value(); }
}
