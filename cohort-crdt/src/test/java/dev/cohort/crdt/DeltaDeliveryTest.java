package dev.cohort.crdt;

import dev.cohort.time.Timestamp;

import dev.cohort.time.HybridLogicalClock;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Deltas shipped over a network that loses, duplicates and reorders them, followed by
 * anti-entropy: every replica ends equal, and equal to the join of every delta ever made (so no
 * write was lost and none came back). Seeded; a failure names its seed and round.
 */
class DeltaDeliveryTest {
    private static final long SEED = 4242L;
    private static final List<String> REPLICAS = List.of("gotham", "metropolis", "capitol");

    private record Message(int to, AWLWWMap<String, Integer> delta) {}

    @Test
    void lossyDuplicatingReorderingDeliveryThenAntiEntropyConverges() {
        Random r = new Random(SEED);
        for (int round = 0; round < 300; round++) {
            AtomicLong wall = new AtomicLong(1_000);
            List<HybridLogicalClock> clocks = REPLICAS.stream().map(n -> new HybridLogicalClock(n, wall::get)).toList();
            List<AWLWWMap<String, Integer>> states = new ArrayList<>(List.of(AWLWWMap.empty(), AWLWWMap.empty(), AWLWWMap.empty()));
            List<Message> inFlight = new ArrayList<>();
            AWLWWMap<String, Integer> model = AWLWWMap.empty();
            for (int step = 0; step < 60; step++) {
                if (r.nextBoolean()) wall.addAndGet(r.nextInt(3));
                if (!inFlight.isEmpty() && r.nextInt(3) == 0) {
                    Message m = inFlight.remove(r.nextInt(inFlight.size())); // any order
                    states.set(m.to(), states.get(m.to()).join(m.delta()));
                    if (r.nextInt(5) == 0) inFlight.add(m); // delivered again later
                    continue;
                }
                int i = r.nextInt(3);
                AWLWWMap<String, Integer> s = states.get(i);
                String key = "k" + r.nextInt(6);
                AWLWWMap<String, Integer> delta = r.nextInt(4) == 0 ? s.removeDelta(key)
                        : s.putDelta(key, r.nextInt(1000), clocks.get(i).now());
                states.set(i, s.join(delta));
                model = model.join(delta);
                for (int j = 0; j < 3; j++) {
                    if (j != i && r.nextInt(5) > 0) inFlight.add(new Message(j, delta)); // one in five is lost
                }
            }
            // anti-entropy: every pair exchanges full state
            for (int a = 0; a < 3; a++) for (int b = 0; b < 3; b++) states.set(a, states.get(a).join(states.get(b)));
            for (int a = 0; a < 3; a++) {
                assertThat(states.get(a)).as("seed %d round %d replica %d", SEED, round, a).isEqualTo(model);
            }
        }
    }

    @Test
    void oneReplicaAloneBehavesLikeAPlainMap() {
        Random r = new Random(SEED + 1);
        HybridLogicalClock clock = new HybridLogicalClock("solo", () -> 5);
        AWLWWMap<String, Integer> crdt = AWLWWMap.empty();
        Map<String, Integer> plain = new HashMap<>();
        for (int i = 0; i < 5_000; i++) {
            String key = "k" + r.nextInt(50);
            if (r.nextInt(3) == 0) {
                crdt = crdt.join(crdt.removeDelta(key));
                plain.remove(key);
            } else {
                int v = r.nextInt();
                crdt = crdt.join(crdt.putDelta(key, v, clock.now()));
                plain.put(key, v);
            }
        }
        assertThat(crdt.toMap()).isEqualTo(plain);
    }

    @Test
    void aRemoveWinsOnlyOverTheWritesItObserved() {
        HybridLogicalClock a = new HybridLogicalClock("a", () -> 10), b = new HybridLogicalClock("b", () -> 10);
        AWLWWMap<String, String> sa = AWLWWMap.empty(), sb = AWLWWMap.empty();
        AWLWWMap<String, String> put = sa.putDelta("hero", "batman", a.now());
        sa = sa.join(put);
        // b has not seen a's put: its remove of "hero" removes nothing of a's
        AWLWWMap<String, String> blindRemove = sb.removeDelta("hero");
        assertThat(sa.join(blindRemove).get("hero")).contains("batman");
        // b has seen it: the remove wins
        sb = sb.join(put);
        AWLWWMap<String, String> seenRemove = sb.removeDelta("hero");
        assertThat(sa.join(seenRemove).get("hero")).isEmpty();
        // concurrent puts: both kept, every replica reads the later one
        AWLWWMap<String, String> p1 = AWLWWMap.<String, String>empty().putDelta("x", "first", new Timestamp(5, 0, "a"));
        AWLWWMap<String, String> p2 = AWLWWMap.<String, String>empty().putDelta("x", "second", new Timestamp(5, 0, "b"));
        assertThat(p1.join(p2).get("x")).contains("second");
        assertThat(p2.join(p1).get("x")).contains("second");
        assertThat(p1.join(p2).dotsOf("x")).hasSize(2);
    }
}
