package dev.cohort.observer;

import dev.cohort.cluster.ClusterNode;
import dev.cohort.process.ExitReason;
import dev.cohort.process.Node;
import dev.cohort.process.Pid;
import dev.cohort.process.ProcessInfo;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import io.javalin.websocket.WsContext;

/** The observer's HTTP routes (see {@link Observer}). */
final class ObserverWeb {
    private ObserverWeb() {}

    static Javalin start(ClusterNode cluster, ClusterView view, PrometheusMeterRegistry metrics, String host, int port, String token,
            java.util.concurrent.atomic.AtomicBoolean open, java.util.function.Supplier<java.util.Map<Pid, String>> names,
            List<Observer.Panel> panels) {
        Node node = cluster.node();
        String page = page();
        Set<WsContext> pages = ConcurrentHashMap.newKeySet();
        java.util.function.Supplier<String> snapshot = () -> "{\"node\":" + nodeJson(cluster) + ",\"cluster\":" + clusterJson(cluster, view)
                + ",\"processes\":" + processesJson(node, null, names.get()) + ",\"panels\":" + panelsJson(panels) + "}";
        // one snapshot a second to the open pages; nothing at all while no page is open
        Thread.ofVirtual().name("cohort-observer-push").start(() -> {
            while (open.get()) {
                if (!pages.isEmpty()) {
                    String text = snapshot.get();
                    for (WsContext ws : pages) {
                        try {
                            if (ws.session.isOpen()) ws.send(text);
                            else pages.remove(ws);
                        } catch (RuntimeException e) {
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
                    ctx.send(snapshot.get()); // a new page shows everything at once
                    pages.add(ctx);
                });
                ws.onClose(pages::remove);
                ws.onError(pages::remove);
            });
            config.routes.get("/api/node", ctx -> json(ctx, nodeJson(cluster)));
            config.routes.get("/api/panels", ctx -> json(ctx, "{\"panels\":" + panelsJson(panels) + "}"));
            config.routes.get("/api/cluster", ctx -> json(ctx, clusterJson(cluster, view)));
            config.routes.get("/api/processes", ctx -> json(ctx, processesJson(node, ctx.queryParam("q"), names.get())));
            config.routes.post("/api/processes/{pid}/kill", ctx -> kill(ctx, node, token));
            config.routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape()));
            config.routes.error(404, ctx -> {
                if (ctx.result() == null || ctx.result().isEmpty() || ctx.result().equals("Not Found")) ctx.result("not found\n");
            });
        }).start();
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

    /** Every node seen, with its state, and for the connected ones that run an observer, their own summary (asked in parallel). */
    static String clusterJson(ClusterNode cluster, ClusterView view) {
        java.util.Collection<ClusterView.NodeState> nodes = view.nodes().values();
        java.util.Map<String, java.util.concurrent.CompletableFuture<String>> summaries = new java.util.HashMap<>();
        for (ClusterView.NodeState s : nodes) {
            if (!s.up()) continue;
            summaries.put(s.node(), s.node().equals(cluster.name())
                    ? java.util.concurrent.CompletableFuture.completedFuture(nodeJson(cluster))
                    : java.util.concurrent.CompletableFuture.supplyAsync(() -> NodeSummary.of(cluster, s.node(), java.time.Duration.ofMillis(500)),
                            r -> Thread.ofVirtual().start(r)));
        }
        StringBuilder b = new StringBuilder("{\"self\":" + str(cluster.name()) + ",\"nodes\":[");
        boolean first = true;
        for (ClusterView.NodeState s : nodes) {
            b.append(first ? "" : ",").append("{\"name\":").append(str(s.node())).append(",\"state\":").append(str(s.up() ? "up" : "down"))
                    .append(",\"since_ms\":").append(s.sinceMillis());
            var summary = summaries.get(s.node());
            String json = summary == null ? null : summary.join();
            if (json != null) b.append(",\"summary\":").append(json);
            b.append('}');
            first = false;
        }
        return b.append("]}").toString();
    }

    static String processesJson(Node node, String query, java.util.Map<Pid, String> names) {
        String q = query == null ? null : query.toLowerCase(Locale.ROOT);
        List<String> rows = new ArrayList<>();
        List<Pid> pids = new ArrayList<>(node.processes());
        java.util.Collections.sort(pids);
        for (Pid p : pids) {
            var info = node.info(p);
            if (info.isEmpty()) continue; // ended meanwhile
            ProcessInfo i = info.get();
            String name = i.registeredName() != null ? i.registeredName() : names.get(p);
            if (q != null && !p.toString().toLowerCase(Locale.ROOT).contains(q) && (name == null || !name.toLowerCase(Locale.ROOT).contains(q))) continue;
            StringBuilder links = new StringBuilder("[");
            for (Pid l : i.links()) links.append(links.length() > 1 ? "," : "").append(str(l.toString()));
            rows.add("{\"pid\":" + str(p.toString()) + ",\"name\":" + (name == null ? "null" : str(name)) + ",\"mailbox\":" + i.messageQueueLength()
                    + ",\"links\":" + links.append(']') + ",\"monitors\":" + i.monitors() + ",\"traps_exits\":" + i.trapsExits() + "}");
        }
        return "{\"node\":" + str(node.name()) + ",\"processes\":[" + String.join(",", rows) + "]}";
    }

    static String panelsJson(List<Observer.Panel> panels) {
        StringBuilder b = new StringBuilder("[");
        for (Observer.Panel p : panels) {
            b.append(b.length() > 1 ? "," : "").append("{\"title\":").append(str(p.title())).append(",\"values\":{");
            java.util.Map<String, ?> values;
            try {
                values = p.values().get();
            } catch (RuntimeException e) {
                values = java.util.Map.of("error", String.valueOf(e.getMessage()));
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
