package dev.cohort.bench;

import static dev.cohort.bench.Bench.figure;
import static dev.cohort.bench.Bench.progress;
import static dev.cohort.bench.NodeProcesses.freePort;

import dev.cohort.distributed.cli.RegistryNodeMain;
import dev.cohort.distributed.registry.DistributedRegistry;
import dev.cohort.process.Pid;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

/**
 * S1 of the distributed-registry issue, then S2 ({@link FailoverScenario}): this JVM is node A
 * with a {@link DistributedRegistry}; B and C are {@link RegistryNodeMain} OS processes whose
 * registry listeners report back to a process on A registered globally.
 */
final class ClusterScenarios {
    /** Unmeasured probes first: the single-key path (one delta per flush, a report per key) is not the bulk path the warm-up runs made hot. */
    private static final int WARM_PROBES = Integer.getInteger("cohort.bench.warmProbes", 1000);
    /** Further warm-up batches of 1,000 probes, until one in which the three JVMs compiled for at most {@link #QUIET_JIT_MS}. */
    private static final int WARM_BATCHES = Integer.getInteger("cohort.bench.warmBatches", 20);
    private static final long QUIET_JIT_MS = Long.getLong("cohort.bench.quietJitMs", 30);
    private static final int SETTLE_PROBES = Integer.getInteger("cohort.bench.settleProbes", 500);
    private static final boolean TRACE = Boolean.getBoolean("cohort.bench.trace");

    private ClusterScenarios() {}

    /** Runs S1 and S2; {@code S1} or {@code S2} as an argument runs only that one. */
    static void run(String[] args) throws Exception {
        List<String> only = List.of(args);
        if (!only.contains("S2")) s1();
        if (!only.contains("S1")) FailoverScenario.run();
    }

    private static void s1() throws Exception {
        try (DriverNode a = new DriverNode()) {
            DistributedRegistry registry = DistributedRegistry.builder(a.node, "bench").serializer(a.serializer).start();
            List<String> jvm = List.of("-Xms2g", "-Xmn1200m", "-Djdk.virtualThreadScheduler.parallelism=" + CrdtScenarios.CARRIERS);
            List<NodeProcesses.NodeProcess> nodes = List.of(
                    NodeProcesses.start(RegistryNodeMain.class, jvm, "b@127.0.0.1", freePort(), a.port),
                    NodeProcesses.start(RegistryNodeMain.class, jvm, "c@127.0.0.1", freePort(), a.port));
            for (NodeProcesses.NodeProcess n : nodes) n.awaitLine("READY"::equals);
            a.awaitConnected(2);
            progress("S1: three nodes connected");
            for (int w = 0; w < 10; w++) bulk(a, registry, "warm" + w); // the node JVMs are seconds old
            NodeProcesses.collectGarbage(nodes, "warm-probes");

            long[] lat = new long[200], call = new long[200];
            // Warm-up until the JIT is quiet: on two cores, a C2 compile of the single-key path
            // takes the CPU the path needs, and the three JVMs compile it at different times.
            probes(a, registry, "warm0", WARM_PROBES, null, null);
            long jit = NodeProcesses.compilationMillis(nodes, "w0");
            for (int batch = 1; batch <= WARM_BATCHES; batch++) {
                probes(a, registry, "warm" + batch, 1000, null, null);
                long now = NodeProcesses.compilationMillis(nodes, "w" + batch);
                progress("S1: warm-up batch " + batch + ": the JIT compiled for " + (now - jit) + " ms in the three JVMs");
                boolean quiet = now - jit <= QUIET_JIT_MS;
                jit = now;
                if (quiet) break;
            }
            NodeProcesses.collectGarbage(nodes, "probes");
            // a full collection leaves work behind (compiled code's entry barriers, caches to refill): settle first
            probes(a, registry, "settle", SETTLE_PROBES, null, null);
            probes(a, registry, "probe", lat.length, lat, call);
            Arrays.sort(lat);
            Arrays.sort(call);
            progress("S1: the register call itself (from a process on A), p50 " + call[100] / 1000 + " us, p99 " + call[198] / 1000 + " us");
            progress("S1: the slowest resolutions " + lat[199] / 1000 + ", " + lat[198] / 1000 + ", " + lat[197] / 1000 + ", " + lat[196] / 1000 + " us");
            figure("S1", "single_p50_ms", lat[lat.length / 2] / 1e6, "ms");
            figure("S1", "single_p99_ms", lat[(int) (lat.length * 0.99)] / 1e6, "ms");

            NodeProcesses.collectGarbage(nodes, "bulk");
            long t0 = System.nanoTime();
            bulk(a, registry, "bulk");
            double ms = (System.nanoTime() - t0) / 1e6;
            figure("S1", "bulk_total_ms", ms, "ms");
            figure("S1", "bulk_regs_per_s", Math.round(10_000 / (ms / 1000)), "regs/s");
        }
    }

    /**
     * {@code count} fresh names {@code prefix:i}, registered one after another by a process on A
     * (as application code would; from a plain thread each call also pays an OS wake-up), each
     * bound to a new process, each awaited on B and C before the next; {@code lat} and
     * {@code call}, when given, get each one's time until it resolved there and the register call's own.
     */
    private static void probes(DriverNode a, DistributedRegistry registry, String prefix, int count, long[] lat, long[] call) {
        CompletableFuture<Void> probed = new CompletableFuture<>();
        a.node.node().spawn(self -> {
            try {
                for (int i = 0; i < count; i++) {
                    String key = "probe:" + prefix + ":" + i;
                    a.reports.clear();
                    Pid pid = self.spawn(p -> p.receive());
                    long t0 = System.nanoTime();
                    registry.register(key, pid);
                    long registered = System.nanoTime() - t0;
                    if (!a.awaitReports("SEEN " + key + " ", 2, 30)) throw new IllegalStateException("no report for " + key);
                    if (lat == null) continue;
                    call[i] = registered;
                    lat[i] = System.nanoTime() - t0;
                    if (TRACE && lat[i] > 3_000_000) System.err.println("# slow probe " + i + " at " + java.time.Instant.now() + ": " + lat[i] / 1000 + " us");
                }
                probed.complete(null);
            } catch (Throwable e) {
                probed.completeExceptionally(e);
            }
        });
        probed.join();
    }

    /** 10,000 names {@code prefix:i} registered on A, each bound to its own process, until all resolve on B and C. */
    private static void bulk(DriverNode a, DistributedRegistry registry, String prefix) throws InterruptedException {
        a.reports.clear();
        Pid[] pids = new Pid[10_000];
        for (int i = 0; i < pids.length; i++) pids[i] = a.node.node().spawn(self -> self.receive());
        CountDownLatch registered = new CountDownLatch(1);
        // the registering code is a process on A, as application code would be
        a.node.node().spawn(self -> {
            for (int i = 0; i < pids.length; i++) registry.register(prefix + ":" + i, pids[i]);
            registered.countDown();
        });
        if (!a.awaitReports("DONE " + prefix + " ", 2, 60)) {
            throw new IllegalStateException("the 10,000 " + prefix + " names did not resolve everywhere");
        }
        registered.await();
    }
}
