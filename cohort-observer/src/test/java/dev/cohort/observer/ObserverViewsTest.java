package dev.cohort.observer;

import static dev.cohort.observer.ObserverProcessTest.WAIT;
import static dev.cohort.observer.ObserverProcessTest.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cohort.cluster.testing.NodeProcess;
import dev.cohort.observer.testing.ObservedNodeMain;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The observer's registry, supervisor, replication, tree and process views and its meters on
 * three node processes, each value checked against another source: what the nodes printed, the
 * other nodes' own views, or the process table.
 */
class ObserverViewsTest {
    private ObservedNodes cluster;
    private List<NodeProcess> nodes;
    private List<String> urls;
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stop() {
        if (cluster != null) cluster.close();
    }

    private void start() throws Exception {
        cluster = new ObservedNodes(ObservedNodeMain.class, i -> List.of(), WAIT);
        nodes = cluster.nodes;
        urls = cluster.urls;
        for (int i = 0; i < 3; i++) {
            int node = i;
            await().atMost(WAIT).until(() -> get(node, "/api/supervisors").contains("\"state\":\"alive\",\"children\":0},{\"node\":\"b@127.0.0.1\",\"state\":\"alive\"")
                    && count("\"state\":\"alive\"", get(node, "/api/supervisors")) == 3);
        }
    }

