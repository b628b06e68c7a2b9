package dev.cohort.crdt;

import dev.cohort.time.Timestamp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.BinaryOperator;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Join is commutative, associative and idempotent for every type, on states reached by random
 * operations on three replicas exchanging random deltas (seeded: a failure names its seed and case).
 */
class CrdtLawsTest {
    static final long SEED = 20261122L;
    static final List<String> REPLICAS = List.of("a", "b", "c");
    static final List<String> KEYS = List.of("k1", "k2", "k3", "k4");

    /** Random reachable states: each replica applies random ops to its own state and sometimes joins another's. */
    static <S> List<S> reachable(Random r, S empty, Function<Random, Function<String, Function<S, S>>> op, BinaryOperator<S> join) {
        List<S> states = new ArrayList<>(List.of(empty, empty, empty));
        for (int step = 0; step < 12; step++) {
            int i = r.nextInt(3);
            if (r.nextInt(4) == 0) {
                states.set(i, join.apply(states.get(i), states.get(r.nextInt(3))));
            } else {
                S s = states.get(i);
                states.set(i, join.apply(s, op.apply(r).apply(REPLICAS.get(i)).apply(s)));
            }
        }
        return states;
    }

    static <S> void checkLaws(String type, Random r, S empty, Function<Random, Function<String, Function<S, S>>> op, BinaryOperator<S> join) {
        for (int i = 0; i < 1_500; i++) {
            List<S> s = reachable(r, empty, op, join);
            S a = s.get(0), b = s.get(1), c = s.get(2);
            assertThat(join.apply(a, b)).as("%s commutative, seed %d case %d", type, SEED, i).isEqualTo(join.apply(b, a));
            assertThat(join.apply(join.apply(a, b), c)).as("%s associative, seed %d case %d", type, SEED, i).isEqualTo(join.apply(a, join.apply(b, c)));
            assertThat(join.apply(a, a)).as("%s idempotent, seed %d case %d", type, SEED, i).isEqualTo(a);
            assertThat(join.apply(a, empty)).isEqualTo(a);
        }
    }

    static Function<String, Function<AWLWWMap<String, Integer>, AWLWWMap<String, Integer>>> mapOp(Random r, long[] clock) {
        String key = KEYS.get(r.nextInt(KEYS.size()));
        int value = r.nextInt(100);
        boolean remove = r.nextInt(3) == 0;
        long t = ++clock[0];
        return replica -> s -> remove ? s.removeDelta(key) : s.putDelta(key, value, new Timestamp(t / 2, 0, replica));
    }

    @Test
    void awLwwMap() {
        long[] clock = {0};
        checkLaws("AWLWWMap", new Random(SEED), AWLWWMap.<String, Integer>empty(), r -> mapOp(r, clock), AWLWWMap::join);
    }

    @Test
    void orSet() {
        checkLaws("ORSet", new Random(SEED + 1), ORSet.<String>empty(), r -> {
            String e = KEYS.get(r.nextInt(KEYS.size()));
            boolean remove = r.nextInt(3) == 0;
            return replica -> s -> remove ? s.removeDelta(e) : s.addDelta(replica, e);
        }, ORSet::join);
    }

    @Test
    void counters() {
        checkLaws("GCounter", new Random(SEED + 2), GCounter.EMPTY, r -> {
            long n = r.nextInt(10);
            return replica -> s -> s.incrementDelta(replica, n);
        }, GCounter::join);
        checkLaws("PNCounter", new Random(SEED + 3), PNCounter.EMPTY, r -> {
            long n = r.nextInt(21) - 10;
            return replica -> s -> s.addDelta(replica, n);
        }, PNCounter::join);
    }
}
