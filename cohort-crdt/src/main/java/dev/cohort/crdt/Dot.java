package dev.cohort.crdt;

import java.util.Objects;

/** One event: the {@code counter}-th write of {@code replica}. */
public record Dot(String replica, long counter) {
    public Dot {
        Objects.requireNonNull(replica, "replica");
        if (counter < 1) throw new IllegalArgumentException("dot counters start at 1, got " + counter);
    }

    @Override
    public String toString() { return replica + ":" + counter; }
}
