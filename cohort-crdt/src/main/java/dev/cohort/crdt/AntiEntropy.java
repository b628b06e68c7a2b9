package dev.cohort.crdt;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.ToLongFunction;

/**
 * Merkle-tree anti-entropy for one {@link AWLWWMapReplica}: the protocol logic, with no network.
 * Its owner sends {@link #start}'s step to a neighbour, passes each step it receives to
 * {@link #handle}, and sends back the reply, if any.
 *
 * <p>A sync descends the two replicas' Merkle trees (kept here, updated on every change of the
 * replica) through differing nodes only, two levels per step; at the leaves the two sides compare
 * per-key digests of the live writes, then exchange the writes of the keys that differ. So
 * repairing d differing keys among n costs about d * log(n) hashes plus the d keys' writes, not n.
 *
 * <p>Guarantees: every delta shipped has a causal context covering only the dots it ships, plus
 * dots its receiver holds that the sender saw removed, so a receiver never deletes a key it was
 * not told about. No step carries more than {@code maxKeys} keys' writes, nor pursues more than
 * {@code maxKeys} differing nodes; what is left over is found by the next sync. Steps may be
 * lost, duplicated or reordered: every step is safe to apply at any time (a lost one only ends its
 * sync early). When every pair of replicas has run a sync that found nothing to repair, all hold
 * the same keys with the same writes. Not thread-safe: it belongs to the process that owns the replica.
 */
public final class AntiEntropy<K, V> {
    /** What {@link #handle} produced: a step to send back (or null), and whether a sync this side started ended here. */
    public record Outcome(SyncStep reply, boolean ended) {}

    private static final int LEVELS_PER_STEP = 2;

    private final AWLWWMapReplica<K, V> replica;
    private final MerkleTree<K> tree;
    private final ToLongFunction<K> keyHash;
    private final int maxKeys;
    private final Random random;
    private final Consumer<AWLWWMap<K, V>> join;
    private final Map<String, Long> replicaHashes = new HashMap<>();

    /**
     * @param depth   the Merkle tree's depth (2^depth leaves); every replica of a map must use the same
     * @param keyHash a stable 64-bit hash of a key, the same on every node (see {@link MerkleTree#hashOf})
     * @param join    how to join a received delta into the replica (to observe clocks or report changes)
     */
    public AntiEntropy(AWLWWMapReplica<K, V> replica, int depth, int maxKeys, ToLongFunction<K> keyHash, Random random,
                       Consumer<AWLWWMap<K, V>> join) {
        if (maxKeys < 1) throw new IllegalArgumentException("maxKeys must be >= 1");
        this.replica = replica;
        this.tree = new MerkleTree<>(depth, keyHash, this::digestOf);
        this.keyHash = keyHash;
        this.maxKeys = maxKeys;
        this.random = random;
        this.join = join;
        for (K k : replica.keys()) keyChanged(k);
        replica.watchKeys(this::keyChanged);
    }

    /** The same, joining with {@code replica.join(delta, null)}. */
    public AntiEntropy(AWLWWMapReplica<K, V> replica, int depth, int maxKeys, ToLongFunction<K> keyHash, Random random) {
        this(replica, depth, maxKeys, keyHash, random, d -> replica.join(d, null));
    }

    /** The hash of the whole replica: equal roots mean (with overwhelming probability) equal keys and writes. */
    public long root() { return tree.root(); }

    /** The first step of a sync numbered {@code sync} that this side starts. */
    public SyncStep start(long sync) {
        return new SyncStep.Hashes(sync, true, tree.depth(), 0, new int[] {1}, new long[] {tree.root()});
    }

    /** Handles a step received from a neighbour. */
    @SuppressWarnings("unchecked")
    public Outcome handle(SyncStep step) {
        return switch (step) {
            case SyncStep.Hashes h -> hashes(h);
            case SyncStep.Digests d -> digests(d);
            case SyncStep.Slice<?, ?> s -> slice((SyncStep.Slice<K, V>) s);
            case SyncStep.Answer<?, ?> a -> answer((SyncStep.Answer<K, V>) a);
            case SyncStep.Removed<?, ?> r -> {
                join.accept((AWLWWMap<K, V>) r.delta());
                yield new Outcome(null, !r.fromOwner());
            }
            case SyncStep.Done d -> new Outcome(null, true);
        };
    }

    /** Joins whatever writes {@code step} carries, without answering (for a step of a sync given up on). */
    @SuppressWarnings("unchecked")
    public void absorb(SyncStep step) {
        switch (step) {
            case SyncStep.Slice<?, ?> s -> join.accept((AWLWWMap<K, V>) s.delta());
            case SyncStep.Answer<?, ?> a -> join.accept((AWLWWMap<K, V>) a.delta());
            case SyncStep.Removed<?, ?> r -> join.accept((AWLWWMap<K, V>) r.delta());
            default -> { }
        }
    }

    private Outcome hashes(SyncStep.Hashes h) {
        int depth = tree.depth();
        if (h.depth() != depth || h.level() < 0 || h.level() > depth || h.nodes().length != h.hashes().length) return end(h);
        if (h.level() == 0) tree.root(); // a sync begins: bring the tree up to date once, then descend that snapshot
        List<Integer> differ = new ArrayList<>();
        for (int i = 0; i < h.nodes().length; i++) {
            int n = h.nodes()[i];
            if (n < (1 << h.level()) || n >= (2 << h.level())) return end(h); // not a node of that level
            if (tree.node(n) != h.hashes()[i]) differ.add(n);
        }
        if (differ.isEmpty()) return end(h);
        differ = capped(differ);
        if (h.level() == depth) return new Outcome(digestsOf(h, differ), false);
        int next = Math.min(depth, h.level() + LEVELS_PER_STEP), spread = 1 << (next - h.level());
        int[] nodes = new int[differ.size() * spread];
        long[] hashes = new long[nodes.length];
        int j = 0;
        for (int n : differ) {
            for (int c = n << (next - h.level()), end = c + spread; c < end; c++, j++) {
                nodes[j] = c;
                hashes[j] = tree.node(c);
            }
        }
        return new Outcome(new SyncStep.Hashes(h.sync(), !h.fromOwner(), depth, next, nodes, hashes), false);
    }

