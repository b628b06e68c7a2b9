package dev.cohort.crdt;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * A Merkle tree over the keys of a map, for anti-entropy: two replicas compare roots, then
 * descend only into subtrees whose hashes differ, so finding d differing keys among n costs
 * about d * log(n) hashes on the wire, not n.
 *
 * <p>Keys fall into 2^depth buckets by the top bits of a stable 64-bit key hash (injected: it
 * must be the same on every node, so never {@code Object.hashCode} of arbitrary objects). A
 * bucket's hash sums a mix of each key's hash and its digest (injected too: for example a hash of
 * the key's live writes), so the order of updates does not matter. {@link #changed} only files the
 * key and marks its bucket; hashes are recomputed when the root is next read, so a burst of
 * changes costs one pass. Not thread-safe: it belongs to the process that owns the map.
 */
public final class MerkleTree<K> {
    private final int depth;
    private final ToLongFunction<K> keyHash;
    private final ToLongFunction<K> digestOf;
    /** Heap layout: node 1 is the root, children of i are 2i and 2i+1, leaves from 2^depth. */
    private final long[] nodes;
    private final Object[][] buckets;
    /** The hash of each key in {@link #buckets}, at the same index: computed once per key filed. */
    private final long[][] hashes;
    private final int[] counts;
    private final boolean[] dirty;
    private int[] dirtyLeaves = new int[64];
    private int dirtyCount;
    private int size;

    /**
     * @param keyHash  a stable 64-bit hash of a key (see {@link #hashOf})
     * @param digestOf a hash of a key's current content, read when the tree is refreshed
     */
    public MerkleTree(int depth, ToLongFunction<K> keyHash, ToLongFunction<K> digestOf) {
        if (depth < 1 || depth > 24) throw new IllegalArgumentException("depth must be 1..24, got " + depth);
        this.depth = depth;
        this.keyHash = keyHash;
        this.digestOf = digestOf;
        this.nodes = new long[2 << depth];
        this.buckets = new Object[1 << depth][];
        this.hashes = new long[1 << depth][];
        this.counts = new int[1 << depth];
        this.dirty = new boolean[1 << depth];
    }

    public int depth() { return depth; }

    /** {@code key}'s content changed; {@code present} says whether the key still has any. */
    public void changed(K key, boolean present) {
        long hash = keyHash.applyAsLong(key);
        int leaf = leafOf(hash);
        Object[] b = buckets[leaf];
        int n = counts[leaf], at = -1;
        for (int i = 0; i < n; i++) {
            if (b[i].equals(key)) {
                at = i;
                break;
            }
        }
        if (present && at < 0) {
            if (b == null) {
                buckets[leaf] = b = new Object[2];
                hashes[leaf] = new long[2];
            } else if (n == b.length) {
                buckets[leaf] = b = Arrays.copyOf(b, n * 2);
                hashes[leaf] = Arrays.copyOf(hashes[leaf], n * 2);
            }
            b[n] = key;
            hashes[leaf][n] = hash;
            counts[leaf]++;
            size++;
        } else if (!present && at >= 0) {
            b[at] = b[n - 1];
            b[n - 1] = null;
            hashes[leaf][at] = hashes[leaf][n - 1];
            if (--counts[leaf] == 0) {
                buckets[leaf] = null;
                hashes[leaf] = null;
            }
            size--;
        }
        if (!dirty[leaf]) {
            dirty[leaf] = true;
            if (dirtyCount == dirtyLeaves.length) dirtyLeaves = Arrays.copyOf(dirtyLeaves, dirtyCount * 2);
            dirtyLeaves[dirtyCount++] = leaf;
        }
    }

    /** The root hash: equal roots mean (with overwhelming probability) equal content. */
    public long root() {
        refresh();
        return nodes[1];
    }

    /**
     * The hash of node {@code index} (1 = root; children of i are 2i and 2i+1) as of the last
     * {@link #root} or {@link #differingLeaves}: a sync descends one consistent snapshot, and
     * changes made meanwhile are left to the next sync.
     */
    public long node(int index) {
        return nodes[index];
    }

    /** The keys in the bucket under leaf node {@code leafIndex} (2^depth ..). */
    @SuppressWarnings("unchecked")
    public List<K> keysUnder(int leafIndex) {
        int leaf = leafIndex - (1 << depth);
        List<K> out = new ArrayList<>(counts[leaf]);
        for (int i = 0; i < counts[leaf]; i++) out.add((K) buckets[leaf][i]);
        return out;
    }

    /** The digest of {@code key}'s current content. */
    public long digest(K key) { return digestOf.applyAsLong(key); }

    /** The keys whose hash is {@code hash} (normally one or none). */
    @SuppressWarnings("unchecked")
    public List<K> keysWithHash(long hash) {
        List<K> out = new ArrayList<>(1);
        int leaf = leafOf(hash);
        for (int i = 0; i < counts[leaf]; i++) if (hashes[leaf][i] == hash) out.add((K) buckets[leaf][i]);
        return out;
    }

    public int size() { return size; }

    /**
     * The leaf nodes whose hashes differ from {@code other}'s, found by descending from the root
     * through differing nodes only; {@code compared} (if not null) counts the node hashes looked at,
     * which is what a remote descent would ship.
     */
    public List<Integer> differingLeaves(MerkleTree<K> other, int[] compared) {
        if (other.depth != depth) throw new IllegalArgumentException("trees of different depth");
        refresh();
        other.refresh();
        List<Integer> level = List.of(1);
        if (compared != null) compared[0]++;
        if (nodes[1] == other.nodes[1]) return new ArrayList<>();
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
        return new ArrayList<>(level);
    }

    private int leafOf(long hash) {
        return (int) (hash >>> (64 - depth));
    }

    @SuppressWarnings("unchecked")
    private void refresh() {
        if (dirtyCount == 0) return;
        int leaves = 1 << depth;
        for (int j = 0; j < dirtyCount; j++) {
            int leaf = dirtyLeaves[j];
            dirty[leaf] = false;
            long sum = 0;
            for (int i = 0; i < counts[leaf]; i++) {
                sum += murmur(hashes[leaf][i] * 31 + digestOf.applyAsLong((K) buckets[leaf][i]));
            }
            nodes[leaves + leaf] = sum;
        }
        if ((long) dirtyCount * depth < leaves) { // few changes: just their paths
            for (int j = 0; j < dirtyCount; j++) {
                for (int i = (leaves + dirtyLeaves[j]) >> 1; i >= 1; i >>= 1) nodes[i] = inner(i);
            }
        } else {
            for (int i = leaves - 1; i >= 1; i--) nodes[i] = inner(i);
        }
        dirtyCount = 0;
    }

    private long inner(int i) {
        return murmur(nodes[2 * i] * 0x9E3779B97F4A7C15L + nodes[2 * i + 1]);
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
        long h = 0xcbf29ce484222325L;
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                h = (h ^ c) * 0x100000001b3L;
            } else { // rare: hash the UTF-8 bytes of the rest
                for (byte b : s.substring(i).getBytes(java.nio.charset.StandardCharsets.UTF_8)) h = (h ^ (b & 0xff)) * 0x100000001b3L;
                break;
            }
        }
        return murmur(h);
    }

    /** A stable 64-bit hash of bytes (FNV-1a, then mixed), for example of a key's serialized form. */
    public static long hashOf(byte[] bytes) {
        long h = 0xcbf29ce484222325L;
        for (byte b : bytes) h = (h ^ (b & 0xff)) * 0x100000001b3L;
        return murmur(h);
    }
}
