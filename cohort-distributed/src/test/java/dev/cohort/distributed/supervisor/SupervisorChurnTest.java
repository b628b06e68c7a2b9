package dev.cohort.distributed.supervisor;

import static dev.cohort.distributed.supervisor.SupervisorNodes.WAIT;
import static dev.cohort.distributed.supervisor.SupervisorNodes.start;
import static dev.cohort.distributed.supervisor.SupervisorNodes.which;
import static dev.cohort.distributed.supervisor.SupervisorNodes.whereis;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cohort.cluster.testing.NodeProcess;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Horde issues 207, 224 and 172 (duplicates and lost children after node churn): twenty rounds
 * of kill -9 and restart of a random node of three, while children are started and terminated;
 * once the cluster settles, each permanent child runs exactly once and its name resolves to that
 * one process on every node. Seeded: the seed is printed, and {@code -Dcohort.churn.seed} repeats a run.
 */
class SupervisorChurnTest {
    private static final int ROUNDS = 20;

    @Test
    void afterChurnSettlesEveryPermanentChildRunsExactlyOnceAndResolvesAlikeEverywhere() throws Exception {
        long seed = Long.getLong("cohort.churn.seed", System.nanoTime());
        System.out.println("SupervisorChurnTest seed " + seed);
        Random random = new Random(seed);
        try (SupervisorNodes nodes = new SupervisorNodes(3).startAll(3)) {
            Set<String> expected = new HashSet<>(), uncertain = new HashSet<>();
            for (int i = 0; i < 30; i++) {
                start(nodes.get(i % 3), "base:" + i, "permanent");
                expected.add("base:" + i);
            }
            for (int round = 0; round < ROUNDS; round++) {
                int victim = random.nextInt(3);
                NodeProcess via = nodes.get((victim + 1 + random.nextInt(2)) % 3);
                nodes.get(victim).kill9();
                for (int k = 0; k < 3; k++) {
                    String id = "churn:" + round + ":" + k;
                    try {
                        start(via, id, "permanent");
                        expected.add(id);
                    } catch (IllegalStateException refused) {
                        uncertain.add(id); // placed on the node being killed: it may or may not have started
                    }
                }
                List<String> known = new ArrayList<>(expected);
                java.util.Collections.sort(known);
                String gone = known.get(random.nextInt(known.size()));
                String answer = via.ask("TERMINATE " + gone, "TERMINATED " + gone + " ", WAIT);
                expected.remove(gone);
                if (!answer.endsWith(" true")) uncertain.add(gone); // it was moving: it may still run
                nodes.all.set(victim, nodes.get(victim).restart());
                nodes.get(victim).awaitLine("READY"::equals, WAIT);
            }
            nodes.awaitMembers(3);
            Map<String, String> settled = awaitSettled(nodes.get(0), expected, uncertain);
            await().atMost(WAIT).until(() -> {
                for (String id : settled.keySet()) {
                    for (NodeProcess n : nodes.all) if (!whereis(n, id).equals(settled.get(id))) return false;
                }
                return true;
            });
            assertThat(settled.keySet()).containsAll(expected);
        }
    }

    /** Waits until every member answers, each child appears once, and the children are the expected ones plus perhaps some uncertain ones. */
    private static Map<String, String> awaitSettled(NodeProcess via, Set<String> expected, Set<String> uncertain) {
        AtomicReference<Map<String, String>> seen = new AtomicReference<>();
        AtomicReference<Object> last = new AtomicReference<>();
        try {
            await().atMost(WAIT).until(() -> {
                Map<String, List<String>> w = which(via);
                last.set(w);
                if (w == null || !w.keySet().containsAll(expected)) return false;
                Map<String, String> once = new HashMap<>();
                for (var e : w.entrySet()) {
                    if (e.getValue().size() != 1 || !(expected.contains(e.getKey()) || uncertain.contains(e.getKey()))) return false;
                    once.put(e.getKey(), e.getValue().get(0));
                }
                seen.set(once);
                return true;
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("expected " + new java.util.TreeSet<>(expected) + " (perhaps also " + uncertain + ") once each; last answer " + last.get(), e);
        }
        return seen.get();
    }
}
