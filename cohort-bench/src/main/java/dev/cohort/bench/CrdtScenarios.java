package dev.cohort.bench;

import static dev.cohort.bench.Bench.figure;
import static dev.cohort.bench.Bench.progress;
import static dev.cohort.bench.NodeProcesses.freePort;

import dev.cohort.cluster.ClusterNode;
import dev.cohort.cluster.wire.ForySerializer;
import dev.cohort.crdt.AWLWWMap;
import dev.cohort.crdt.AWLWWMapReplica;
import dev.cohort.time.HybridLogicalClock;
import dev.cohort.crdt.replicator.CrdtNodeMain;
import dev.cohort.crdt.replicator.ReplicatedMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * C1 of the CRDT issue: this JVM is node A with a {@link ReplicatedMap}; nodes B and C
 * are {@link CrdtNodeMain} OS processes that report back when they see a key. Figures: one put on
 * A until visible on B and C (p50, p99), 100,000 puts on A until all visible on B and C, and the
 * join rate of a replica, and the bytes anti-entropy ships to repair 100 differing keys among 1,000,000.
 */
final class CrdtScenarios {
    private CrdtScenarios() {}

    /** Carrier threads per node JVM: the machine's cores shared by the three nodes, at least one. */
    /** Identical 100,000-key runs before the measured one: a node JVM is seconds old and still compiling. */
    private static final int WARMUP_RUNS = Integer.getInteger("cohort.bench.warmups", 3);

    static final String CARRIERS = System.getProperty("cohort.bench.carriers", String.valueOf(Math.max(1, Runtime.getRuntime().availableProcessors() / 3)));

    private static final List<List<String>> OUTPUT = new CopyOnWriteArrayList<>();

    static void run(String[] args) throws Exception {
        try (DriverNode a = new DriverNode()) {
            ReplicatedMap<String, Integer> map = ReplicatedMap.builder(a.node, "bench", String.class, Integer.class).serializer(a.serializer).start();
            List<NodeProcesses.NodeProcess> nodes = List.of(start("b@127.0.0.1", freePort(), a.port), start("c@127.0.0.1", freePort(), a.port));
            a.awaitConnected(2);
            progress("C1: three nodes connected");
            // the node JVMs are seconds old and still compiling: identical bulk runs first
            for (int w = 0; w < WARMUP_RUNS; w++) bulk(a, map, "warm" + w);
            NodeProcesses.collectGarbage(nodes, "probes");
            // visibility of one put: warm up, then measure
            long[] lat = new long[1_000];
            for (int round = -100; round < lat.length; round++) {
                String key = "probe:" + round;
                a.reports.clear();
                long t0 = System.nanoTime();
                map.put(key, round);
                if (!a.awaitReports("SEEN " + key + " ", 2, 30)) throw new IllegalStateException("no report for " + key);
                if (round >= 0) lat[round] = System.nanoTime() - t0;
            }
            Arrays.sort(lat);
            figure("C1", "update_visible_p50_ms", lat[lat.length / 2] / 1e6, "ms");
            figure("C1", "update_visible_p99_ms", lat[(int) (lat.length * 0.99)] / 1e6, "ms");

            NodeProcesses.collectGarbage(nodes, "bulk");
            long t0 = System.nanoTime();
            bulk(a, map, "bulk");
            figure("C1", "converge_100k_ms", (System.nanoTime() - t0) / 1e6, "ms");
            progress("C1: on A " + map.stats());
        }
        antiEntropyBytes();
        System.gc(); // the million-key replicas of the last scenario are garbage now
        mergeOps(); // last: its million deltas would burden the heap the cluster figures run on
    }

