package dev.cohort.crdt;

import dev.cohort.time.HybridLogicalClock;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The mutable replica against the immutable {@link AWLWWMap} as the reference, on random histories. */
class AWLWWMapReplicaTest {
    private static final long SEED = 77L;

    @Test
    void behavesExactlyLikeTheImmutableMapAndReportsEveryVisibleChange() {
        Random r = new Random(SEED);
        for (int round = 0; round < 200; round++) {
            AtomicLong wall = new AtomicLong(100);
            List<String> names = List.of("a", "b", "c");
            List<HybridLogicalClock> clocks = names.stream().map(n -> new HybridLogicalClock(n, wall::get)).toList();
            List<AWLWWMapReplica<String, Integer>> replicas = List.of(new AWLWWMapReplica<>(), new AWLWWMapReplica<>(), new AWLWWMapReplica<>());
            List<AWLWWMap<String, Integer>> reference = new ArrayList<>(List.of(AWLWWMap.empty(), AWLWWMap.empty(), AWLWWMap.empty()));
            List<AWLWWMap<String, Integer>> deltas = new ArrayList<>();
            for (int step = 0; step < 80; step++) {
                if (r.nextBoolean()) wall.addAndGet(r.nextInt(2));
                int i = r.nextInt(3);
                if (!deltas.isEmpty() && r.nextInt(3) == 0) {
                    // receive some earlier delta (any order, maybe again), or a whole other state
                    AWLWWMap<String, Integer> in = r.nextInt(5) == 0 ? replicas.get(r.nextInt(3)).snapshot() : deltas.get(r.nextInt(deltas.size()));
                    Map<String, Integer> beforeMap = replicas.get(i).toMap();
                    Map<String, Optional<Integer>> seen = new HashMap<>();
                    replicas.get(i).join(in, c -> seen.put(c.key(), c.after()));
                    reference.set(i, reference.get(i).join(in));
                    Map<String, Integer> afterMap = replicas.get(i).toMap();
                    Set<String> changed = new HashSet<>(beforeMap.keySet());
                    changed.addAll(afterMap.keySet());
                    changed.removeIf(k -> java.util.Objects.equals(beforeMap.get(k), afterMap.get(k)));
                    assertThat(seen.keySet()).as("changes reported, seed %d round %d step %d", SEED, round, step).isEqualTo(changed);
                    seen.forEach((k, v) -> assertThat(v).isEqualTo(Optional.ofNullable(afterMap.get(k))));
                } else {
                    String key = "k" + r.nextInt(8);
                    AWLWWMap<String, Integer> d = r.nextInt(4) == 0 ? replicas.get(i).remove(key)
                            : replicas.get(i).put(key, r.nextInt(100), clocks.get(i).now());
                    reference.set(i, reference.get(i).join(d));
                    deltas.add(d);
                }
                assertThat(replicas.get(i).snapshot()).as("seed %d round %d step %d", SEED, round, step).isEqualTo(reference.get(i));
            }
        }
    }

    @Test
    void aHundredThousandDeltasJoinInTimeProportionalToTheDeltas() {
        AWLWWMapReplica<String, Integer> a = new AWLWWMapReplica<>(), b = new AWLWWMapReplica<>();
        HybridLogicalClock clock = new HybridLogicalClock("a", System::currentTimeMillis);
        List<AWLWWMap<String, Integer>> deltas = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) deltas.add(a.put("key" + i, i, clock.now()));
        java.util.Collections.shuffle(deltas, new Random(5)); // out of order: the context's cloud grows, then folds
        for (AWLWWMap<String, Integer> d : deltas) b.join(d, null);
        assertThat(b.size()).isEqualTo(100_000);
        assertThat(b.context().vector()).containsEntry("a", 100_000L);
        assertThat(b.context().cloud()).isEmpty();
        assertThat(b.snapshot()).isEqualTo(a.snapshot());
    }
}
