package dev.cohort.crdt;

import java.util.Objects;

/**
 * One event: the {@code counter}-th write of {@code replica}. Counters run from 1 to
 * {@link #MAX_COUNTER} (2^53, far more writes than a replica makes in its life); a larger one
 * can only come from a broken or hostile peer, and is refused here and at decode, so that no
 * arithmetic on counters overflows.
 */
public record Dot(String replica, long counter) {
    /** The largest counter a dot may have: 2^53. */
    public static final long MAX_COUNTER = 1L << 53;

    public Dot {
        Objects.requireNonNull(replica, "replica");
        if (counter < 1 || counter > MAX_COUNTER) {
            throw new IllegalArgumentException("dot counters run from 1 to 2^53, got " + counter);
        }
    }

    @Override
    public String toString() { return replica + ":" + counter; }
}
