package dev.cohort.crdt;

/**
 * One message of the Merkle anti-entropy protocol between two replicas of an {@link AWLWWMap}
 * (see {@link AntiEntropy}). Every step names its sync and says whether its sender started that
 * sync ({@code fromOwner}), so the side that started it learns when it ends.
 */
public sealed interface SyncStep {
    long sync();

    boolean fromOwner();

    /** The sender's hashes of Merkle tree nodes ({@code nodes}, heap indices) at {@code level}; the root is level 0. */
    record Hashes(long sync, boolean fromOwner, int depth, int level, int[] nodes, long[] hashes) implements SyncStep {}

    /**
     * The sender's keys in leaves that differ: for leaf {@code leaves[i]}, {@code counts[i]}
     * consecutive pairs of a key hash and a digest of the key's live writes.
     */
    record Digests(long sync, boolean fromOwner, int[] leaves, int[] counts, long[] keyHashes, long[] digests) implements SyncStep {}

    /**
     * The sender's writes of the keys whose digests differ (a context covering only their dots), and
     * the hashes of keys the receiver has and the sender lacks.
     */
    record Slice<K, V>(long sync, boolean fromOwner, long[] wants, AWLWWMap<K, V> delta) implements SyncStep {}

    /** The answer to a {@link Slice}: the writes of those keys and of the wanted ones, with what the sender saw removed. */
    record Answer<K, V>(long sync, boolean fromOwner, AWLWWMap<K, V> delta) implements SyncStep {}

    /** Writes the sender had seen and removed, among those an {@link Answer} carried: a context-only delta. */
    record Removed<K, V>(long sync, boolean fromOwner, AWLWWMap<K, V> delta) implements SyncStep {}

    /** The sync ended on the sender's side, which did not start it. */
    record Done(long sync, boolean fromOwner) implements SyncStep {}
}
