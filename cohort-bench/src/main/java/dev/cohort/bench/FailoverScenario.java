package dev.cohort.bench;

import static dev.cohort.bench.Bench.figure;
import static dev.cohort.bench.Bench.progress;
import static dev.cohort.bench.NodeProcesses.freePort;

import dev.cohort.distributed.cli.SupervisorNodeMain;
import dev.cohort.distributed.registry.DistributedRegistry;
import dev.cohort.distributed.registry.RegistryEvent;
import dev.cohort.distributed.supervisor.ClusterAnswer;
import dev.cohort.distributed.supervisor.DistributedSupervisor;
import dev.cohort.distributed.supervisor.RunningChild;
import dev.cohort.process.Pid;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * S2 of the distributed-registry issue: 3,000 children spread by the supervisor over A (this
 * JVM), B and C (OS processes running {@link SupervisorNodeMain}), each registered by a unique
 * name. Kill -9 C and time until every child that lived on C runs again on A or B and resolves
 * by name on both (B reports each arrival of a {@code probe:*} name). Lost: never restarted within
 * 30 s; duplicates: children running twice 10 s later, by the supervisor's cluster-wide count.
 */
final class FailoverScenario {
    private static final int CHILDREN = 3_000;

    private FailoverScenario() {}

    static void run() throws Exception {
        try (DriverNode a = new DriverNode()) {
            DistributedRegistry registry = DistributedRegistry.builder(a.node, "bench").serializer(a.serializer).start();
            Map<String, Long> movedOnA = new ConcurrentHashMap<>();
            Set<String> watch = ConcurrentHashMap.newKeySet();
            String cName = "c@127.0.0.1";
            registry.subscribe(e -> {
                if (e instanceof RegistryEvent.Registered r && watch.contains(e.key()) && !r.registration().pid().node().equals(cName)) {
                    movedOnA.putIfAbsent((String) e.key(), System.nanoTime());
                }
            });
            DistributedSupervisor sup = SupervisorNodeMain.workers(a.node, registry, a.serializer, true).start();
            List<String> jvm = List.of("-Xms1g", "-Djdk.virtualThreadScheduler.parallelism=" + CrdtScenarios.CARRIERS);
            List<String> quiet = List.of("--quiet");
            NodeProcesses.NodeProcess b = NodeProcesses.start(SupervisorNodeMain.class, jvm, "b@127.0.0.1", freePort(), a.port, quiet);
            NodeProcesses.NodeProcess c = NodeProcesses.start(SupervisorNodeMain.class, jvm, cName, freePort(), a.port, quiet);
            b.awaitLine("READY"::equals);
            c.awaitLine("READY"::equals);
            a.awaitConnected(2);
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (sup.members().values().stream().filter(s -> s == DistributedSupervisor.MemberState.ALIVE).count() < 3) {
                if (System.nanoTime() > until) throw new IllegalStateException("members never reached 3: " + sup.members());
                Thread.sleep(10);
            }
            progress("S2: three members; starting " + CHILDREN + " children");
            a.reports.clear();
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int t = 0; t < 8; t++) {
                    int from = t;
                    pool.submit(() -> {
                        for (int i = from; i < CHILDREN; i += 8) sup.startChild("probe:s2:" + i, "permanent", "probe:s2:" + i);
                        return null;
                    });
                }
            }
            // every name resolves on B and C (each reports each arrival) and here
            Set<String> onB = new HashSet<>(), onC = new HashSet<>();
            while (onB.size() < CHILDREN || onC.size() < CHILDREN) {
                String r = a.reports.poll(60, TimeUnit.SECONDS);
                if (r == null) throw new IllegalStateException("names did not arrive: B " + onB.size() + ", C " + onC.size());
                String[] f = r.split(" ");
                (f[2].equals(cName) ? onC : onB).add(f[1]);
            }
            Set<String> onCNode = new HashSet<>();
            for (int i = 0; i < CHILDREN; i++) {
                Pid pid = registry.whereis("probe:s2:" + i);
                if (pid == null) throw new IllegalStateException("probe:s2:" + i + " does not resolve on A");
                if (pid.node().equals(cName)) onCNode.add("probe:s2:" + i);
            }
            progress("S2: " + CHILDREN + " children resolve everywhere, " + onCNode.size() + " on C; kill -9 C");
            NodeProcesses.collectGarbage(List.of(b, c), "failover");
            a.reports.clear();
            watch.addAll(onCNode);
            Set<String> movedOnB = new HashSet<>();
            long t0 = System.nanoTime();
            c.process().destroyForcibly();
            long doneAt = 0;
            long deadline = t0 + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline) {
                String r = a.reports.poll(5, TimeUnit.MILLISECONDS);
                if (r != null) {
                    String[] f = r.split(" ");
                    if (f[2].equals("b@127.0.0.1") && onCNode.contains(f[1])) movedOnB.add(f[1]);
                }
                if (movedOnB.size() == onCNode.size() && movedOnA.keySet().containsAll(onCNode)) {
                    doneAt = System.nanoTime();
                    break;
                }
            }
            Set<String> lost = lostOf(movedOnA.keySet(), movedOnB, onCNode);
            if (doneAt != 0) figure("S2", "failover_ms", (doneAt - t0) / 1e6, "ms");
            else progress("S2: failover did not complete within 30 s");
            figure("S2", "lost", lost.size(), "children");
            Thread.sleep(10_000); // the scenario's definition: duplicates counted 10 s later
            ClusterAnswer<List<RunningChild>> which = sup.whichChildren(Duration.ofSeconds(10));
            Map<String, Integer> runs = new HashMap<>();
            which.answers().values().forEach(l -> l.forEach(ch -> runs.merge(ch.id(), 1, Integer::sum)));
            long duplicates = runs.values().stream().filter(n -> n > 1).count();
            if (!which.complete()) progress("S2: members did not answer: " + which.missing());
            progress("S2: " + runs.size() + " children run after the failover");
            figure("S2", "duplicates", duplicates, "children");
            sup.close();
        }
    }

    /** The ids of {@code all} that did not arrive on both A and B. */
    private static Set<String> lostOf(Set<String> onA, Set<String> onB, Set<String> all) {
        Set<String> lost = new HashSet<>();
        for (String id : all) if (!onA.contains(id) || !onB.contains(id)) lost.add(id);
        return lost;
    }
}
