package dev.cohort.observer;

import dev.cohort.cluster.ClusterNode;
import dev.cohort.process.ExitReason;
import dev.cohort.process.Node;
import dev.cohort.process.Pid;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.websocket.WsContext;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/** The observer's HTTP routes and its push loop (see {@link Observer}). */
final class ObserverWeb {
    /** Longest search text a page may send. */
    private static final int MAX_QUERY = 200;

    /** Everything the routes read. */
    record Observed(ClusterNode cluster, ClusterView view, DistributedViews distributed, List<Replication.Watched> maps, UpdateProbe probe,
                    ProcessTable table, Supplier<Map<Pid, String>> names, List<Observer.Panel> panels, NodeMetrics metrics) {

        Map<Pid, String> allNames() {
            Map<Pid, String> out = new HashMap<>(distributed.names(cluster.name()));
            try {
                names.get().forEach((p, n) -> out.merge(p, n, (a, b) -> a.equals(b) ? a : a + ", " + b));
            } catch (RuntimeException e) {
                // an application's names that fail: show the rest
            }
            return out;
        }
    }

    private ObserverWeb() {}

    static Javalin start(Observed o, io.micrometer.prometheusmetrics.PrometheusMeterRegistry metrics, String host, int port, String token,
                         AtomicBoolean open) {
        Node node = o.cluster().node();
        String page = page();
        Map<WsContext, String> pages = new ConcurrentHashMap<>(); // page -> its search text
        // one snapshot a second to the open pages; nothing at all while no page is open
        Thread.ofVirtual().name("cohort-observer-push").start(() -> {
            while (open.get()) {
                if (!pages.isEmpty()) {
                    o.probe().tick();
                    Map<Pid, String> names = o.allNames();
                    String common = common(o, names);
                    for (var e : pages.entrySet()) {
                        WsContext ws = e.getKey();
                        try {
                            if (ws.session.isOpen()) ws.send(snapshot(common, o, e.getValue(), names));
                            else pages.remove(ws);
                        } catch (RuntimeException ex) {
                            pages.remove(ws);
                        }
                    }
                }
                try {
                    Thread.sleep(1_000); // the page's refresh period
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        return Javalin.create(config -> {
            config.jetty.host = host;
            config.jetty.port = port;
            config.startup.showJavalinBanner = false;
            config.routes.get("/", ctx -> ctx.contentType("text/html; charset=utf-8").result(page));
            config.routes.ws("/ws", ws -> {
                ws.onConnect(ctx -> {
                    Map<Pid, String> names = o.allNames();
                    ctx.send(snapshot(common(o, names), o, "", names)); // a new page shows everything at once
                    pages.put(ctx, "");
                });
                // the page sends its search text; the next snapshots list what matches it
                ws.onMessage(ctx -> {
                    String q = ctx.message();
                    pages.put(ctx, q.length() > MAX_QUERY ? q.substring(0, MAX_QUERY) : q);
                    Map<Pid, String> names = o.allNames();
                    ctx.send(snapshot(common(o, names), o, pages.get(ctx), names));
                });
                ws.onClose(pages::remove);
                ws.onError(pages::remove);
            });
            config.routes.get("/api/node", ctx -> json(ctx, nodeJson(o.cluster())));
            config.routes.get("/api/panels", ctx -> json(ctx, "{\"panels\":" + panelsJson(o.panels()) + "}"));
            config.routes.get("/api/cluster", ctx -> json(ctx, clusterJson(o)));
            config.routes.get("/api/processes", ctx -> processes(ctx, o));
            config.routes.get("/api/tree", ctx -> json(ctx, SupervisionTree.json(node, o.distributed().supervisors(), o.allNames())));
            config.routes.get("/api/registries", ctx -> json(ctx, "{\"registries\":" + o.distributed().registriesJson() + "}"));
            config.routes.get("/api/supervisors", ctx -> json(ctx, "{\"supervisors\":" + o.distributed().supervisorsJson() + "}"));
            config.routes.get("/api/replication", ctx -> json(ctx, Replication.json(o.maps(), o.probe())));
            config.routes.post("/api/processes/{pid}/kill", ctx -> kill(ctx, node, token));
            config.routes.get("/metrics", ctx -> {
                o.metrics().refresh();
                ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape());
            });
            config.routes.error(404, ctx -> {
                if (ctx.result() == null || ctx.result().isEmpty() || ctx.result().equals("Not Found")) ctx.result("not found\n");
            });
        }).start();
    }

    /** The parts of a snapshot every page gets; {@code names} as {@link Observed#allNames()} gave them for this snapshot. */
    private static String common(Observed o, Map<Pid, String> names) {
        return "\"node\":" + nodeJson(o.cluster()) + ",\"cluster\":" + clusterJson(o) + ",\"panels\":" + panelsJson(o.panels())
                + ",\"registries\":" + o.distributed().registriesJson() + ",\"supervisors\":" + o.distributed().supervisorsJson()
                + ",\"replication\":" + Replication.json(o.maps(), o.probe())
                + ",\"tree\":" + SupervisionTree.json(o.cluster().node(), o.distributed().supervisors(), names);
    }

    private static String snapshot(String common, Observed o, String query, Map<Pid, String> names) {
        return "{" + common + ",\"query\":" + str(query) + ",\"processes\":" + o.table().json(query, names, ProcessTable.DEFAULT_LIMIT) + "}";
    }

    private static void processes(Context ctx, Observed o) {
        String limit = ctx.queryParam("limit");
        int n = ProcessTable.DEFAULT_LIMIT;
        if (limit != null) {
            try {
                n = Integer.parseInt(limit);
                if (n < 1 || n > 100_000) throw new NumberFormatException();
            } catch (NumberFormatException e) {
                ctx.status(400).result("limit must be a number from 1 to 100000, got " + limit + "\n");
                return;
            }
        }
        json(ctx, o.table().json(ctx.queryParam("q"), o.allNames(), n));
    }

    private static String page() {
        try (var in = ObserverWeb.class.getResourceAsStream("/observer/index.html")) {
            if (in == null) throw new IllegalStateException("observer page missing from the classpath");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void json(Context ctx, String body) {
        ctx.contentType("application/json").result(body);
    }

    static String nodeJson(ClusterNode cluster) {
        Runtime rt = Runtime.getRuntime();
        return "{\"name\":" + str(cluster.name()) + ",\"uptime_ms\":" + ManagementFactory.getRuntimeMXBean().getUptime()
                + ",\"processes\":" + cluster.node().processCount() + ",\"heap_used_bytes\":" + (rt.totalMemory() - rt.freeMemory())
                + ",\"heap_max_bytes\":" + rt.maxMemory() + ",\"discovery\":" + str(cluster.discovery().describe()) + "}";
    }

    /**
     * Every node seen with its state: {@code down} (not in the view), {@code leaving} (a
     * distributed supervisor's member marked itself leaving), {@code suspected} (in the view but
     * suspected by the failure detectors), else {@code up}; and for the connected nodes that run
     * an observer, their own summary (asked in parallel, 500 ms limit).
     */
    static String clusterJson(Observed o) {
        ClusterNode cluster = o.cluster();
        Collection<ClusterView.NodeState> nodes = o.view().nodes().values();
        Set<String> suspected = cluster.suspectedNodes();
        Set<String> leaving = o.distributed().leaving();
        Map<String, CompletableFuture<String>> summaries = new HashMap<>();
        for (ClusterView.NodeState s : nodes) {
            if (!s.up()) continue;
            summaries.put(s.node(), s.node().equals(cluster.name())
                    ? CompletableFuture.completedFuture(nodeJson(cluster))
                    : CompletableFuture.supplyAsync(() -> NodeSummary.of(cluster, s.node(), java.time.Duration.ofMillis(500)),
                            r -> Thread.ofVirtual().start(r)));
        }
        StringBuilder b = new StringBuilder("{\"self\":" + str(cluster.name()) + ",\"nodes\":[");
        boolean first = true;
        for (ClusterView.NodeState s : nodes) {
            String state = !s.up() ? "down" : leaving.contains(s.node()) ? "leaving" : suspected.contains(s.node()) ? "suspected" : "up";
            b.append(first ? "" : ",").append("{\"name\":").append(str(s.node())).append(",\"state\":").append(str(state))
                    .append(",\"since_ms\":").append(s.sinceMillis());
            var summary = summaries.get(s.node());
            String json = summary == null ? null : summary.join();
            if (json != null) b.append(",\"summary\":").append(json);
            b.append('}');
            first = false;
        }
        return b.append("]}").toString();
    }

    static String panelsJson(List<Observer.Panel> panels) {
        StringBuilder b = new StringBuilder("[");
        for (Observer.Panel p : panels) {
            b.append(b.length() > 1 ? "," : "").append("{\"title\":").append(str(p.title())).append(",\"values\":{");
            Map<String, ?> values;
            try {
                values = p.values().get();
            } catch (RuntimeException e) {
                values = Map.of("error", String.valueOf(e.getMessage()));
            }
            boolean first = true;
            for (var e : new java.util.TreeMap<String, Object>(values).entrySet()) {
                b.append(first ? "" : ",").append(str(e.getKey())).append(':')
                        .append(e.getValue() instanceof Number n && Double.isFinite(n.doubleValue()) ? n.toString() : str(String.valueOf(e.getValue())));
                first = false;
            }
            b.append("}}");
        }
        return b.append(']').toString();
    }

    private static void kill(Context ctx, Node node, String token) {
        String auth = ctx.header("Authorization");
        if (token == null) {
            ctx.status(403).result("this observer is read-only: start it with a token to allow kills\n");
            return;
        }
        if (auth == null || !MessageDigest.isEqual(auth.getBytes(StandardCharsets.UTF_8), ("Bearer " + token).getBytes(StandardCharsets.UTF_8))) {
            ctx.status(403).result("a kill needs the header Authorization: Bearer TOKEN\n");
            return;
        }
        Pid target = null;
        String wanted = ctx.pathParam("pid");
        for (Pid p : node.processes()) if (p.toString().equals(wanted)) target = p;
        if (target == null) {
            ctx.status(404).result("no process " + wanted + " on " + node.name() + "\n");
            return;
        }
        node.exit(target, ExitReason.KILL);
        json(ctx, "{\"killed\":" + str(target.toString()) + "}");
    }

    static String str(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        return b.append('"').toString();
    }
}
