package dev.cohort.observer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cohort.cluster.testing.NodeProcess;
import dev.cohort.observer.cli.ObserverNodeMain;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The observer's data endpoints and metrics on three node processes, checked against what the nodes report. */
class ObserverProcessTest {
    static final Duration WAIT = Duration.ofSeconds(60);
    static final String TOKEN = "s3cret-token";
    private ObservedNodes cluster;
    private List<NodeProcess> nodes;
    private List<String> urls;
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stop() {
        if (cluster != null) cluster.close();
    }

    private void start() throws Exception {
        // c stays read-only: no token
        cluster = new ObservedNodes(ObserverNodeMain.class,
                i -> i < 2 ? List.of("--observer-port", "0", "--observer-token", TOKEN) : List.of("--observer-port", "0"), WAIT);
        nodes = cluster.nodes;
        urls = cluster.urls;
    }

    private HttpResponse<String> get(int node, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(urls.get(node) + path)).timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(int node, String path, String auth) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(urls.get(node) + path)).timeout(WAIT).POST(HttpRequest.BodyPublishers.noBody());
        if (auth != null) b.header("Authorization", auth);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static List<String> all(String regex, String body) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile(regex).matcher(body);
        while (m.find()) out.add(m.group(1));
        return out;
    }

    @Test
    void clusterNodeAndProcessesMatchTheRuntimeAndKillsNeedTheToken() throws Exception {
        start();
        for (int i = 0; i < 3; i++) {
            int node = i;
            await().atMost(WAIT).until(() -> all("\"state\":\"(up)\"", get(node, "/api/cluster").body()).size() == 3);
            // every node runs an observer: each row carries that node's own summary
            await().atMost(WAIT).until(() -> all("\"summary\":\\{\"name\":\"([^\"]+)\"", get(node, "/api/cluster").body()).size() == 3);
            assertThat(all("\"name\":\"([^\"]+)\",\"state\"", get(node, "/api/cluster").body()))
                    .containsExactly("a@127.0.0.1", "b@127.0.0.1", "c@127.0.0.1");
            assertThat(get(node, "/api/node").body()).contains("\"name\":\"" + nodes.get(i).name + "\"", "\"discovery\":\"static");
        }

        String spawned = nodes.get(0).ask("SPAWN worker", "SPAWNED worker ", WAIT).split(" ")[2];
        String found = get(0, "/api/processes?q=worker").body();
        assertThat(all("\"pid\":\"([^\"]+)\"", found)).containsExactly(spawned);
        assertThat(found).contains("\"name\":\"worker\"", "\"mailbox\":0");
        // the process count /api/node reports is the number of processes /api/processes lists
        await().atMost(WAIT).until(() -> {
            String count = all("\"processes\":(\\d+)", get(0, "/api/node").body()).get(0);
            return Integer.parseInt(count) == all("\"pid\":\"([^\"]+)\"", get(0, "/api/processes").body()).size();
        });

        String kill = "/api/processes/" + java.net.URLEncoder.encode(spawned, java.nio.charset.StandardCharsets.UTF_8) + "/kill";
        assertThat(post(0, kill, null).statusCode()).isEqualTo(403);
        assertThat(post(0, kill, "Bearer wrong-token").statusCode()).isEqualTo(403);
        assertThat(post(2, kill, "Bearer " + TOKEN).body()).contains("read-only");
        assertThat(post(0, "/api/processes/%3Cnobody.1.2%3E/kill", "Bearer " + TOKEN).statusCode()).isEqualTo(404);
        assertThat(get(0, "/api/processes?q=worker").body()).contains(spawned); // nothing killed so far
        HttpResponse<String> killed = post(0, kill, "Bearer " + TOKEN);
        assertThat(killed.statusCode()).isEqualTo(200);
        assertThat(killed.body()).contains(spawned);
        await().atMost(WAIT).until(() -> all("\"pid\":\"([^\"]+)\"", get(0, "/api/processes?q=worker").body()).isEmpty());
        assertThat(get(0, "/no/such/page").statusCode()).isEqualTo(404);
        assertThat(get(0, "/api/panels").body()).isEqualTo("{\"panels\":[]}");
        // odd input: answered, never a crash
        assertThat(get(0, "/api/processes?q=%00%FF" + "x".repeat(5_000)).statusCode()).isEqualTo(200);
        assertThat(post(0, "/api/processes/%25%00/kill", "Bearer " + TOKEN).statusCode()).isBetween(400, 404);
        assertThat(get(0, "/api/node").statusCode()).isEqualTo(200);

        // a node killed: the others show it down
        nodes.get(2).kill9();
        await().atMost(WAIT).until(() -> get(0, "/api/cluster").body().contains("{\"name\":\"c@127.0.0.1\",\"state\":\"down\""));
    }

    /** The page is served, and an open WebSocket receives a snapshot of node, cluster and processes. */
    @Test
    void thePageGetsLiveSnapshotsOverTheWebSocket() throws Exception {
        start();
        assertThat(get(1, "/").body()).contains("<title>Cohort observer</title>", "new WebSocket");
        java.util.concurrent.CompletableFuture<String> first = new java.util.concurrent.CompletableFuture<>();
        StringBuilder partial = new StringBuilder();
        var ws = http.newWebSocketBuilder().buildAsync(URI.create(urls.get(1).replace("http://", "ws://") + "/ws"), new java.net.http.WebSocket.Listener() {
            @Override
            public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket w, CharSequence data, boolean last) {
                partial.append(data);
                if (last) first.complete(partial.toString());
                w.request(1);
                return null;
            }
        }).get(30, java.util.concurrent.TimeUnit.SECONDS);
        String snapshot = first.get(30, java.util.concurrent.TimeUnit.SECONDS);
        ws.abort();
        assertThat(snapshot).startsWith("{\"node\":{\"name\":\"b@127.0.0.1\"").contains("\"cluster\":{\"self\":\"b@127.0.0.1\"", "\"processes\":{\"node\":");
    }

    /** The Prometheus endpoint parses as the text format and carries the node's meters with the runtime's values. */
    @Test
    void metricsAreInPrometheusTextFormat() throws Exception {
        start();
        await().atMost(WAIT).until(() -> parse(get(0, "/metrics").body()).getOrDefault("cohort_nodes_connected", -1.0) == 2.0);
        Map<String, Double> m = parse(get(0, "/metrics").body());
        assertThat(m).containsKeys("cohort_processes", "cohort_mailbox_length_max", "cohort_mailbox_length_p99", "cohort_nodes_connected",
                "cohort_frames_total{direction=\"in\",node=\"b@127.0.0.1\"}", "cohort_frames_total{direction=\"out\",node=\"c@127.0.0.1\"}",
                "cohort_frame_bytes_total{direction=\"in\",node=\"c@127.0.0.1\"}",
                "cohort_node_events_total{event=\"up\"}", "cohort_node_events_total{event=\"down\"}");
        assertThat(m.keySet()).anyMatch(k -> k.startsWith("jvm_memory_used_bytes{"));
        assertThat(m.get("cohort_node_events_total{event=\"up\"}")).isGreaterThanOrEqualTo(2);
        String count = all("\"processes\":(\\d+)", get(0, "/api/node").body()).get(0);
        assertThat(m.get("cohort_processes")).isGreaterThan(0).isCloseTo(Double.parseDouble(count), org.assertj.core.data.Offset.offset(2.0));
    }

    private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*(?:\\{(?:[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\]|\\\\.)*\",?)*})?) "
            + "(-?(?:[0-9]+(?:\\.[0-9]*)?(?:[eE][+-]?[0-9]+)?|NaN|\\+Inf|-Inf))(?: -?[0-9]+)?");

    /** A strict parser of the Prometheus text format (0.0.4): every line a comment, a HELP/TYPE line, or a sample. */
    static Map<String, Double> parse(String text) {
        Map<String, Double> out = new HashMap<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty()) continue;
            if (line.startsWith("# HELP ") || line.startsWith("# TYPE ")) {
                String[] f = line.split(" ", 4);
                if (f.length < 4 && line.startsWith("# TYPE ")) throw new AssertionError("bad TYPE line: " + line);
                if (line.startsWith("# TYPE ") && !f[3].matches("counter|gauge|histogram|summary|untyped")) throw new AssertionError("bad type: " + line);
                continue;
            }
            if (line.startsWith("#")) continue;
            Matcher m = SAMPLE.matcher(line);
            if (!m.matches()) throw new AssertionError("not a Prometheus sample line: " + line);
            out.put(m.group(1), Double.parseDouble(m.group(2).replace("+Inf", "Infinity").replace("-Inf", "-Infinity")));
        }
        return out;
    }
}
