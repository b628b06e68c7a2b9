package dev.cohort.crdt;

import dev.cohort.time.HybridLogicalClock;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The Merkle anti-entropy protocol between replicas, every step through its binary codec:
 * deltas and sync steps lost, duplicated and reordered, then syncs until quiet leave every
 * replica equal to the join of every delta ever made. Seeded; a failure names its seed and round.
 */
class AntiEntropyTest {
    private static final long SEED = 777L;
    private static final DeltaCodec<String, Integer> DELTAS = new DeltaCodec<>(new DeltaCodec.Values() {
        @Override public byte[] encode(Object value) {
            return (value instanceof String s ? "s" + s : "i" + value).getBytes(StandardCharsets.UTF_8);
        }

        @Override public Object decode(byte[] b) {
            String s = new String(b, StandardCharsets.UTF_8);
            return s.charAt(0) == 's' ? s.substring(1) : (Object) Integer.valueOf(s.substring(1));
        }
    }, String.class, Integer.class);
    private static final SyncCodec<String, Integer> CODEC = new SyncCodec<>(DELTAS);

    private record Replica(AWLWWMapReplica<String, Integer> state, AntiEntropy<String, Integer> sync, HybridLogicalClock clock, int maxKeys) {}

    private record InFlight(int to, int from, Object message) {}

