package dev.cohort.crdt;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.BinaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The OR-set and the PN-counter under lossy, duplicating, reordering delivery followed by
 * anti-entropy: every replica ends equal to the join of all deltas; the counter's value is the
 * sum of every change, and the set holds exactly what a model of add-wins says.
 */
class SetAndCounterDeliveryTest {
    private static final long SEED = 515L;

    private interface Op<S> {
        S delta(S state, String replica, Random r);
    }

    private static <S> List<S> run(Random r, S empty, Op<S> op, BinaryOperator<S> join, List<S> allDeltas) {
        List<String> names = List.of("a", "b", "c");
        List<S> states = new ArrayList<>(List.of(empty, empty, empty));
        record Msg<S>(int to, S delta) {}
        List<Msg<S>> inFlight = new ArrayList<>();
        for (int step = 0; step < 60; step++) {
            if (!inFlight.isEmpty() && r.nextInt(3) == 0) {
                Msg<S> m = inFlight.remove(r.nextInt(inFlight.size()));
                states.set(m.to(), join.apply(states.get(m.to()), m.delta()));
                if (r.nextInt(5) == 0) inFlight.add(m);
                continue;
            }
            int i = r.nextInt(3);
            S d = op.delta(states.get(i), names.get(i), r);
            states.set(i, join.apply(states.get(i), d));
            allDeltas.add(d);
            for (int j = 0; j < 3; j++) if (j != i && r.nextInt(5) > 0) inFlight.add(new Msg<>(j, d));
        }
        for (int a = 0; a < 3; a++) for (int b = 0; b < 3; b++) states.set(a, join.apply(states.get(a), states.get(b)));
        return states;
    }

    @Test
    void orSetConverges() {
        Random r = new Random(SEED);
        for (int round = 0; round < 300; round++) {
            List<ORSet<String>> deltas = new ArrayList<>();
            List<ORSet<String>> states = run(r, ORSet.<String>empty(),
                    (s, rep, rnd) -> { String e = "e" + rnd.nextInt(5); return rnd.nextInt(3) == 0 ? s.removeDelta(e) : s.addDelta(rep, e); },
                    ORSet::join, deltas);
            ORSet<String> model = ORSet.empty();
            for (ORSet<String> d : deltas) model = model.join(d);
            for (ORSet<String> s : states) assertThat(s).as("seed %d round %d", SEED, round).isEqualTo(model);
        }
    }

    @Test
    void pnCounterConvergesToTheSumOfEveryChange() {
        Random r = new Random(SEED + 1);
        for (int round = 0; round < 300; round++) {
            List<PNCounter> deltas = new ArrayList<>();
            long[] sum = {0};
            List<PNCounter> states = run(r, PNCounter.EMPTY, (s, rep, rnd) -> {
                long n = rnd.nextInt(21) - 10;
                sum[0] += n;
                return s.addDelta(rep, n);
            }, PNCounter::join, deltas);
            for (PNCounter s : states) assertThat(s.value()).as("seed %d round %d", SEED, round).isEqualTo(sum[0]);
        }
    }
}
