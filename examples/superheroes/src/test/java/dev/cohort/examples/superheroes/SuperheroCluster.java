package dev.cohort.examples.superheroes;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.awaitility.Awaitility;

/**
 * The superhero cluster as real OS processes ({@code Superheroes city ...} and
 * {@code Superheroes dispatch ...}) on free ports of 127.0.0.1, with short ticks, for tests.
 * Every process is killed when the cluster is closed, and when the test JVM exits.
 */
final class SuperheroCluster implements AutoCloseable {
    private static final List<Process> ALL = new CopyOnWriteArrayList<>();
    static final Duration WAIT = Duration.ofSeconds(60);

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> ALL.forEach(Process::destroyForcibly)));
    }

    final int basePort;
    private volatile int httpPort;
    private final List<String> ticks;
    private final Map<String, Process> processes = new ConcurrentHashMap<>();
    private final Map<String, List<String>> output = new ConcurrentHashMap<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    SuperheroCluster(long patrolMs, long fightMs) throws IOException {
        this.basePort = freeBase();
        this.ticks = List.of("--patrol-ms", String.valueOf(patrolMs), "--fight-ms", String.valueOf(fightMs),
                "--gossip-ms", "300", "--poll-ms", "500");
    }

    void startCity(String city) throws IOException {
        start(city, List.of("city", "--city", city));
        awaitLine(city, l -> l.startsWith("CITY " + city + " is up"));
    }

    void startDispatch() throws IOException {
        // port 0: the kernel picks and binds in one step, so no other process can take it in between
        start("dispatch", List.of("dispatch", "--http-port", "0"));
        String line = awaitLine("dispatch", l -> l.startsWith("DISPATCH web page on"));
        httpPort = Integer.parseInt(line.substring(line.lastIndexOf(':') + 1, line.length() - 1));
    }

    String url() { return "http://127.0.0.1:" + httpPort + "/"; }

    private void start(String name, List<String> args) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dcohort.test.log=INFO", "--sun-misc-unsafe-memory-access=allow", "-cp", cp, Superheroes.class.getName()));
        cmd.addAll(args);
        cmd.addAll(List.of("--host", "127.0.0.1", "--base-port", String.valueOf(basePort)));
        cmd.addAll(ticks);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("COHORT_COOKIE", "test-cookie");
        Process p = pb.start();
        ALL.add(p);
        processes.put(name, p);
        List<String> lines = new CopyOnWriteArrayList<>();
        output.put(name, lines);
        Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) lines.add(l);
            } catch (IOException ignored) {
                // ended
            }
        });
    }

    List<String> lines(String name) { return List.copyOf(output.getOrDefault(name, List.of())); }

    long count(String name, Predicate<String> match) { return lines(name).stream().filter(match).count(); }

    /** Waits until process {@code name} printed a line that matches, and returns the first such line. */
    String awaitLine(String name, Predicate<String> match) {
        Process p = processes.get(name);
        try {
            Awaitility.await().atMost(WAIT).until(() -> lines(name).stream().anyMatch(match) || !p.isAlive());
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError(name + " did not print the awaited line; it printed " + lines(name), e);
        }
        return lines(name).stream().filter(match).findFirst().orElseThrow(() -> new AssertionError(name + " ended; it printed " + lines(name)));
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url() + path.replaceFirst("^/", ""))).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url() + path.replaceFirst("^/", ""))).timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The JSON object of one city in {@code GET /api/cities}. */
    String city(String name) throws IOException, InterruptedException {
        String body = get("/api/cities").body();
        int at = body.indexOf("{\"name\":\"" + name + "\"");
        if (at < 0) throw new AssertionError("no " + name + " in " + body);
        return body.substring(at, body.indexOf('}', at) + 1);
    }

    @Override
    public void close() {
        for (Process p : processes.values()) {
            p.destroyForcibly();
            try {
                p.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ALL.remove(p);
        }
    }

    /** A base port with it and the three after it free. */
    private static int freeBase() throws IOException {
        return freeRun(4);
    }

    /**
     * The first of {@code n} consecutive ports free a moment ago, below Linux's ephemeral range
     * (32768 up): a port the kernel hands out as ephemeral may be taken, between the pick and the
     * bind, by an outgoing connection of a node already started.
     */
    private static int freeRun(int n) throws IOException {
        Random r = new Random();
        for (int attempt = 0; attempt < 200; attempt++) {
            int base = 20_000 + r.nextInt(12_000);
            List<ServerSocket> held = new ArrayList<>();
            try {
                for (int i = 0; i < n; i++) held.add(new ServerSocket(base + i, 1, InetAddress.getByName("127.0.0.1")));
                return base;
            } catch (IOException taken) {
                // try another
            } finally {
                for (ServerSocket s : held) s.close();
            }
        }
        throw new IOException("no " + n + " consecutive free ports found");
    }
}