    /** 100,000 puts of keys {@code prefix:i} on A, until B and C both report holding them all. */
    private static void bulk(DriverNode a, ReplicatedMap<String, Integer> map, String prefix) throws InterruptedException {
        a.reports.clear();
        long t0 = System.nanoTime();
        // the writer is a process on A, as application code would be (a platform thread pays an OS wake-up per call)
        a.node.node().spawn(self -> {
            for (int i = 0; i < 100_000; i++) map.put(prefix + ":" + i, i);
            progress("C1: 100,000 puts of " + prefix + " made in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        });
        if (!a.awaitReports("DONE " + prefix + " ", 2, 60)) {
            for (List<String> out : OUTPUT) out.stream().filter(l -> !l.startsWith("\tat ")).limit(40).forEach(l -> progress("node: " + l));
            throw new IllegalStateException("the 100,000 " + prefix + " keys did not arrive");
        }
    }

    /**
     * Two replicas of a 1,000,000-key map on two nodes in this JVM (real transport over loopback):
     * isolated from each other, they make 100 differing keys (40 updates on one, 30 adds and 30
     * removes on the other), then reconnect; the figure is the bytes of sync messages both sent
     * until their Merkle roots are equal.
     */
    private static void antiEntropyBytes() throws Exception {
        ForySerializer serializer = ForySerializer.builder().build();
        int px = freePort();
        ReplicatedMap.Options options = ReplicatedMap.Options.defaults().withSyncInterval(java.time.Duration.ofMillis(200));
        try (ClusterNode x = ClusterNode.start("x@127.0.0.1", px, List.of(), "bench-cookie", serializer);
             ClusterNode y = ClusterNode.start("y@127.0.0.1", freePort(), List.of(new java.net.InetSocketAddress("127.0.0.1", px)), "bench-cookie", serializer)) {
            ReplicatedMap<String, Integer> mx = ReplicatedMap.builder(x, "ae", String.class, Integer.class).serializer(serializer).options(options).start();
            ReplicatedMap<String, Integer> my = ReplicatedMap.builder(y, "ae", String.class, Integer.class).serializer(serializer).options(options).start();
            mx.neighbours(java.util.Set.of("y@127.0.0.1"));
            my.neighbours(java.util.Set.of("x@127.0.0.1"));
            for (int i = 0; i < 1_000_000; i += 10_000) {
                java.util.Map<String, Integer> chunk = new java.util.HashMap<>();
                for (int j = i; j < i + 10_000; j++) chunk.put("key:" + j, j);
                mx.putAll(chunk);
            }
            awaitEqual(mx, my, 1_000_000, 300);
            progress("C1: two replicas of 1,000,000 keys agree");
            mx.neighbours(java.util.Set.of());
            my.neighbours(java.util.Set.of());
            for (int i = 0; i < 40; i++) mx.put("key:" + (i * 24_989), -i);
            for (int i = 0; i < 30; i++) my.put("extra:" + i, i);
            for (int i = 0; i < 30; i++) my.remove("key:" + (500_000 + i * 7_919));
            long before = mx.stats().syncBytes() + my.stats().syncBytes();
            mx.neighbours(java.util.Set.of("y@127.0.0.1"));
            my.neighbours(java.util.Set.of("x@127.0.0.1"));
            awaitEqual(mx, my, 1_000_000, 60);
            long bytes = mx.stats().syncBytes() + my.stats().syncBytes() - before;
            figure("C1", "antientropy_bytes", bytes, "bytes");
        }
    }

    private static void awaitEqual(ReplicatedMap<String, Integer> a, ReplicatedMap<String, Integer> b, int size, int seconds)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        for (;;) {
            ReplicatedMap.Stats sa = a.stats(), sb = b.stats();
            if (sa.merkleRoot() == sb.merkleRoot() && sa.size() == sb.size() && sa.size() == size) return;
            if (System.nanoTime() > deadline) throw new IllegalStateException("replicas did not agree: " + sa + " / " + sb);
            Thread.sleep(5);
        }
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
        NodeProcesses.NodeProcess p = NodeProcesses.start(CrdtNodeMain.class, List.of("-Xms2g", "-Xmn1200m", "-Djdk.virtualThreadScheduler.parallelism=" + CARRIERS), name, port, seedPort);
        OUTPUT.add(p.lines());
        p.awaitLine("READY"::equals);
        return p;
    }
}
