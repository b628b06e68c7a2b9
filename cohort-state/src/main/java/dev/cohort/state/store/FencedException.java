package dev.cohort.state.store;

/**
 * A write was refused because a newer incarnation of the key acquired it: the writer is a
 * stale copy (a duplicate during a partition, a name-conflict loser) and must stop.
 */
public final class FencedException extends RuntimeException {
    private final String key;
    private final long epoch;
    private final long storedEpoch;

    public FencedException(String key, long epoch, long storedEpoch) {
        super("write to " + key + " at epoch " + epoch + " refused: epoch " + storedEpoch + " holds it now");
        this.key = key;
        this.epoch = epoch;
        this.storedEpoch = storedEpoch;
    }

    public String key() { return key; }

    /** The refused writer's epoch. */
    public long epoch() { return epoch; }

    /** The epoch the store holds. */
    public long storedEpoch() { return storedEpoch; }
}