    private static List<Replica> replicas(int n, int depth, int maxKeys, Random r, AtomicLong wall) {
        List<Replica> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            AWLWWMapReplica<String, Integer> s = new AWLWWMapReplica<>();
            out.add(new Replica(s, new AntiEntropy<>(s, depth, maxKeys, MerkleTree::hashOf, new Random(r.nextLong())),
                    new HybridLogicalClock("r" + i, wall::get), maxKeys));
        }
        return out;
    }

    private static SyncStep wire(SyncStep step) {
        try {
            return CODEC.decode(CODEC.encode(step));
        } catch (DeltaCodec.Malformed e) {
            throw new AssertionError(e);
        }
    }

    /** Runs one sync from {@code a} to {@code b} with reliable delivery; returns the bytes it shipped. */
    private static long sync(Replica a, Replica b, long id) {
        SyncStep step = a.sync().start(id);
        Replica to = b;
        long bytes = 0;
        for (int steps = 0; step != null; steps++) {
            assertThat(steps).as("a sync that does not end").isLessThan(100);
            int keys = switch (step) {
                case SyncStep.Slice<?, ?> s -> s.delta().size() + s.wants().length;
                case SyncStep.Answer<?, ?> x -> x.delta().size();
                default -> 0;
            };
            assertThat(keys).as("keys in one step").isLessThanOrEqualTo(a.maxKeys());
            byte[] encoded = CODEC.encode(step);
            bytes += encoded.length;
            AntiEntropy.Outcome o = to.sync().handle(wire(step));
            step = o.reply();
            to = to == a ? b : a;
        }
        return bytes;
    }

    private static void syncUntilQuiet(List<Replica> rs, String what) {
        long id = 1;
        for (int pass = 0; ; pass++) {
            assertThat(pass).as("%s: syncs did not converge", what).isLessThan(2_000);
            boolean equal = true;
            for (int a = 0; a < rs.size(); a++) {
                for (int b = 0; b < rs.size(); b++) {
                    if (a == b) continue;
                    if (rs.get(a).sync().root() != rs.get(b).sync().root()) equal = false;
                    sync(rs.get(a), rs.get(b), id++);
                }
            }
            if (equal) return;
        }
    }

    @Test
    void lossyDeliveryOfDeltasAndSyncStepsThenSyncsConvergeToTheJoinOfAllDeltas() {
        Random r = new Random(SEED);
        for (int round = 0; round < 400; round++) {
            String what = "seed " + SEED + " round " + round;
            AtomicLong wall = new AtomicLong(1_000);
            int n = 2 + r.nextInt(3);
            List<Replica> rs = replicas(n, 1 + r.nextInt(6), 1 + r.nextInt(5), r, wall);
            AWLWWMap<String, Integer> model = AWLWWMap.empty();
            List<InFlight> net = new ArrayList<>();
            long syncs = 1;
            for (int step = 0; step < 80; step++) {
                if (r.nextBoolean()) wall.addAndGet(r.nextInt(3));
                int choice = r.nextInt(10);
                if (!net.isEmpty() && choice < 4) {
                    InFlight m = net.remove(r.nextInt(net.size())); // any order
                    if (r.nextInt(6) == 0) net.add(m); // and again later
                    Replica to = rs.get(m.to());
                    if (m.message() instanceof AWLWWMap<?, ?> d) {
                        @SuppressWarnings("unchecked") AWLWWMap<String, Integer> delta = (AWLWWMap<String, Integer>) d;
                        to.state().join(delta, null);
                    } else {
                        AntiEntropy.Outcome o = to.sync().handle(wire((SyncStep) m.message()));
                        if (o.reply() != null && r.nextInt(6) > 0) net.add(new InFlight(m.from(), m.to(), o.reply()));
                    }
                    continue;
                }
                int i = r.nextInt(n);
                if (choice == 4) { // a sync starts, its steps as lossy as the deltas
                    int j = (i + 1 + r.nextInt(n - 1)) % n;
                    net.add(new InFlight(j, i, rs.get(i).sync().start(syncs++)));
                    continue;
                }
                Replica s = rs.get(i);
                String key = "k" + r.nextInt(12);
                AWLWWMap<String, Integer> delta = switch (r.nextInt(8)) {
                    case 0, 1 -> s.state().remove(key);
                    case 2 -> s.state().putAll(Map.of(key, r.nextInt(100), "k" + r.nextInt(12) + "x", r.nextInt(100)), s.clock().now());
                    default -> s.state().put(key, r.nextInt(1000), s.clock().now());
                };
                model = model.join(delta);
                for (int j = 0; j < n; j++) if (j != i && r.nextInt(4) > 0) net.add(new InFlight(j, i, delta)); // one in four lost
            }
            syncUntilQuiet(rs, what);
            for (int i = 0; i < n; i++) {
                AWLWWMapReplica<String, Integer> s = rs.get(i).state();
                assertThat(s.toMap()).as("%s replica %d", what, i).isEqualTo(model.toMap());
                for (String k : model.keys()) assertThat(s.dotsOf(k)).as("%s replica %d key %s", what, i, k).isEqualTo(model.dotsOf(k));
            }
        }
    }

    @Test
    void lateReplicasGetEveryKeyInSyncsOfAtMostTheMaximumSizeAndRemovesWinOnlyOverWhatTheyObserved() {
        AtomicLong wall = new AtomicLong(5);
        List<Replica> rs = replicas(3, 12, 200, new Random(SEED), wall);
        Replica a = rs.get(0), b = rs.get(1), c = rs.get(2);
        for (int i = 0; i < 100_000; i++) a.state().put("key" + i, i, a.clock().now());
        // c has seen the first 1,000 and removes 500 of them, concurrently with a's re-put of 10 of those
        for (int i = 0; i < 1_000; i++) c.state().join(a.state().slice(java.util.Set.of("key" + i), java.util.Set.of()), null);
        for (int i = 0; i < 500; i++) c.state().remove("key" + i);
        for (int i = 0; i < 10; i++) a.state().put("key" + i, -i, a.clock().now());
        long id = 1;
        int syncs = 0;
        while (a.sync().root() != b.sync().root() || a.sync().root() != c.sync().root()) {
            for (Replica x : rs) for (Replica y : rs) if (x != y) sync(x, y, id++);
            assertThat(++syncs).as("rounds of syncs").isLessThan(2_000);
        }
        for (Replica x : rs) {
            Map<String, Integer> m = x.state().toMap();
            assertThat(m).hasSize(100_000 - 490);
            assertThat(m).containsEntry("key3", -3).doesNotContainKey("key10").containsEntry("key500", 500).containsEntry("key99999", 99_999);
        }
    }

    @Test
    void repairingAFewDifferencesCostsBytesForTheDifferencesNotForTheSize() {
        AtomicLong wall = new AtomicLong(5);
        List<Replica> rs = replicas(2, 16, 500, new Random(SEED), wall);
        Replica a = rs.get(0), b = rs.get(1);
        for (int i = 0; i < 200_000; i += 1_000) {
            Map<String, Integer> chunk = new HashMap<>();
            for (int j = i; j < i + 1_000; j++) chunk.put("key" + j, j);
            b.state().join(a.state().putAll(chunk, a.clock().now()), null);
        }
        assertThat(a.sync().root()).isEqualTo(b.sync().root());
        for (int i = 0; i < 50; i++) a.state().put("key" + i * 997, -1, a.clock().now());
        for (int i = 0; i < 50; i++) b.state().put("new" + i, i, b.clock().now());
        long bytes = sync(a, b, 1);
        assertThat(a.sync().root()).isEqualTo(b.sync().root());
        assertThat(a.state().toMap()).isEqualTo(b.state().toMap()).hasSize(200_050);
        assertThat(bytes).as("bytes to repair 100 keys among 200,000").isLessThan(100_000);
        assertThat(sync(a, b, 2)).as("a sync that finds nothing").isLessThan(30);
    }
}
