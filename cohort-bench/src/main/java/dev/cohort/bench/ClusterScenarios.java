package dev.cohort.bench;

import static dev.cohort.bench.Bench.figure;
import static dev.cohort.bench.Bench.progress;
import static dev.cohort.bench.NodeProcesses.freePort;

import dev.cohort.cluster.ClusterNode;
import dev.cohort.cluster.wire.ForySerializer;
import dev.cohort.distributed.cli.RegistryNodeMain;
import dev.cohort.distributed.registry.DistributedRegistry;
import dev.cohort.process.Pid;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * S1 of the distributed-registry issue (S2, failover under the distributed supervisor, comes with
 * it): this JVM is node A with a {@link DistributedRegistry}; B and C are {@link RegistryNodeMain}
 * OS processes whose registry listeners report back to a process on A registered globally.
 */
final class ClusterScenarios {
    private ClusterScenarios() {}

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
            DistributedRegistry registry = DistributedRegistry.start(a, "bench", serializer);
            List<String> jvm = List.of("-Xms2g", "-Xmn1200m", "-Djdk.virtualThreadScheduler.parallelism=" + CrdtScenarios.CARRIERS);
            List<NodeProcesses.NodeProcess> nodes = List.of(
                    NodeProcesses.start(RegistryNodeMain.class, jvm, "b@127.0.0.1", freePort(), pa),
                    NodeProcesses.start(RegistryNodeMain.class, jvm, "c@127.0.0.1", freePort(), pa));
            for (NodeProcesses.NodeProcess n : nodes) n.awaitLine("READY"::equals);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (a.connectedNodes().size() < 2) {
                if (System.nanoTime() > deadline) throw new IllegalStateException("nodes did not join");
                Thread.sleep(10);
            }
            progress("S1: three nodes connected");
            for (int w = 0; w < 3; w++) bulk(a, registry, reports, "warm" + w); // the node JVMs are seconds old
            System.gc();

            long[] lat = new long[200], call = new long[200];
            for (int round = -50; round < lat.length; round++) {
                String key = "probe:" + round;
                reports.clear();
                Pid pid = a.node().spawn(self -> self.receive());
                long t0 = System.nanoTime();
                registry.register(key, pid);
                if (round >= 0) call[round] = System.nanoTime() - t0;
                int seen = 0;
                while (seen < 2) {
                    String r = reports.poll(30, TimeUnit.SECONDS);
                    if (r == null) throw new IllegalStateException("no report for " + key);
                    if (r.startsWith("SEEN " + key + " ")) seen++;
                }
                if (round >= 0) lat[round] = System.nanoTime() - t0;
            }
            Arrays.sort(lat);
            Arrays.sort(call);
            progress("S1: the register call itself (from a plain thread), p50 " + call[100] / 1000 + " us, p99 " + call[198] / 1000 + " us");
            figure("S1", "single_p50_ms", lat[lat.length / 2] / 1e6, "ms");
            figure("S1", "single_p99_ms", lat[(int) (lat.length * 0.99)] / 1e6, "ms");

            System.gc();
            long t0 = System.nanoTime();
            bulk(a, registry, reports, "bulk");
            double ms = (System.nanoTime() - t0) / 1e6;
            figure("S1", "bulk_total_ms", ms, "ms");
            figure("S1", "bulk_regs_per_s", Math.round(10_000 / (ms / 1000)), "regs/s");
            progress("S2 (failover under the distributed supervisor) is not measured yet: the supervisor is still to come");
        } finally {
            NodeProcesses.killAll();
            a.close();
        }
    }

    /** 10,000 names {@code prefix:i} registered on A, each bound to its own process, until all resolve on B and C. */
    private static void bulk(ClusterNode a, DistributedRegistry registry, LinkedBlockingQueue<String> reports, String prefix)
            throws InterruptedException {
        reports.clear();
        Pid[] pids = new Pid[10_000];
        for (int i = 0; i < pids.length; i++) pids[i] = a.node().spawn(self -> self.receive());
        CountDownLatch registered = new CountDownLatch(1);
        // the registering code is a process on A, as application code would be
        a.node().spawn(self -> {
            for (int i = 0; i < pids.length; i++) registry.register(prefix + ":" + i, pids[i]);
            registered.countDown();
        });
        int done = 0;
        while (done < 2) {
            String r = reports.poll(60, TimeUnit.SECONDS);
            if (r == null) throw new IllegalStateException("the 10,000 " + prefix + " names did not resolve everywhere");
            if (r.startsWith("DONE " + prefix + " ")) done++;
        }
        registered.await();
    }
}
