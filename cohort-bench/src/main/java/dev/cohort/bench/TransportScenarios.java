package dev.cohort.bench;

import static dev.cohort.bench.Bench.figure;
import static dev.cohort.bench.Bench.progress;
import static dev.cohort.bench.NodeProcesses.freePort;

import dev.cohort.cluster.ClusterNode;
import dev.cohort.cluster.NodeMain;
import dev.cohort.cluster.wire.ForySerializer;
import dev.cohort.process.Down;
import dev.cohort.process.Pid;
import dev.cohort.process.Ref;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * N1 of the benchmark issue: two nodes as separate OS processes on 127.0.0.1 over JGroups TCP.
 * This JVM is one node; the other is a {@link NodeMain} process (its counter and echo
 * processes answer). Figures: remote ping-pong (one pair, then {@value #PAIRS} pairs at once), remote
 * GenServer call p50/p99, and node-down detection (kill -9 to Down, median of 5).
 */
final class TransportScenarios {
    private TransportScenarios() {}

    /** Concurrent ping-pong pairs for the headline figure. */
    static final int PAIRS = 64;

    static void run(String[] args) throws Exception {
        int roundTrips = 20_000, calls = 20_000;
        int driverPort = freePort();
        ClusterNode driver = ClusterNode.start("bench@127.0.0.1", driverPort, List.of(), "bench-cookie", ForySerializer.builder().build());
        try {
            String name = "remote@127.0.0.1";
            NodeProcesses.NodeProcess remote = NodeProcesses.start(NodeMain.class, List.of("-Xmx512m"), name, freePort(), driverPort);
            Pid echo = remote.pidOf("ECHO");
            Pid counter = remote.pidOf("COUNTER");
            awaitConnected(driver, name);
            progress("N1: two nodes connected");

            // warm both JVMs up (JIT) on the paths measured below
            for (int i = 0; i < 3; i++) {
                pingPong(driver, echo, 20_000, 1);
                pingPong(driver, echo, 100_000, 64);
                callLatency(driver, counter, 20_000);
            }
            progress("N1: warmed up");
            // one pair is bound by latency; many pairs share each batch of frames (the headline figure)
            figure("N1", "remote_pingpong_1pair_roundtrips_per_s", Math.round(pingPong(driver, echo, roundTrips, 1)), "roundtrips/s");
            figure("N1", "remote_pingpong_roundtrips_per_s", Math.round(pingPong(driver, echo, roundTrips * 10, PAIRS)), "roundtrips/s");
            long[] lat = callLatency(driver, counter, calls);
            figure("N1", "remote_call_p50_us", lat[lat.length / 2] / 1000.0, "us");
            figure("N1", "remote_call_p99_us", lat[(int) (lat.length * 0.99)] / 1000.0, "us");
            remote.process().destroyForcibly().waitFor();

            long[] detect = new long[5];
            for (int i = 0; i < detect.length; i++) {
                String victimName = "victim" + i + "@127.0.0.1";
                NodeProcesses.NodeProcess victim = NodeProcesses.start(NodeMain.class, List.of("-Xmx512m"), victimName, freePort(), driverPort);
                Pid target = victim.pidOf("COUNTER");
                awaitConnected(driver, victimName);
                detect[i] = killAndTimeDown(driver, victim, target);
                progress("N1: node-down detected in " + detect[i] / 1_000_000.0 + " ms");
            }
            Arrays.sort(detect);
            figure("N1", "nodedown_detect_ms", detect[detect.length / 2] / 1e6, "ms");
        } finally {
            NodeProcesses.killAll();
            driver.close();
        }
    }

    private static void awaitConnected(ClusterNode driver, String name) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!driver.connectedNodes().contains(name)) {
            if (System.nanoTime() > deadline) throw new IllegalStateException(name + " did not join within 60 s");
            Thread.sleep(10);
        }
    }

    /** {@code pairs} local processes each do {@code roundTrips / pairs} sequential round trips with the remote echo. */
    private static double pingPong(ClusterNode driver, Pid echo, int roundTrips, int pairs) throws Exception {
        int each = roundTrips / pairs;
        List<CompletableFuture<Void>> done = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int p = 0; p < pairs; p++) {
            CompletableFuture<Void> f = new CompletableFuture<>();
            done.add(f);
            driver.node().spawn(self -> {
                for (int i = 0; i < each; i++) {
                    self.send(echo, self.self());
                    self.receive(Pid.class);
                }
                f.complete(null);
            });
        }
        CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
        return (double) each * pairs / ((System.nanoTime() - t0) / 1e9);
    }

    private static long[] callLatency(ClusterNode driver, Pid counter, int calls) throws Exception {
        CompletableFuture<long[]> done = new CompletableFuture<>();
        driver.node().spawn(self -> {
            long[] lat = new long[calls];
            for (int i = 0; i < calls; i++) {
                long t0 = System.nanoTime();
                self.call(counter, "inc");
                lat[i] = System.nanoTime() - t0;
            }
            done.complete(lat);
        });
        long[] lat = done.get(5, TimeUnit.MINUTES);
        Arrays.sort(lat);
        return lat;
    }

    /** Monitors {@code target}, kills its node with SIGKILL, and returns nanoseconds from the kill to the Down. */
    private static long killAndTimeDown(ClusterNode driver, NodeProcesses.NodeProcess victim, Pid target) throws Exception {
        CompletableFuture<Long> downAt = new CompletableFuture<>();
        CompletableFuture<Void> watching = new CompletableFuture<>();
        driver.node().spawn(self -> {
            Ref ref = self.monitor(target);
            self.call(target, "inc"); // the monitor has reached the target before this reply
            watching.complete(null);
            self.receive(Down.class, d -> d.ref().equals(ref), Duration.ofMinutes(2)).orElseThrow();
            downAt.complete(System.nanoTime());
        });
        watching.get(30, TimeUnit.SECONDS);
        long killedAt = System.nanoTime();
        victim.process().destroyForcibly();
        return downAt.get(2, TimeUnit.MINUTES) - killedAt;
    }
}