    private String get(int node, String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(urls.get(node) + path)).timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path).isEqualTo(200);
        return r.body();
    }

    private static List<String> all(String regex, String body) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile(regex).matcher(body);
        while (m.find()) out.add(m.group(1));
        return out;
    }

    private static int count(String literal, String body) {
        return body.split(Pattern.quote(literal), -1).length - 1;
    }

    private static int integer(String field, String body) {
        return Integer.parseInt(all("\"" + field + "\":(\\d+)", body).get(0));
    }

    @Test
    void registriesSupervisorsTreeAndProcessesMatchTheRuntime() throws Exception {
        start();
        Map<String, String> started = new HashMap<>(); // child id -> pid printed by the node
        for (int i = 1; i <= 9; i++) {
            String[] line = nodes.get(0).ask("START w" + i, "CHILD w" + i + " ", WAIT).split(" ");
            started.put(line[1], line[2]);
        }
        int[] here = new int[3];
        for (int i = 0; i < 3; i++) {
            int node = i;
            await().atMost(WAIT).until(() -> integer("entries", get(node, "/api/registries")) == 9
                    && integer("children_cluster", get(node, "/api/supervisors")) == 9);
            String registries = get(i, "/api/registries");
            assertThat(registries).contains("\"name\":\"bench\"", "\"conflicts_resolved\":0");
            String supervisors = get(i, "/api/supervisors");
            here[i] = integer("children_here", supervisors);
            // each worker registers itself: a node holds as many names as it runs children
            assertThat(integer("entries_here", registries)).isEqualTo(here[i]);
            // the workers this node runs, by the process table (names come from the registry) and by the tree
            List<String> listed = all("\"pid\":\"([^\"]+)\",\"name\":\"w\\d\"", get(i, "/api/processes?q=w&limit=1000"));
            assertThat(listed).hasSize(here[i]);
            String tree = get(i, "/api/tree");
            for (String pid : listed) assertThat(tree).contains("\"pid\":\"" + pid + "\"");
            for (var e : started.entrySet()) {
                boolean local = e.getValue().startsWith("<" + nodes.get(i).name + ".");
                assertThat(listed.contains(e.getValue())).as(e.getKey()).isEqualTo(local);
            }
            // the local supervisor's tree: local.sup over echo
            assertThat(tree).containsPattern("\"name\":\"local.sup\",\"label\":\"supervisor\",\"total_children\":1,\"children\":\\[\\{\"pid\":\"[^\"]+\",\"id\":\"echo\",\"name\":\"echo\"");
            assertThat(tree).contains("\"label\":\"distributed_supervisor workers\",\"total_children\":" + here[i]);
        }
        assertThat(here[0] + here[1] + here[2]).isEqualTo(9);
        // every node agrees on the children per member, and the balance follows from them
        for (int i = 0; i < 3; i++) {
            String supervisors = get(i, "/api/supervisors");
            int most = 0;
            for (int j = 0; j < 3; j++) {
                assertThat(supervisors).contains("{\"node\":\"" + nodes.get(j).name + "\",\"state\":\"alive\",\"children\":" + here[j] + "}");
                most = Math.max(most, here[j]);
            }
            assertThat(supervisors).contains(String.format(java.util.Locale.ROOT, "\"balance\":%.2f", most / 3.0));
        }

        // a server's row: its label, calls taken, its rate between two looks, a current function, a memory estimate
        String before = get(1, "/api/processes?q=echo");
        assertThat(before).contains("\"name\":\"echo\",\"label\":\"ObservedNodeMain$Echo\"");
        int taken = integer("messages_received", before);
        nodes.get(1).ask("CALLS 200", "CALLED 200", WAIT);
        String after = get(1, "/api/processes?q=echo");
        assertThat(integer("messages_received", after)).isEqualTo(taken + 200);
        assertThat(Double.parseDouble(all("\"messages_per_s\":([0-9.]+)", after).get(0))).isPositive();
        assertThat(after).containsPattern("\"current_function\":\"ServerLoop\\.[a-zA-Z]+:\\d+\"").containsPattern("\"memory_bytes\":\\d{3,}");
        // the table says how many matched when it lists fewer
        String limited = get(0, "/api/processes?limit=2");
        assertThat(all("\"pid\":\"([^\"]+)\"", limited)).hasSize(2);
        assertThat(integer("matched", limited)).isGreaterThan(2);
        HttpResponse<String> bad = http.send(HttpRequest.newBuilder(URI.create(urls.get(0) + "/api/processes?limit=zero")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(bad.statusCode()).isEqualTo(400);

        // meters: the calls just made, a restart, and the registry and supervisor figures
        nodes.get(1).ask("CRASH", "CRASHED ", WAIT);
        await().atMost(WAIT).until(() -> parse(get(1, "/metrics")).getOrDefault("cohort_supervisor_restarts_total", 0.0) >= 1);
        Map<String, Double> m = parse(get(1, "/metrics"));
        // one call in 16 of each process is timed; the fixture's calls come from outside any process: all are
        assertThat(m.get("cohort_call_duration_seconds_count{scope=\"local\"}")).isGreaterThanOrEqualTo(200);
        assertThat(m.get("cohort_call_duration_seconds_sum{scope=\"local\"}")).isPositive();
        assertThat(m).containsKey("cohort_call_duration_seconds_count{scope=\"remote\"}");
        assertThat(m.get("cohort_registry_entries{registry=\"bench\"}")).isEqualTo(9.0);
        assertThat(m.get("cohort_registry_conflicts_resolved_total{registry=\"bench\"}")).isEqualTo(0.0);
        assertThat(m.get("cohort_supervisor_members{state=\"alive\",supervisor=\"workers\"}")).isEqualTo(3.0);
        assertThat(m.get("cohort_supervisor_members{state=\"leaving\",supervisor=\"workers\"}")).isEqualTo(0.0);
        for (int j = 0; j < 3; j++) {
            assertThat(m.get("cohort_supervisor_children{member=\"" + nodes.get(j).name + "\",supervisor=\"workers\"}")).isEqualTo((double) here[j]);
        }
    }

    @Test
    void replicationShowsSyncsPerNeighbourAndTheUpdateReachOnceAPageIsOpen() throws Exception {
        start();
        nodes.get(0).ask("START r1", "CHILD r1 ", WAIT);
        for (String map : List.of("registry bench", "supervisor workers")) {
            await().atMost(WAIT).until(() -> {
                String rep = get(0, "/api/replication");
                Matcher one = Pattern.compile("\\{\"map\":\"" + map + "\",\"entries\":\\d+[^\\[]*\\[(.*?)]}").matcher(rep);
                if (!one.find()) return false;
                // both neighbours, each synced at least once (syncs run every 500 ms by default)
                return all("\"node\":\"([^\"]+)\",\"last_sync_ms\":\\d+", one.group(1)).size() == 2;
            });
        }
        Map<String, Double> m = parse(get(0, "/metrics"));
        // every meter the observer promises, in one scrape
        assertThat(m).containsKeys("cohort_processes", "cohort_mailbox_length_max", "cohort_mailbox_length_p99",
                "cohort_frames_total{direction=\"in\",node=\"b@127.0.0.1\"}", "cohort_frames_total{direction=\"out\",node=\"c@127.0.0.1\"}",
                "cohort_call_duration_seconds_count{scope=\"local\"}", "cohort_call_duration_seconds_count{scope=\"remote\"}",
                "cohort_supervisor_restarts_total", "cohort_node_events_total{event=\"up\"}", "cohort_node_events_total{event=\"down\"}",
                "cohort_node_events_total{event=\"suspected\"}", "cohort_registry_entries{registry=\"bench\"}",
                "cohort_registry_conflicts_resolved_total{registry=\"bench\"}", "cohort_replication_update_reach_seconds",
                "cohort_supervisor_children{member=\"a@127.0.0.1\",supervisor=\"workers\"}");
        for (String n : List.of("b@127.0.0.1", "c@127.0.0.1")) {
            String tags = "{map=\"supervisor workers\",neighbour=\"" + n + "\"}";
            assertThat(m.get("cohort_replication_sync_lag_seconds" + tags)).isBetween(0.0, 60.0);
            assertThat(m.get("cohort_replication_deltas_in_flight" + tags)).isGreaterThanOrEqualTo(0.0);
        }
        // no page open: no probe written, no point
        assertThat(get(0, "/api/replication")).endsWith("\"update_reach\":[]}");
        assertThat(m.get("cohort_replication_update_reach_seconds")).isNaN();

        var ws = http.newWebSocketBuilder().buildAsync(URI.create(urls.get(0).replace("http://", "ws://") + "/ws"),
                new java.net.http.WebSocket.Listener() {}).get(30, java.util.concurrent.TimeUnit.SECONDS);
        try {
            // the two other observers report the probe: points complete with both nodes
            await().atMost(WAIT).until(() -> !all("\"reach_ms\":([0-9.]+),\"nodes\":2", get(0, "/api/replication")).isEmpty());
            await().atMost(WAIT).until(() -> parse(get(0, "/metrics")).get("cohort_replication_update_reach_seconds") > 0);
        } finally {
            ws.abort();
        }
    }

    @Test
    void aNodeHandingItsChildrenOverIsLeaving() throws Exception {
        start();
        String pid = nodes.get(0).ask("SLOW s1", "CHILD s1 ", WAIT).split(" ")[2];
        int host = -1;
        for (int i = 0; i < 3; i++) if (pid.startsWith("<" + nodes.get(i).name + ".")) host = i;
        int other = (host + 1) % 3;
        String name = nodes.get(host).name;
        assertThat(get(other, "/api/cluster")).contains("{\"name\":\"" + name + "\",\"state\":\"up\"");
        nodes.get(host).command("LEAVE");
        // the child takes three seconds to stop: meanwhile its node is leaving, as every member sees it
        await().atMost(WAIT).pollInterval(java.time.Duration.ofMillis(50))
                .until(() -> get(other, "/api/cluster").contains("{\"name\":\"" + name + "\",\"state\":\"leaving\""));
        assertThat(get(other, "/api/supervisors")).contains("{\"node\":\"" + name + "\",\"state\":\"leaving\"");
        nodes.get(host).awaitLine(l -> l.equals("LEFT true"), WAIT);
        // after the hand-over the member is gone; the node itself stays up
        await().atMost(WAIT).until(() -> get(other, "/api/cluster").contains("{\"name\":\"" + name + "\",\"state\":\"up\""));
    }

    @Test
    void aStoppedNodeIsSuspectedThenDown() throws Exception {
        start();
        assertThat(parse(get(0, "/metrics"))).containsKey("cohort_node_events_total{event=\"suspected\"}");
        nodes.get(2).signal("STOP"); // alive, silent: the failure detector suspects it
        try {
            // JGroups raises a suspicion on the member that would coordinate without the suspect: a or b
            await().atMost(WAIT).until(() -> parse(get(0, "/metrics")).get("cohort_node_events_total{event=\"suspected\"}")
                    + parse(get(1, "/metrics")).get("cohort_node_events_total{event=\"suspected\"}") >= 1);
            await().atMost(WAIT).until(() -> get(0, "/api/cluster").contains("{\"name\":\"c@127.0.0.1\",\"state\":\"down\""));
        } finally {
            nodes.get(2).signal("CONT");
        }
    }
}
