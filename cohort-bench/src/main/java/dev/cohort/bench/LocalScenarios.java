package dev.cohort.bench;

import static dev.cohort.bench.Bench.figure;
import static dev.cohort.bench.Bench.progress;

import dev.cohort.process.From;
import dev.cohort.process.Node;
import dev.cohort.process.Pid;
import dev.cohort.process.ProcessContext;
import dev.cohort.server.GenServer;
import dev.cohort.server.Next;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The single-node scenarios of the benchmark issue:
 * <ul>
 *   <li>S3: spawn 1,000,000 idle processes, each blocked in receive; time and bytes each
 *       (heap growth after a full GC, divided by the count).</li>
 *   <li>S4: ping-pong round trips between two processes; fan-in of 1,000 senders x 1,000
 *       messages into one receiver; GenServer call latency (p50, p99) over 100,000 calls.</li>
 * </ul>
 * Options: {@code --processes N} (S3), {@code --roundtrips N}, {@code --calls N}, {@code --runs N}
 * (S4 figures are the best of N runs after a warm-up; default 3).
 */
final class LocalScenarios {
    private LocalScenarios() {}

    static void run(String[] args) throws Exception {
        int processes = intArg(args, "--processes", 1_000_000);
        int roundTrips = intArg(args, "--roundtrips", 1_000_000);
        int calls = intArg(args, "--calls", 100_000);
        int runs = intArg(args, "--runs", 3);
        progress("machine: " + Runtime.getRuntime().availableProcessors() + " cores, java " + Runtime.version()
                + ", max heap " + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB");
        spawn(processes);
        figure("S4", "pingpong_roundtrips_per_s", Math.round(pingPong(BARE, roundTrips, runs)), "roundtrips/s");
        figure("S4", "fanin_msgs_per_s", Math.round(fanIn(BARE, 1_000, 1_000, runs)), "msgs/s");
        long[] call = callLatency(BARE, calls, runs);
        figure("S4", "call_p50_us", call[0] / 1000.0, "us");
        figure("S4", "call_p99_us", call[1] / 1000.0, "us");
    }

    /** A node to run one S4 measurement on, and what to close after it. */
    record Env(Node node, AutoCloseable close) {
        void shutdown() throws Exception {
            if (close != null) close.close();
            else node.shutdown(Duration.ofSeconds(10));
        }
    }

    /** Where S4 runs by default: a plain local node. */
    static final java.util.concurrent.Callable<Env> BARE = () -> new Env(Node.builder().name("bench@127.0.0.1").build(), null);

    private static int intArg(String[] args, String name, int dflt) {
        for (int i = 0; i + 1 < args.length; i++) if (args[i].equals(name)) return Integer.parseInt(args[i + 1].replace("_", ""));
        return dflt;
    }

    private static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) System.gc();
        var mem = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        return mem.getUsed();
    }

    // ------------------------------------------------------------------ S3

    static void spawn(int n) throws Exception {
        Node node = Node.builder().name("bench@127.0.0.1").build();
        // warm-up: spawn and stop a batch so the receive path is compiled before measuring
        // (a process parked in interpreted frames has a larger stack)
        spawnIdle(node, 200_000).countDown();
        node.shutdown(Duration.ofSeconds(30));
        long before = usedHeapAfterGc();
        progress("S3: spawning " + n + " idle processes");
        long t0 = System.nanoTime();
        CountDownLatch release = spawnIdle(node, n);
        long elapsed = System.nanoTime() - t0;
        long after = usedHeapAfterGc();
        figure("S3", "spawn_ms", elapsed / 1e6, "ms");
        figure("S3", "bytes_per_process", (after - before) / (double) n, "B");
        if (node.processCount() < n) throw new IllegalStateException("only " + node.processCount() + " processes alive");
        release.countDown();
        node.shutdown(Duration.ofMinutes(2));
        usedHeapAfterGc(); // leave no garbage from S3 for the S4 figures to pay for
    }

    /**
     * Spawns n processes from one process (as the BEAM figure is measured: a process spawns
     * them) and returns once every one has started its receive.
     */
    private static CountDownLatch spawnIdle(Node node, int n) throws InterruptedException {
        LongAdder waiting = new LongAdder();
        CountDownLatch release = new CountDownLatch(1);
        node.spawn(spawner -> {
            for (int i = 0; i < n; i++) {
                spawner.spawn(self -> {
                    waiting.increment();
                    self.receive();
                });
            }
        });
        // every body has started (and is at, or about to enter, its receive)
        while (waiting.sum() < n) Thread.sleep(1);
        return release;
    }

    // ------------------------------------------------------------------ S4

    /** Round trips per second, the best of {@code runs} after a warm-up. */
    static double pingPong(java.util.concurrent.Callable<Env> envs, int roundTrips, int runs) throws Exception {
        return pingPong(envs, roundTrips, runs, true);
    }

    static double pingPong(java.util.concurrent.Callable<Env> envs, int roundTrips, int runs, boolean warmUp) throws Exception {
        double best = 0;
        for (int r = warmUp ? -1 : 0; r < runs; r++) {
            Env env = envs.call();
            Node node = env.node();
            int count = r < 0 ? roundTrips / 10 : roundTrips;
            CompletableFuture<Long> done = new CompletableFuture<>();
            Pid ponger = node.spawn(self -> {
                for (;;) {
                    Pid from = (Pid) self.receive();
                    self.send(from, self.self());
                }
            });
            node.spawn(self -> {
                long t0 = System.nanoTime();
                Pid me = self.self();
                for (int i = 0; i < count; i++) {
                    self.send(ponger, me);
                    self.receive();
                }
                done.complete(System.nanoTime() - t0);
            });
            long nanos = done.get(5, TimeUnit.MINUTES);
            if (r >= 0) best = Math.max(best, count / (nanos / 1e9));
            env.shutdown();
        }
        return best;
    }

    /** Messages per second into one receiver, the best of {@code runs} after a warm-up. */
    static double fanIn(java.util.concurrent.Callable<Env> envs, int senders, int perSender, int runs) throws Exception {
        return fanIn(envs, senders, perSender, runs, true);
    }

    static double fanIn(java.util.concurrent.Callable<Env> envs, int senders, int perSender, int runs, boolean warmUp) throws Exception {
        double best = 0;
        long total = (long) senders * perSender;
        for (int r = warmUp ? -1 : 0; r < runs; r++) {
            Env env = envs.call();
            Node node = env.node();
            CompletableFuture<Long> done = new CompletableFuture<>();
            CountDownLatch ready = new CountDownLatch(senders);
            CountDownLatch go = new CountDownLatch(1);
            long[] start = new long[1];
            Pid sink = node.spawn(self -> {
                for (long i = 0; i < total; i++) self.receive();
                done.complete(System.nanoTime() - start[0]);
            });
            for (int s = 0; s < senders; s++) {
                node.spawn(self -> {
                    Integer msg = 1;
                    ready.countDown();
                    go.await();
                    for (int i = 0; i < perSender; i++) self.send(sink, msg);
                });
            }
            ready.await();
            start[0] = System.nanoTime();
            go.countDown();
            long nanos = done.get(5, TimeUnit.MINUTES);
            if (r >= 0) best = Math.max(best, total / (nanos / 1e9));
            env.shutdown();
        }
        return best;
    }

    /** Call latency {p50, p99} in nanoseconds, the best of {@code runs} after a warm-up. */
    static long[] callLatency(java.util.concurrent.Callable<Env> envs, int calls, int runs) throws Exception {
        return callLatency(envs, calls, runs, true);
    }

    static long[] callLatency(java.util.concurrent.Callable<Env> envs, int calls, int runs, boolean warmUp) throws Exception {
        long bestP50 = Long.MAX_VALUE, bestP99 = Long.MAX_VALUE;
        for (int r = warmUp ? -1 : 0; r < runs; r++) {
            Env env = envs.call();
            Node node = env.node();
            Pid server = GenServer.start(node, new GenServer<Long>() {
                @Override public Next<Long> init(ProcessContext self) { return Next.ok(0L); }
                @Override public Next<Long> handleCall(Object request, From from, Long n) { return Next.reply(n, n + 1); }
            });
            int count = r < 0 ? calls / 2 : calls;
            CompletableFuture<long[]> done = new CompletableFuture<>();
            node.spawn(self -> {
                long[] lat = new long[count];
                for (int i = 0; i < count; i++) {
                    long t0 = System.nanoTime();
                    self.call(server, "get");
                    lat[i] = System.nanoTime() - t0;
                }
                done.complete(lat);
            });
            long[] lat = done.get(5, TimeUnit.MINUTES);
            Arrays.sort(lat);
            if (r >= 0) {
                bestP50 = Math.min(bestP50, lat[(int) (count * 0.50)]);
                bestP99 = Math.min(bestP99, lat[(int) (count * 0.99)]);
            }
            env.shutdown();
        }
        return new long[] {bestP50, bestP99};
    }
}
