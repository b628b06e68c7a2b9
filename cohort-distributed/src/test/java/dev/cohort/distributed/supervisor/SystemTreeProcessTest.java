package dev.cohort.distributed.supervisor;

import static dev.cohort.distributed.supervisor.SupervisorNodes.WAIT;
import static dev.cohort.distributed.supervisor.SupervisorNodes.awaitExactlyOnce;
import static dev.cohort.distributed.supervisor.SupervisorNodes.start;
import static dev.cohort.distributed.supervisor.SupervisorNodes.whereis;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cohort.cluster.testing.NodeProcess;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The system tree of a node ({@code ClusterNode}'s {@code cohort_system} and the services under
 * it) on three nodes that are separate OS processes ({@code SupervisorNodeMain}: a registry, a
 * distributed supervisor whose children register themselves, a replicated map written by a
 * workload on every node). Every process of every service is killed in turn on every node.
 */
class SystemTreeProcessTest {
    /**
     * The processes of Cohort's services on such a node, by the name each registers under: the
     * spawn server, the global-name keeper, and of each service its replicators, its server and
     * its own supervisor. The root, {@code cohort_system}, is not among them: as with OTP's
     * {@code kernel_sup}, its end is the end of the node's services.
     */
    private static final List<String> SYSTEM = List.of(
            "cohort_spawner", "cohort_global_keeper",
            "cohort.crdt.kv", "cohort.service.crdt.kv",
            "cohort.crdt.registry.bench", "cohort.crdt.registry.bench.meta", "cohort.registry.bench", "cohort.service.registry.bench",
            "cohort.crdt.supervisor.workers", "cohort.supervisor.workers", "cohort.service.supervisor.workers");
    /** How soon a killed process runs again under its name, and its service answers. */
    private static final Duration BACK_WITHIN = Duration.ofSeconds(10);

    private static String proc(NodeProcess n, String name) throws IOException {
        String line = n.ask("PROC " + name, "PROC " + name + " ", WAIT);
        return line.substring(line.lastIndexOf(' ') + 1);
    }

    /** Kills {@code name} on {@code n} and waits until a new process runs under it; returns the time that took. */
    private static Duration killAndAwaitRestart(NodeProcess n, String name) throws IOException {
        String before = proc(n, name);
        assertThat(before).as(name + " runs on " + n.name).isNotEqualTo("none");
        long t0 = System.nanoTime();
        n.ask("KILL " + name, "KILLED " + name + " ", WAIT);
        await().atMost(BACK_WITHIN).until(() -> {
            String now = proc(n, name);
            return !now.equals("none") && !now.equals(before);
        });
        return Duration.ofNanos(System.nanoTime() - t0);
    }

    @Test
    void everySystemProcessKilledInTurnIsRestartedAndNoNameKeyOrChildIsLost() throws Exception {
        try (SupervisorNodes nodes = new SupervisorNodes(3).startAll(3)) {
            try {
                killEverySystemProcess(nodes);
            } catch (AssertionError | RuntimeException e) {
                for (NodeProcess n : nodes.all) {
                    for (String q : List.of("MEMBERS", "STATS", "GAVEUP", "SYSTEM")) System.out.println(n.name + " " + n.ask(q, q, WAIT));
                    System.out.println("---- " + n.name);
                    n.lines().stream().filter(l -> l.contains("WARN") || l.contains("ERROR") || l.contains("INFO")).forEach(System.out::println);
                }
                throw e;
            }
        }
    }

