package dev.cohort.examples.counter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Each stage end to end: node processes on 127.0.0.1, driven over HTTP as a user would. */
class CounterStagesTest {

    @Test
    void simpleCountsOneTwoThreeAndRefusesBadInput() throws Exception {
        try (CounterCluster c = new CounterCluster(Stage.SIMPLE, 1)) {
            assertThat(c.visit(0, "ana")).isEqualTo(1);
            assertThat(c.visit(0, "ana")).isEqualTo(2);
            assertThat(c.visit(0, "ana")).isEqualTo(3);
            HttpResponse<String> page = c.get(0, "/?user_name=ana", null);
            assertThat(page.body()).contains("<title>Distributed Cohort Demo (a@127.0.0.1)</title>", "User ana visited site 4 times.");
            assertThat(c.get(0, "/?user_name=ana", "application/json").body())
                    .isEqualTo("{\"node\":\"a@127.0.0.1\",\"user\":\"ana\",\"visits\":5,\"session_node\":\"a@127.0.0.1\"}");
            assertThat(c.get(0, "/api/visit?user_name=ana", null).body()).contains("\"visits\":6");
            assertThat(c.dashboard(0)).containsExactly("ana: 6 (a@127.0.0.1)");
            assertThat(c.get(0, "/api/sessions", null).body())
                    .isEqualTo("{\"node\":\"a@127.0.0.1\",\"sessions\":[{\"user\":\"ana\",\"visits\":6,\"node\":\"a@127.0.0.1\"}]}");

            // bad input: 4xx with a reason, never a crash
            for (String bad : new String[] {"/?user_name=", "/?user_name=" + "x".repeat(65), "/?user_name=a%20b", "/?user_name=%3Cscript%3E",
                    "/?user_name=a&user_name=b", "/?user_name=%C3%28", "/?user_name=%00", "/api/visit"}) {
                HttpResponse<String> r = c.get(0, bad, null);
                assertThat(r.statusCode()).as(bad).isBetween(400, 499);
            }
            assertThat(c.get(0, "/nothing/here", null).statusCode()).isEqualTo(404);
            assertThat(c.get(0, "/nothing/here", null).body()).contains("not found");
            assertThat(c.visit(0, "ana")).isEqualTo(7); // still serving
            assertThat(c.visit(0, "José_2.0")).isEqualTo(1);

            // what the load benchmark's warm-up reads: the node's JIT time, through the attach API
            try (JitActivity jit = JitActivity.of(java.util.List.of(c.nodes.getFirst().pid()))) {
                long first = jit.totalMillis();
                assertThat(first).isPositive();
                assertThat(jit.totalMillis()).isGreaterThanOrEqualTo(first);
            }
        }
    }

    @Test
    void simpleRacingFirstVisitsEndAsOneSessionWithEveryVisitCounted() throws Exception {
        try (CounterCluster c = new CounterCluster(Stage.SIMPLE, 1)) {
            racingFirstVisits(c, "bob", 20);
        }
    }

    /** Clustering alone shares nothing: one user, two nodes, two counters. */
    @Test
    void clusteredKeepsAnIndependentCounterOnEachNode() throws Exception {
        try (CounterCluster c = new CounterCluster(Stage.CLUSTERED, 3)) {
            assertThat(c.visit(0, "ana")).isEqualTo(1);
            assertThat(c.visit(0, "ana")).isEqualTo(2);
            assertThat(c.visit(1, "ana")).isEqualTo(1);
            assertThat(c.visit(0, "ana")).isEqualTo(3);
            assertThat(c.dashboard(0)).containsExactly("ana: 3 (a@127.0.0.1)");
            assertThat(c.dashboard(1)).containsExactly("ana: 1 (b@127.0.0.1)");
            assertThat(c.dashboard(2)).isEmpty();
        }
    }

    /** One session per user cluster-wide, on every node's dashboard; killing its node resets it (what stage handoff fixes). */
    @Test
    void distributedSharesOneCounterAndResetsItWhenItsNodeIsKilled() throws Exception {
        try (CounterCluster c = new CounterCluster(Stage.DISTRIBUTED, 3)) {
            assertThat(c.visit(0, "ana")).isEqualTo(1);
            assertThat(c.visit(1, "ana")).isEqualTo(2);
            assertThat(c.visit(2, "ana")).isEqualTo(3);
            String host = c.hostOf(0, "ana");
            for (int i = 0; i < 3; i++) {
                int node = i;
                await().atMost(CounterCluster.WAIT).until(() -> c.dashboard(node).contains("ana: 3 (" + host + ")"));
            }
            racingFirstVisits(c, "bob", 30);

            int victim = c.indexOf(host);
            c.nodes.get(victim).kill9();
            int survivor = (victim + 1) % 3;
            assertThat(c.visit(survivor, "ana")).isEqualTo(1);
            assertThat(c.hostOf(survivor, "ana")).isNotEqualTo(host);
        }
    }

    /** Visits racing for a new user, spread over every node: one session, every visit counted. */
    static void racingFirstVisits(CounterCluster c, String user, int visits) throws Exception {
        List<Thread> threads = new ArrayList<>();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        for (int i = 0; i < visits; i++) {
            int node = i % c.nodes.size();
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    go.await();
                    c.visit(node, user);
                } catch (Throwable e) {
                    failed.compareAndSet(null, e);
                }
            }));
        }
        go.countDown();
        for (Thread t : threads) t.join();
        assertThat(failed.get()).isNull();
        List<String> sessions = c.dashboard(0).stream().filter(l -> l.startsWith(user + ":")).toList();
        assertThat(sessions).hasSize(1);
        assertThat(sessions.get(0)).startsWith(user + ": " + visits + " (");
    }
}
