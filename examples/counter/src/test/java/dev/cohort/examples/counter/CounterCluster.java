package dev.cohort.examples.counter;

import static org.awaitility.Awaitility.await;

import dev.cohort.cluster.testing.NetworkLab;
import dev.cohort.cluster.testing.NodeProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Counter nodes as OS processes on 127.0.0.1 (free cluster and HTTP ports), or each on its own
 * host of a {@link NetworkLab}, and an HTTP client for them. Closing kills every process.
 */
final class CounterCluster implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(60);
    private static final Pattern READY = Pattern.compile("http://([0-9.]+):(\\d+)/");
    private static final Pattern VISITED = Pattern.compile("User (\\S+) visited site (\\d+) times\\.");
    final List<NodeProcess> nodes = new ArrayList<>();
    final int[] httpPorts;
    final String[] httpHosts;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    CounterCluster(Stage stage, int n, String... extra) throws Exception {
        this(null, stage, n, extra);
    }

    /** {@code n} nodes, on 127.0.0.1 if {@code lab} is null, else node {@code i} on the lab's host {@code i + 1}. */
    CounterCluster(NetworkLab lab, Stage stage, int n, String... extra) throws Exception {
        int[] ports = new int[n];
        String[] hosts = new String[n];
        httpPorts = new int[n];
        httpHosts = new String[n];
        for (int i = 0; i < n; i++) {
            // a lab host has a network stack of its own: every port is free there
            ports[i] = lab == null ? dev.cohort.cluster.Ports.free() : 4370;
            hosts[i] = lab == null ? "127.0.0.1" : lab.address(i + 1);
        }
        StringBuilder seeds = new StringBuilder();
        for (int i = 0; i < n; i++) seeds.append(seeds.isEmpty() ? "" : ",").append(hosts[i]).append(':').append(ports[i]);
        for (int i = 0; i < n; i++) {
            List<String> options = new ArrayList<>(List.of("--stage", stage.label(), "--http-port", "0", "--http-host", hosts[i]));
            if (stage != Stage.SIMPLE) options.addAll(List.of("--seeds", seeds.toString()));
            options.addAll(List.of(extra));
            List<String> prefix = lab == null ? List.of() : lab.inHost(i + 1);
            nodes.add(NodeProcess.startIn(prefix, CounterNodeMain.class, (char) ('a' + i) + "@" + hosts[i], ports[i], "counter", options));
        }
        for (int i = 0; i < n; i++) awaitReady(i);
        if (stage != Stage.SIMPLE) {
            for (NodeProcess p : nodes) await().atMost(WAIT).until(() -> p.lines().stream().filter(l -> l.startsWith("UP ")).count() >= n - 1);
        }
    }

    int indexOf(String node) {
        for (int i = 0; i < nodes.size(); i++) if (nodes.get(i).name.equals(node)) return i;
        throw new IllegalArgumentException(node);
    }

    /** Starts node {@code i} again (same name and cluster port) and waits until it serves. */
    void restart(int i) throws IOException {
        NodeProcess p = nodes.get(i).restart();
        nodes.set(i, p);
        awaitReady(i);
    }

    /**
     * Waits for node {@code i}'s ready line and keeps the HTTP address it bound. Nodes bind port 0
     * (the kernel's choice, taken atomically): a port picked here and bound later could be taken
     * in between by another process's outgoing connection.
     */
    private void awaitReady(int i) {
        String ready = nodes.get(i).awaitLine(l -> l.startsWith("COUNTER READY"), WAIT);
        Matcher m = READY.matcher(ready);
        if (!m.find()) throw new AssertionError("no HTTP address in " + ready);
        httpHosts[i] = m.group(1);
        httpPorts[i] = Integer.parseInt(m.group(2));
    }

    HttpResponse<String> get(int node, String pathAndQuery, String accept) throws Exception {
        return get(node, pathAndQuery, accept, WAIT);
    }

    HttpResponse<String> get(int node, String pathAndQuery, String accept, Duration timeout) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + httpHosts[node] + ":" + httpPorts[node] + pathAndQuery)).timeout(timeout);
        if (accept != null) b.header("Accept", accept);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Visits {@code user} on node {@code i} and returns the count the page shows; fails on anything but 200. */
    long visit(int i, String user) throws Exception {
        return visit(i, user, WAIT);
    }

    /** {@link #visit(int, String)} that fails if no answer came within {@code timeout}. */
    long visit(int i, String user, Duration timeout) throws Exception {
        HttpResponse<String> r = get(i, "/?user_name=" + user, null, timeout);
        if (r.statusCode() != 200) throw new AssertionError("visit of " + user + " on " + nodes.get(i).name + ": " + r.statusCode() + " " + r.body());
        Matcher m = VISITED.matcher(r.body());
        if (!m.find() || !m.group(1).equals(user)) throw new AssertionError("no visit line in " + r.body());
        return Long.parseLong(m.group(2));
    }

    /** The dashboard of node {@code i}, one line per session: {@code NAME: N (node)}. */
    List<String> dashboard(int i) throws Exception {
        String body = get(i, "/", null).body();
        int start = body.indexOf("<pre>"), end = body.indexOf("</pre>");
        if (start < 0) return List.of();
        return List.of(body.substring(start + 5, end).strip().split("\n"));
    }

    /** The node hosting {@code user}'s session, from node {@code i}'s {@code /api/sessions}. */
    String hostOf(int i, String user) throws Exception {
        String body = get(i, "/api/sessions", null).body();
        Matcher m = Pattern.compile("\\{\"user\":\"" + Pattern.quote(user) + "\",\"visits\":-?\\d+,\"node\":\"([^\"]+)\"}").matcher(body);
        if (!m.find()) throw new AssertionError(user + " not in " + body);
        return m.group(1);
    }

    @Override
    public void close() {
        nodes.forEach(NodeProcess::close);
    }
}
