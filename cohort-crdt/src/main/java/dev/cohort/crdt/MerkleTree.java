package dev.cohort.crdt;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToLongFunction;

/**
 * A Merkle tree over the keys of a map, for anti-entropy: two replicas compare roots, then
 * descend only into subtrees whose hashes differ, so finding d differing keys among n costs
 * about d * log(n) hashes on the wire, not n.
 *
 * <p>Keys fall into 2^depth buckets by the top bits of a stable 64-bit key hash (injected: it
 * must be the same on every node, so never {@code Object.hashCode} of arbitrary objects). A
 * bucket's hash combines the digests of its keys order-independently, so an update costs O(1),
 * and the inner nodes are recomputed (O(2^depth)) when next read after changes. Not thread-safe: it belongs to the replicator that owns the map.
 */
public final class MerkleTree<K> {
    private final int depth;
    private final ToLongFunction<K> keyHash;
    /** Heap layout: node 1 is the root, children of i are 2i and 2i+1, leaves from 2^depth. */
    private final long[] nodes;
    private final long[] leafSums;
    private boolean stale;
    private final Map<K, Long> digests = new HashMap<>();
    private final Map<Integer, Set<K>> buckets = new HashMap<>();

    public MerkleTree(int depth, ToLongFunction<K> keyHash) {
        if (depth < 1 || depth > 24) throw new IllegalArgumentException("depth must be 1..24, got " + depth);
        this.depth = depth;
        this.keyHash = keyHash;
        this.nodes = new long[2 << depth];
        this.leafSums = new long[1 << depth];
    }

    public int depth() { return depth; }

    /** Sets the digest of {@code key}'s current content (for example a hash of its live writes). */
    public void put(K key, long digest) {
        Long old = digests.put(key, digest);
        int leaf = leafOf(key);
        if (old == null) buckets.computeIfAbsent(leaf, l -> new HashSet<>()).add(key);
        else if (old == digest) return;
        leafSums[leaf] += mix(key, digest) - (old == null ? 0 : mix(key, old));
        update(leaf);
    }

    /** Removes {@code key}. */
    public void remove(K key) {
        Long old = digests.remove(key);
        if (old == null) return;
        int leaf = leafOf(key);
        Set<K> b = buckets.get(leaf);
        b.remove(key);
        if (b.isEmpty()) buckets.remove(leaf);
        leafSums[leaf] -= mix(key, old);
        update(leaf);
    }

    /** The root hash: equal roots mean (with overwhelming probability) equal content. */
    public long root() {
        refresh();
        return nodes[1];
    }

    /** The hash of node {@code index} (1 = root; children of i are 2i and 2i+1). */
    public long node(int index) {
        refresh();
        return nodes[index];
    }

    /** The keys in the bucket under leaf node {@code index} (2^depth ..). */
    public Set<K> keysUnder(int leafIndex) {
        return buckets.getOrDefault(leafIndex - (1 << depth), Set.of());
    }

    public int size() { return digests.size(); }

    /** The digest last put for {@code key}, or 0 if it has none. */
    public long digest(K key) {
        Long d = digests.get(key);
        return d == null ? 0 : d;
    }

    /** The keys whose hash is {@code hash} (normally one or none). */
    public List<K> keysWithHash(long hash) {
        List<K> out = new ArrayList<>(1);
        for (K k : buckets.getOrDefault((int) (hash >>> (64 - depth)), Set.of())) if (keyHash.applyAsLong(k) == hash) out.add(k);
        return out;
    }

    /**
     * The leaf nodes whose hashes differ from {@code other}'s, found by descending from the root
     * through differing nodes only; {@code compared} (if not null) counts the node hashes looked at,
     * which is what a remote descent would ship.
     */
    public List<Integer> differingLeaves(MerkleTree<K> other, int[] compared) {
        if (other.depth != depth) throw new IllegalArgumentException("trees of different depth");
        refresh();
        other.refresh();
        List<Integer> out = new ArrayList<>();
        List<Integer> level = List.of(1);
        if (compared != null) compared[0]++;
        if (nodes[1] == other.nodes[1]) return out;
        for (int d = 0; d < depth; d++) {
            List<Integer> next = new ArrayList<>();
            for (int i : level) {
                for (int c = 2 * i; c <= 2 * i + 1; c++) {
                    if (compared != null) compared[0]++;
                    if (nodes[c] != other.nodes[c]) next.add(c);
                }
            }
            level = next;
        }
        out.addAll(level);
        return out;
    }

    private int leafOf(K key) {
        return (int) (keyHash.applyAsLong(key) >>> (64 - depth));
    }

    private long mix(K key, long digest) {
        return murmur(keyHash.applyAsLong(key) * 31 + digest);
    }

    /** Sets a leaf; the inner nodes are recomputed when next read (a burst of changes costs one pass). */
    private void update(int leaf) {
        nodes[(1 << depth) + leaf] = leafSums[leaf];
        stale = true;
    }

    private void refresh() {
        if (!stale) return;
        for (int i = (1 << depth) - 1; i >= 1; i--) nodes[i] = murmur(nodes[2 * i] * 0x9E3779B97F4A7C15L + nodes[2 * i + 1]);
        stale = false;
    }

    /** MurmurHash3's 64-bit finalizer: a cheap, well-mixing hash of a long. */
    static long murmur(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }

    /** A stable 64-bit hash of a string (FNV-1a over its UTF-8 bytes, then mixed), the same on every JVM. */
    public static long hashOf(String s) {
        return hashOf(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** A stable 64-bit hash of bytes (FNV-1a, then mixed), for example of a key's serialized form. */
    public static long hashOf(byte[] bytes) {
        long h = 0xcbf29ce484222325L;
        for (byte b : bytes) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return murmur(h);
    }
}
