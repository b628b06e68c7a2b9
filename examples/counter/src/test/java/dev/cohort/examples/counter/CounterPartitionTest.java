package dev.cohort.examples.counter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cohort.cluster.testing.NetworkLab;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The handoff stage under a real network partition: three counter nodes, each on a host of its
 * own (network namespaces on one machine), share a session store; one node is cut off from the
 * other two by nftables packet drops for 30 s while a client on each node keeps visiting, then the
 * cut heals. Afterwards every node hosts sessions again, a new user's first visit through each
 * node is answered, no node failed to send a reply it produced, and no acknowledged visit is lost
 * (every answer a user got is a distinct count, and the final count is above them all).
 */
class CounterPartitionTest {
    static final Duration CUT = Duration.ofSeconds(30), VISIT = Duration.ofSeconds(20);
    static final int USERS = 9;
    @TempDir Path dir;

    @Test
    void oneNodeCutOffForThirtySecondsThenHealed() throws Exception {
        NetworkLab.assumeAvailable();
        try (NetworkLab lab = NetworkLab.create(3);
                CounterCluster c = new CounterCluster(lab, Stage.HANDOFF, 3, "--store", "sqlite:" + dir.resolve("counter.db"))) {
            List<String> names = c.nodes.stream().map(p -> p.name).toList();
            Map<String, List<Long>> acknowledged = new ConcurrentHashMap<>();
            for (int u = 0; u < USERS; u++) {
                acknowledged.computeIfAbsent("u" + u, k -> java.util.Collections.synchronizedList(new ArrayList<>()))
                        .add(c.visit(u % 3, "u" + u));
            }

            // one client per node, each visiting every user in turn through its node
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong answered = new AtomicLong(), refused = new AtomicLong();
            AtomicInteger[] answeredVia = {new AtomicInteger(), new AtomicInteger(), new AtomicInteger()};
            List<Thread> clients = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                int node = i;
                clients.add(Thread.ofVirtual().start(() -> {
                    for (int n = node; !stop.get(); n++) {
                        String user = "u" + (n % USERS);
                        try {
                            acknowledged.get(user).add(c.visit(node, user, VISIT));
                            answered.incrementAndGet();
                            answeredVia[node].incrementAndGet();
                        } catch (Exception | AssertionError e) {
                            refused.incrementAndGet(); // not acknowledged: it may or may not have counted
                        }
                        java.util.concurrent.locks.LockSupport.parkNanos(20_000_000);
                    }
                }));
            }
            await().atMost(CounterCluster.WAIT).until(() -> answered.get() >= 30);

            lab.cut(3, 1, 2);
            long cutAt = System.nanoTime();
            await().atMost(CounterCluster.WAIT).until(() -> !connected(c, 2, names.get(0)) && !connected(c, 2, names.get(1))
                    && !connected(c, 0, names.get(2)) && !connected(c, 1, names.get(2)));
            long answeredAtSplit = answered.get();
            int cutOffAtSplit = answeredVia[2].get();
            // the cut lasts 30 s; meanwhile the majority side must keep answering
            await().atMost(CUT.plusSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> System.nanoTime() - cutAt >= CUT.toNanos() && answered.get() > answeredAtSplit + 20);
            int cutOffAnswered = answeredVia[2].get() - cutOffAtSplit;
            lab.heal(3);
            await().atMost(CounterCluster.WAIT).until(() -> everyoneConnected(c, names));
            int[] viaAtHeal = {answeredVia[0].get(), answeredVia[1].get(), answeredVia[2].get()};
            await().atMost(CounterCluster.WAIT).until(() -> answeredVia[0].get() > viaAtHeal[0] + 5
                    && answeredVia[1].get() > viaAtHeal[1] + 5 && answeredVia[2].get() > viaAtHeal[2] + 5);
            stop.set(true);
            for (Thread t : clients) t.join();

            // a new user's first visit through every node is answered, and sessions land on every node
            Set<String> hosts = new HashSet<>();
            for (int u = 0; u < 30; u++) {
                String user = "fresh" + u;
                assertThat(c.visit(u % 3, user, VISIT)).as("first visit of %s through %s", user, names.get(u % 3)).isEqualTo(1);
                hosts.add(c.hostOf(u % 3, user));
            }
            assertThat(hosts).as("nodes hosting the 30 new sessions").containsExactlyInAnyOrderElementsOf(names);

            // no acknowledged visit lost: each answer a user got is a count no other answer got,
            // and the count now is above all of them
            for (var e : acknowledged.entrySet()) {
                List<Long> counts;
                synchronized (e.getValue()) {
                    counts = List.copyOf(e.getValue());
                }
                assertThat(new HashSet<>(counts)).as("distinct answers to %s", e.getKey()).hasSameSizeAs(counts);
                long now = c.visit(0, e.getKey(), VISIT);
                assertThat(now).as("count of %s after the heal", e.getKey()).isGreaterThan(counts.stream().mapToLong(Long::longValue).max().orElse(0));
            }
            for (var p : c.nodes) {
                assertThat(p.lines()).as("%s could not send a reply", p.name).noneMatch(l -> l.contains("cannot send") || l.contains("is not registered"));
                assertThat(p.lines()).as("%s gave up a service", p.name).noneMatch(l -> l.contains("gave up"));
            }
            System.out.printf("partition: %d visits answered (%d of them through the cut-off node while it was cut off), %d not answered%n",
                    answered.get(), cutOffAnswered, refused.get());
            for (var p : c.nodes) {
                System.out.printf("partition: %s logged %d conflict and %d fencing lines%n", p.name,
                        p.lines().stream().filter(l -> l.contains("RegistryConflict")).count(), p.lines().stream().filter(l -> l.contains("Fenced")).count());
            }
        }
    }

    /** Whether node {@code i}'s last word about {@code peer} is that it is connected. */
    private static boolean connected(CounterCluster c, int i, String peer) {
        boolean up = false;
        for (String l : c.nodes.get(i).lines()) {
            if (l.startsWith("UP " + peer + " ")) up = true;
            else if (l.startsWith("DOWN " + peer + " ")) up = false;
        }
        return up;
    }

    private static boolean everyoneConnected(CounterCluster c, List<String> names) {
        for (int i = 0; i < names.size(); i++) {
            for (int j = 0; j < names.size(); j++) {
                if (i != j && !connected(c, i, names.get(j))) return false;
            }
        }
        return true;
    }
}
