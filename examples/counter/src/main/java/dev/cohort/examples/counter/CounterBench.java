package dev.cohort.examples.counter;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./cohort bench counter}: W1 of the counter issue. Starts the counter's nodes as OS
 * processes and drives {@code GET /?user_name=} over 10,000 users with {@link LoadClient} on
 * loopback (the client shares the machine's cores with the nodes):
 * <ul>
 *   <li>{@code W1 single_node_*}: stage simple, one node;</li>
 *   <li>{@code W1 cluster_*}: stage distributed, three nodes, requests spread over all three (a
 *       session lives on one node, so most requests cross one node hop);</li>
 *   <li>{@code W1 handoff_req_per_s}: stage handoff, three nodes, SQLite write-through.</li>
 * </ul>
 * Each scenario first visits every user once (which starts the 10,000 sessions; its rate is
 * printed as {@code W1 STAGE_first_visits_per_s}), then warms up until the JIT is quiet (in 5 s
 * chunks, at least 30 s, {@code -Dcohort.bench.warmup}, at most 180 s, {@code
 * -Dcohort.bench.warmupMax}: three young node JVMs on two cores compile for 30 to 40 s, during
 * which the figures measure the compilers; one node is quiet by 15 s but its rate still moves,
 * 18 to 25 k req/s, until ~25 s) and measures 10 s of visits to uniformly random users.
 * Prints {@code scenario figure value unit} lines; {@code ./cohort bench counter single|cluster|handoff} runs one.
 */
public final class CounterBench {
    private static final List<Process> STARTED = new CopyOnWriteArrayList<>();
    private static final int USERS = Integer.getInteger("cohort.bench.users", 10_000), CONNECTIONS = Integer.getInteger("cohort.bench.connections", 32);
    /**
     * Carrier threads per node JVM (virtual-thread scheduler parallelism), {@code
     * -Dcohort.bench.carriers}; default: the cores. One carrier for one node, paired run for run
     * with two: 21.4, 23.4, 22.1 k req/s against 23.2, 23.7, 20.5 k (perf had shown a quarter of
     * the CPU in two carriers parking and waking each other, but one carrier leaves the other
     * core partly idle). Three nodes with one carrier each: 10.0 k req/s, as with two.
     */
    private static final String CARRIERS = System.getProperty("cohort.bench.carriers",
            String.valueOf(Runtime.getRuntime().availableProcessors()));
    /**
     * The load client: {@code wrk} (Debian's, a C program: the figures then show the nodes, not a
     * second JVM competing for the two cores) when it is on the PATH, else {@link LoadClient};
     * {@code -Dcohort.bench.client=java|wrk} chooses.
     */
    private static final String CLIENT = System.getProperty("cohort.bench.client", Wrk.available() ? "wrk" : "java");
    /**
     * The node JVMs' collector, {@code -Dcohort.bench.gc}. Default: Shenandoah for one node (G1's
     * young pauses, 12-25 ms with 10,000 session processes whose state and stacks change between
     * collections, set the p99; ZGC gave 17.6-21.3 k req/s against Shenandoah's 20.8-23.0 k), G1 for
     * three (a concurrent collector's threads in three JVMs on two cores cost a third of the
     * throughput: ZGC 2.0 k against 5-6 k req/s, measured with the old 15 s warm-up).
     */
    private static String gc(int nodes) {
        return System.getProperty("cohort.bench.gc", nodes == 1 ? "-XX:+UseShenandoahGC" : "-XX:+UseG1GC");
    }

    /**
     * Whether the node JVMs back their heap with transparent huge pages, {@code
     * -Dcohort.bench.thp} (default true; where the kernel offers none the JVM warns and goes on
     * without). On this 2-core VM it set the one-node p99: 3.7-5.7 ms with huge pages against
     * 10-16 ms without, at the same request rate. The VM's kernel samples page access bits (its
     * {@code kdamond} thread runs all the time), a cost that grows with the 4 KB pages a heap
     * spans and that huge pages divide by 512; Epsilon (no collector at all) over a 14 GB heap
     * gave a p99 of 30-33 ms, so the tail followed the memory touched, not the collector.
     */
    private static final boolean THP = Boolean.parseBoolean(System.getProperty("cohort.bench.thp", "true"));

    /** Each node JVM's heap, {@code -Dcohort.bench.heap}. */
    private static final String HEAP = System.getProperty("cohort.bench.heap", "1g");
    private static final Duration WARMUP = Duration.ofSeconds(Long.getLong("cohort.bench.warmup", 30)), MEASURE = Duration.ofSeconds(10);
    /** The most warm-up with wrk, {@code -Dcohort.bench.warmupMax} seconds, and its chunks. */
    private static final Duration WARMUP_MAX = Duration.ofSeconds(Long.getLong("cohort.bench.warmupMax", 180)), WARM_CHUNK = Duration.ofSeconds(5);
    /** A warm-up chunk in which the node JVMs compiled for at most this long ends the warm-up. */
    private static final long QUIET_JIT_MS = Long.getLong("cohort.bench.quietJitMs", 150);

    private CounterBench() {}

    public static void main(String[] args) throws Exception {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> STARTED.forEach(Process::destroyForcibly)));
        if (args.length > 1 && args[0].equals("load")) { // drive running nodes: load PORT [PORT...]
            List<Integer> ports = new ArrayList<>();
            for (int i = 1; i < args.length; i++) ports.add(Integer.parseInt(args[i]));
            System.out.println("W1 first_visits_per_s " + Math.round(LoadClient.firstVisits(ports, CONNECTIONS, USERS)) + " req/s");
            LoadClient.Result r = LoadClient.run(ports, CONNECTIONS, USERS, WARMUP, MEASURE);
            figure("req_per_s", r.requestsPerSecond(), "req/s");
            figure("p99_ms", r.p99Ms(), "ms");
            System.exit(0);
        }
        List<String> which = args.length > 0 ? List.of(args) : List.of("single", "cluster", "handoff");
        System.out.println("W1 client_" + CLIENT + " 1 client");
        for (String w : which) {
            switch (w) {
                case "single" -> {
                    LoadClient.Result r = scenario(Stage.SIMPLE, 1);
                    figure("single_node_req_per_s", r.requestsPerSecond(), "req/s");
                    figure("single_node_p99_ms", r.p99Ms(), "ms");
                    figure("single_node_errors", r.errors(), "requests");
                }
                case "cluster" -> {
                    LoadClient.Result r = scenario(Stage.DISTRIBUTED, 3);
                    figure("cluster_req_per_s", r.requestsPerSecond(), "req/s");
                    figure("cluster_p99_ms", r.p99Ms(), "ms");
                    figure("cluster_errors", r.errors(), "requests");
                }
                case "handoff" -> {
                    LoadClient.Result r = scenario(Stage.HANDOFF, 3);
                    figure("handoff_req_per_s", r.requestsPerSecond(), "req/s");
                    figure("handoff_p99_ms", r.p99Ms(), "ms");
                    figure("handoff_errors", r.errors(), "requests");
                }
                default -> {
                    System.err.println("unknown scenario " + w + " (single, cluster, handoff)");
                    System.exit(2);
                }
            }
        }
        System.exit(0);
    }

    private static LoadClient.Result scenario(Stage stage, int n) throws Exception {
        System.err.println("# " + stage.label() + ": " + n + " node(s), " + CONNECTIONS + " connections, " + USERS + " users, client " + CLIENT + ", " + gc(n)
                + ", " + CARRIERS + " carrier(s)" + (THP ? ", transparent huge pages" : ""));
        Path dir = Files.createTempDirectory("cohort-bench-counter");
        int[] ports = new int[n], http = new int[n];
        for (int i = 0; i < n; i++) {
            ports[i] = freePort();
            http[i] = freePort();
        }
        StringBuilder seeds = new StringBuilder();
        for (int p : ports) seeds.append(seeds.isEmpty() ? "" : ",").append("127.0.0.1:").append(p);
        List<Process> nodes = new ArrayList<>();
        List<List<String>> outputs = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                        "--sun-misc-unsafe-memory-access=allow", "--enable-native-access=ALL-UNNAMED", "-Xms" + HEAP, "-Xmx" + HEAP, gc(n),
                        "-Djdk.virtualThreadScheduler.parallelism=" + CARRIERS, THP ? "-XX:+UseTransparentHugePages" : "-XX:-UseTransparentHugePages",
                        "-cp", System.getProperty("java.class.path"), CounterApp.class.getName(), "node", "--stage", stage.label(),
                        "--name", (char) ('a' + i) + "@127.0.0.1", "--port", String.valueOf(ports[i]), "--http-port", String.valueOf(http[i]),
                        "--seeds", seeds.toString(), "--store", "sqlite:" + dir.resolve("counter.db")));
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
                STARTED.add(p);
                nodes.add(p);
                List<String> lines = new CopyOnWriteArrayList<>();
                outputs.add(lines);
                Thread.ofVirtual().start(() -> {
                    try (var r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                        for (String l; (l = r.readLine()) != null; ) lines.add(l);
                    } catch (Exception ignored) {
                        // the node ended
                    }
                });
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            for (int i = 0; i < n; i++) {
                List<String> lines = outputs.get(i);
                while (lines.stream().noneMatch(l -> l.startsWith("COUNTER READY"))
                        || lines.stream().filter(l -> l.startsWith("UP ")).count() < n - 1) {
                    if (System.nanoTime() > deadline || !nodes.get(i).isAlive()) throw new IllegalStateException("node did not come up: " + lines);
                    Thread.sleep(20); // a launcher polling another process's output
                }
            }
            List<Integer> httpPorts = new ArrayList<>();
            for (int p : http) httpPorts.add(p);
            double first = LoadClient.firstVisits(httpPorts, CONNECTIONS, USERS);
            System.out.println("W1 " + stage.label() + "_first_visits_per_s " + Math.round(first) + " req/s");
            if (CLIENT.equals("wrk")) {
                warmUp(nodes, httpPorts);
                return Wrk.run(httpPorts, CONNECTIONS, USERS, MEASURE);
            }
            return LoadClient.run(httpPorts, CONNECTIONS, USERS, WARMUP, MEASURE);
        } finally {
            for (Process p : nodes) p.destroyForcibly();
            for (Process p : nodes) p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /**
     * Load, not counted, in chunks of {@link #WARM_CHUNK}: at least {@link #WARMUP}, then until a
     * chunk in which the node JVMs together compiled for at most {@link #QUIET_JIT_MS}, at most
     * {@link #WARMUP_MAX} in all.
     */
    private static void warmUp(List<Process> nodes, List<Integer> httpPorts) throws Exception {
        try (JitActivity jit = JitActivity.of(nodes.stream().map(Process::pid).toList())) {
            long before = jit.totalMillis();
            Duration warmed = Duration.ZERO;
            while (true) {
                LoadClient.Result r = Wrk.run(httpPorts, CONNECTIONS, USERS, WARM_CHUNK);
                warmed = warmed.plus(WARM_CHUNK);
                long now = jit.totalMillis();
                System.err.printf("# warm-up %d s: %.0f req/s, the JIT compiled for %d ms in the node JVMs%n",
                        warmed.toSeconds(), r.requestsPerSecond(), now - before);
                boolean quiet = now - before <= QUIET_JIT_MS;
                before = now;
                if (warmed.compareTo(WARMUP_MAX) >= 0 || (quiet && warmed.compareTo(WARMUP) >= 0)) return;
            }
        }
    }

    private static void figure(String name, double value, String unit) {
        String v = value == Math.rint(value) ? String.valueOf((long) value) : String.format("%.2f", value);
        System.out.println("W1 " + name + " " + v + " " + unit);
        System.out.flush();
    }

    private static int freePort() throws Exception {
        java.util.Random r = new java.util.Random();
        for (int attempt = 0; attempt < 1_000; attempt++) {
            int port = 20_000 + r.nextInt(12_000);
            try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
                return port;
            } catch (java.io.IOException taken) {
                // in use: try another
            }
        }
        throw new IllegalStateException("no free port found between 20000 and 32000");
    }
}
