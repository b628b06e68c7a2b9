package dev.cohort.bench;

import static dev.cohort.bench.Bench.figure;
import static dev.cohort.bench.Bench.progress;
import static dev.cohort.bench.NodeProcesses.freePort;

import dev.cohort.cluster.ClusterNode;
import dev.cohort.cluster.wire.ForySerializer;
import dev.cohort.crdt.AWLWWMap;
import dev.cohort.crdt.AWLWWMapReplica;
import dev.cohort.crdt.HybridLogicalClock;
import dev.cohort.crdt.replicator.CrdtNodeMain;
import dev.cohort.crdt.replicator.ReplicatedMap;
import dev.cohort.process.Pid;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * C1 of the CRDT issue (partly): this JVM is node A with a {@link ReplicatedMap}; nodes B and C
 * are {@link CrdtNodeMain} OS processes that report back when they see a key. Figures: one put on
 * A until visible on B and C (p50, p99), 100,000 puts on A until all visible on B and C, and the
 * join rate of a replica. Not yet: anti-entropy bytes (the Merkle descent is not on the wire).
 */
final class CrdtScenarios {
    private CrdtScenarios() {}

    private static final List<List<String>> OUTPUT = new CopyOnWriteArrayList<>();

    static void run(String[] args) throws Exception {
        int pa = freePort();
        ForySerializer serializer = ForySerializer.builder().build();
        ClusterNode a = ClusterNode.start("a@127.0.0.1", pa, List.of(), "bench-cookie", serializer);
        try {
            LinkedBlockingQueue<String> reports = new LinkedBlockingQueue<>();
            Pid driver = a.node().spawn(self -> {
                for (;;) if (self.receive() instanceof String s) reports.add(s);
            });
            a.global().register("bench-driver", driver);
            ReplicatedMap<String, Integer> map = ReplicatedMap.start(a, "bench", serializer, String.class, Integer.class,
                    ReplicatedMap.Options.defaults());
            start("b@127.0.0.1", freePort(), pa);
            start("c@127.0.0.1", freePort(), pa);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (a.connectedNodes().size() < 2 || a.global().whereis("bench-driver") == null) {
                if (System.nanoTime() > deadline) throw new IllegalStateException("nodes did not join");
                Thread.sleep(10);
            }
            progress("C1: three nodes connected");
            // visibility of one put: warm up, then measure
            long[] lat = new long[300];
            for (int round = -100; round < lat.length; round++) {
                String key = "probe:" + round;
                reports.clear();
                long t0 = System.nanoTime();
                map.put(key, round);
                int seen = 0;
                while (seen < 2) {
                    String r = reports.poll(30, TimeUnit.SECONDS);
                    if (r == null) throw new IllegalStateException("no report for " + key);
                    if (r.startsWith("SEEN " + key + " ")) seen++;
                }
                if (round >= 0) lat[round] = System.nanoTime() - t0;
            }
            Arrays.sort(lat);
            figure("C1", "update_visible_p50_ms", lat[lat.length / 2] / 1e6, "ms");
            figure("C1", "update_visible_p99_ms", lat[(int) (lat.length * 0.99)] / 1e6, "ms");

            reports.clear();
            long t0 = System.nanoTime();
            for (int i = 0; i < 100_000; i++) map.put("bulk:" + i, i);
            int done = 0;
            while (done < 2) {
                String r = reports.poll(60, TimeUnit.SECONDS);
                if (r == null) {
                    for (List<String> out : OUTPUT) out.stream().filter(l -> !l.startsWith("\tat ")).limit(40).forEach(l -> progress("node: " + l));
                    throw new IllegalStateException("the 100,000 keys did not arrive");
                }
                if (r.startsWith("DONE ")) done++;
            }
            figure("C1", "converge_100k_ms", (System.nanoTime() - t0) / 1e6, "ms");
        } finally {
            NodeProcesses.killAll();
            a.close();
        }
        mergeOps(); // last: its million deltas would burden the heap the cluster figures run on
    }

    /** Joins per second of single-key deltas into a replica of 1,000,000 keys. */
    private static void mergeOps() {
        AWLWWMapReplica<String, Integer> source = new AWLWWMapReplica<>(), target = new AWLWWMapReplica<>();
        HybridLogicalClock clock = HybridLogicalClock.system("a");
        List<AWLWWMap<String, Integer>> deltas = new ArrayList<>();
        for (int i = 0; i < 1_000_000; i++) deltas.add(source.put("key" + i, i, clock.now()));
        for (int i = 0; i < 200_000; i++) target.join(deltas.get(i), null); // warm-up
        long t0 = System.nanoTime();
        for (int i = 200_000; i < deltas.size(); i++) target.join(deltas.get(i), null);
        double perSecond = (deltas.size() - 200_000) / ((System.nanoTime() - t0) / 1e9);
        figure("C1", "merge_ops_per_s", Math.round(perSecond), "ops/s");
    }

    private static NodeProcesses.NodeProcess start(String name, int port, int seedPort) throws Exception {
        NodeProcesses.NodeProcess p = NodeProcesses.start(CrdtNodeMain.class, "-Xmx1g", name, port, seedPort);
        OUTPUT.add(p.lines());
        p.awaitLine("READY"::equals);
        return p;
    }
}
