package dev.cohort.examples.superheroes;

import dev.cohort.time.HybridLogicalClock;
import dev.cohort.time.Timestamp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The merge is a join: commutative, associative, idempotent (seeded randomized tests), and loses no update on a tie. */
class ReplicaTest {
    private static final long SEED = 4900L;
    private static final List<String> IDS = List.of("a", "b", "c", "d", "e", "f");
    private static final List<String> NODES = List.of("gotham@h", "metropolis@h", "capitol@h", "dispatch@h");

    private static Replica random(Random r) {
        Map<String, Hero> heroes = new HashMap<>();
        Set<String> dead = new HashSet<>();
        for (String id : IDS) {
            switch (r.nextInt(4)) {
                case 0 -> { }
                case 1 -> dead.add(id);
                default -> heroes.put(id, new Hero(id, "hero-" + id, List.of("home", "gotham", "capitol").get(r.nextInt(3)),
                        r.nextBoolean(), r.nextInt(101), new Timestamp(r.nextInt(5), r.nextInt(3), NODES.get(r.nextInt(NODES.size())))));
            }
        }
        heroes.keySet().removeAll(dead);
        return new Replica(heroes, dead);
    }

    @Test
    void mergeIsCommutativeAssociativeAndIdempotent() {
        Random r = new Random(SEED);
        for (int i = 0; i < 5_000; i++) {
            Replica a = random(r), b = random(r), c = random(r);
            assertThat(a.merge(b)).as("commutative, seed %d case %d", SEED, i).isEqualTo(b.merge(a));
            assertThat(a.merge(b).merge(c)).as("associative, seed %d case %d", SEED, i).isEqualTo(a.merge(b.merge(c)));
            assertThat(a.merge(a)).as("idempotent").isEqualTo(a);
            assertThat(a.merge(b).merge(b)).isEqualTo(a.merge(b));
        }
    }

    @Test
    void replicasThatSawTheSameUpdatesInAnyOrderAgree() {
        Random r = new Random(SEED + 1);
        for (int round = 0; round < 500; round++) {
            List<Replica> updates = new ArrayList<>();
            for (int i = 0; i < 8; i++) updates.add(random(r));
            Replica forward = Replica.EMPTY, backward = Replica.EMPTY;
            for (Replica u : updates) forward = forward.merge(u);
            for (int i = updates.size() - 1; i >= 0; i--) backward = backward.merge(updates.get(i));
            assertThat(forward).isEqualTo(backward);
            assertThat(forward.heroes().keySet()).doesNotContainAnyElementsOf(forward.tombstones());
        }
    }

    @Test
    void concurrentWritesInTheSameMillisecondNeverTieAndTombstonesWin() {
        HybridLogicalClock gotham = new HybridLogicalClock("gotham@h", () -> 1_000);
        HybridLogicalClock capitol = new HybridLogicalClock("capitol@h", () -> 1_000);
        Hero base = Hero.recruit("x", "Batman", gotham.now());
        Hero inGotham = base.assignedTo("gotham", gotham.now());
        Hero inCapitol = base.assignedTo("capitol", capitol.now());
        assertThat(inGotham.updated()).isNotEqualTo(inCapitol.updated());
        Replica one = Replica.EMPTY.with(inGotham).merge(Replica.EMPTY.with(inCapitol));
        Replica two = Replica.EMPTY.with(inCapitol).merge(Replica.EMPTY.with(inGotham));
        assertThat(one).isEqualTo(two);
        // a write after observing the other is later, whatever the wall clocks say
        capitol.observe(gotham.now());
        Hero later = base.assignedTo("metropolis", capitol.now());
        assertThat(Replica.EMPTY.with(inGotham).with(later).heroes().get("x").location()).isEqualTo("metropolis");
        assertThat(one.without("x").merge(Replica.EMPTY.with(later)).heroes()).isEmpty();
    }
}