    private SyncStep digestsOf(SyncStep.Hashes h, List<Integer> leaves) {
        List<Integer> sent = new ArrayList<>();
        List<Integer> counts = new ArrayList<>();
        List<long[]> pairs = new ArrayList<>();
        for (int leaf : leaves) {
            List<K> keys = tree.keysUnder(leaf);
            if (!sent.isEmpty() && pairs.size() + keys.size() > 4L * maxKeys) break; // digests are small; the rest wait
            sent.add(leaf);
            counts.add(keys.size());
            for (K k : keys) pairs.add(new long[] {keyHash.applyAsLong(k), tree.digest(k)});
        }
        long[] hashes = new long[pairs.size()], digests = new long[pairs.size()];
        for (int i = 0; i < pairs.size(); i++) {
            hashes[i] = pairs.get(i)[0];
            digests[i] = pairs.get(i)[1];
        }
        return new SyncStep.Digests(h.sync(), !h.fromOwner(), ints(sent), ints(counts), hashes, digests);
    }

    private Outcome digests(SyncStep.Digests d) {
        int depth = tree.depth();
        if (d.leaves().length != d.counts().length || d.keyHashes().length != d.digests().length) return end(d);
        Map<Long, Long> theirs = new HashMap<>();
        int at = 0;
        for (int i = 0; i < d.leaves().length; i++) {
            int leaf = d.leaves()[i];
            if (leaf < (1 << depth) || leaf >= (2 << depth) || d.counts()[i] < 0 || at + d.counts()[i] > d.keyHashes().length) return end(d);
            for (int j = 0; j < d.counts()[i]; j++, at++) theirs.put(d.keyHashes()[at], d.digests()[at]);
        }
        Set<K> send = new HashSet<>();
        for (int leaf : d.leaves()) {
            for (K k : tree.keysUnder(leaf)) {
                Long digest = theirs.remove(keyHash.applyAsLong(k));
                if ((digest == null || digest != tree.digest(k)) && send.size() < maxKeys) send.add(k);
            }
        }
        int room = Math.max(0, maxKeys - send.size());
        long[] wants = theirs.keySet().stream().limit(room).mapToLong(Long::longValue).toArray();
        if (send.isEmpty() && wants.length == 0) return end(d);
        return new Outcome(new SyncStep.Slice<>(d.sync(), !d.fromOwner(), wants, replica.slice(send, Set.of())), false);
    }

    private Outcome slice(SyncStep.Slice<K, V> s) {
        Set<Dot> removedHere = removedAmong(s.delta());
        join.accept(s.delta());
        Set<K> keys = new HashSet<>(s.delta().keys());
        for (long w : s.wants()) {
            if (keys.size() >= maxKeys) break;
            keys.addAll(tree.keysWithHash(w));
        }
        return new Outcome(new SyncStep.Answer<>(s.sync(), !s.fromOwner(), replica.slice(keys, removedHere)), false);
    }

    private Outcome answer(SyncStep.Answer<K, V> a) {
        Set<Dot> removedHere = removedAmong(a.delta());
        join.accept(a.delta());
        if (removedHere.isEmpty()) return end(a);
        AWLWWMap<K, V> removal = AWLWWMap.of(Map.of(), CausalContext.of(removedHere));
        return new Outcome(new SyncStep.Removed<>(a.sync(), !a.fromOwner(), removal), !a.fromOwner());
    }

    /** The dots of {@code delta}'s writes that this replica has seen and no longer holds: it removed them. */
    private Set<Dot> removedAmong(AWLWWMap<K, V> delta) {
        Set<Dot> out = new HashSet<>();
        for (K k : delta.keys()) {
            Set<Dot> held = replica.dotsOf(k);
            for (Dot d : delta.dotsOf(k)) if (!held.contains(d) && replica.hasSeen(d)) out.add(d);
        }
        return out;
    }

    /** The sync ends on this side: tell its owner, or note that it ended here. */
    private static Outcome end(SyncStep step) {
        return step.fromOwner() ? new Outcome(new SyncStep.Done(step.sync(), false), false) : new Outcome(null, true);
    }

    /** At most {@code maxKeys} of the differing nodes, from a random place, so a stuck one cannot starve the rest. */
    private List<Integer> capped(List<Integer> differ) {
        if (differ.size() <= maxKeys) return differ;
        int from = random.nextInt(differ.size());
        List<Integer> out = new ArrayList<>(maxKeys);
        for (int i = 0; i < maxKeys; i++) out.add(differ.get((from + i) % differ.size()));
        out.sort(null);
        return out;
    }

    private void keyChanged(K key) {
        tree.changed(key, !replica.dotsOf(key).isEmpty());
    }

    /** A digest of the live writes (dots) of {@code key}: equal dots, equal digest. */
    private long digestOf(K key) {
        long digest = 0;
        for (Dot d : replica.dotsOf(key)) digest += MerkleTree.murmur(replicaHashes.computeIfAbsent(d.replica(), MerkleTree::hashOf) + d.counter());
        return digest;
    }

    private static int[] ints(List<Integer> list) {
        return list.stream().mapToInt(Integer::intValue).toArray();
    }
}