    private static void killEverySystemProcess(SupervisorNodes nodes) throws Exception {
        {
            NodeProcess a = nodes.get(0);
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 18; i++) {
                ids.add("p:" + i);
                start(a, "p:" + i, "permanent");
            }
            awaitExactlyOnce(a, ids);
            for (int i = 0; i < 3; i++) nodes.get(i).ask("WORK w" + i, "OK", WAIT);

            Duration slowest = Duration.ZERO;
            int extra = 0;
            for (String name : SYSTEM) {
                for (int i = 0; i < 3; i++) {
                    NodeProcess n = nodes.get(i);
                    // A write a replicator acknowledged goes out as a delta just after its reply: a kill in between
                    // loses it with the replicator, as a crash of the node would (ReplicatedMap's guarantee: a write
                    // survives the death of its replica once it reached another). Writes that one replica missed
                    // while it restarted reach it by anti-entropy, which waits while deltas flow; killing its
                    // neighbour before that would be two deaths. So the writers pause, and the three replicas
                    // agree, before a replicator of the map is killed.
                    boolean kvHere = name.contains(".kv");
                    if (kvHere) {
                        for (NodeProcess w : nodes.all) w.ask("PAUSE", "PAUSED ", WAIT);
                        nodes.awaitSameKv();
                    }
                    Duration took = killAndAwaitRestart(n, name);
                    if (took.compareTo(slowest) > 0) slowest = took;
                    if (kvHere) for (NodeProcess w : nodes.all) w.ask("RESUME", "OK", WAIT);
                    // the services of the node answer again: a new child through it, registered and found on it
                    String id = "x:" + (extra++);
                    ids.add(id);
                    String child = await().atMost(BACK_WITHIN).ignoreExceptions().until(() -> start(n, id, "permanent"), p -> p != null);
                    await().atMost(BACK_WITHIN).until(() -> whereis(n, id).equals(child));
                    String records = "global=" + ids.size() + " ";
                    try {
                        await().atMost(BACK_WITHIN).until(() -> n.ask("STATS", "STATS ", WAIT).contains(records));
                    } catch (org.awaitility.core.ConditionTimeoutException e) {
                        throw new AssertionError("after killing " + name + " on " + n.name + ": " + n.ask("STATS", "STATS ", WAIT)
                                + ", expected " + records, e);
                    }
                }
            }

            // afterwards: every child once, registered on every node; every acknowledged write everywhere
            awaitExactlyOnce(a, ids);
            for (int i = 0; i < 3; i++) {
                NodeProcess n = nodes.get(i);
                await().atMost(WAIT).until(() -> ids.stream().allMatch(id -> !whereisQuietly(n, id).equals("none")));
            }
            List<String[]> worked = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                String[] paused = nodes.get(i).ask("PAUSE", "PAUSED ", WAIT).split(" ");
                assertThat(Long.parseLong(paused[2])).as("writes acknowledged on node " + i).isGreaterThan(20);
                worked.add(nodes.get(i).ask("WORKED", "WORKED ", WAIT).split(" "));
            }
            nodes.awaitAcknowledgedWritesEverywhere(worked);
            nodes.awaitSameKv();
            for (int i = 0; i < 3; i++) {
                assertThat(nodes.get(i).ask("GAVEUP", "GAVEUP ", WAIT)).as("no service gave up on node " + i).isEqualTo("GAVEUP {}");
                assertThat(nodes.get(i).ask("SYSTEM", "SYSTEM ", WAIT)).contains("running=true").doesNotContain("=false");
            }
            System.out.println("system-tree: " + SYSTEM.size() * 3 + " kills, slowest restart " + slowest.toMillis() + " ms");
        }
    }

    private static String whereisQuietly(NodeProcess n, String id) {
        try {
            return whereis(n, id);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aServiceThatExceedsItsRestartIntensityIsReportedAndRestartedByTheSystemSupervisor() throws Exception {
        try (SupervisorNodes nodes = new SupervisorNodes(1).startAll(1)) {
            NodeProcess n = nodes.get(0);
            n.ask("WORK w", "OK", WAIT);
            // four kills of the map's replicator within its service's window (more than 3 restarts in 5 s)
            for (int k = 0; k < 4; k++) {
                int before = n.lines().size();
                n.ask("KILL cohort.crdt.kv", "KILLED cohort.crdt.kv ", WAIT);
                if (k < 3) await().atMost(BACK_WITHIN).until(() -> !proc(n, "cohort.crdt.kv").equals("none"));
                else n.awaitNewLine(before, l -> l.contains("ERROR") && l.contains("cohort.service.crdt.kv"), WAIT);
            }
            assertThat(n.lines()).anyMatch(l -> l.contains("ERROR") && l.contains("service cohort.service.crdt.kv gave up"));
            await().atMost(WAIT).until(() -> n.ask("GAVEUP", "GAVEUP ", WAIT).equals("GAVEUP {cohort.service.crdt.kv=1}"));
            // the system supervisor started the service again: the map takes writes once more
            await().atMost(BACK_WITHIN).until(() -> !proc(n, "cohort.crdt.kv").equals("none"));
            long acked = Long.parseLong(n.ask("WORKED", "WORKED ", WAIT).split(" ")[1]);
            await().atMost(BACK_WITHIN).until(() -> Long.parseLong(n.ask("WORKED", "WORKED ", WAIT).split(" ")[1]) > acked + 10);
            assertThat(n.ask("SYSTEM", "SYSTEM ", WAIT)).contains("running=true").contains("cohort.service.crdt.kv=true");
        }
    }
}
