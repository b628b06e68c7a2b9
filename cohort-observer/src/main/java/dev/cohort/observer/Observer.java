package dev.cohort.observer;

import dev.cohort.cluster.ClusterNode;
import io.javalin.Javalin;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import dev.cohort.process.Pid;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A node's observer, started with one option ({@code --observer-port}): a live page, JSON data
 * endpoints for the node, the cluster as this node sees it and its processes, a kill guarded by a
 * token, and Micrometer metrics scraped by Prometheus at {@code /metrics}.
 *
 * <ul>
 *   <li>{@code GET /}: the page (no build step: one HTML file); it receives a snapshot of node,
 *       cluster and processes every second over the WebSocket {@code /ws}, filters processes as
 *       you type, and kills one after a confirmation with the token. While no page is open,
 *       nothing is computed.</li>
 *   <li>{@code GET /api/node}: name, uptime, process count, heap, discovery.</li>
 *   <li>{@code GET /api/cluster}: every node seen, up or down, since when.</li>
 *   <li>{@code GET /api/processes[?q=TEXT]}: pid, registered name, mailbox length, links,
 *       monitors, trap-exit; {@code q} filters by pid or name.</li>
 *   <li>{@code POST /api/processes/{pid}/kill}: sends the untrappable kill; needs
 *       {@code Authorization: Bearer TOKEN} and a token set at start (read-only otherwise: 403).</li>
 *   <li>{@code GET /api/panels}: the application's panels ({@link Builder#panel}).</li>
 *   <li>{@code GET /metrics}: Prometheus text format.</li>
 * </ul>
 * Message contents are never shown. Not yet (issue 9): supervision
 * trees, registry and supervisor views, replication lag, per-pair message rates.
 */
public final class Observer implements AutoCloseable {
    static final long START_MILLIS = System.currentTimeMillis();

    private final Javalin web;
    private final PrometheusMeterRegistry metrics;
    private final java.util.concurrent.atomic.AtomicBoolean open;

    private Observer(Javalin web, PrometheusMeterRegistry metrics, java.util.concurrent.atomic.AtomicBoolean open) {
        this.web = web;
        this.metrics = metrics;
        this.open = open;
    }

    /** A builder for the observer of {@code cluster}: 127.0.0.1, a free port, read-only, no extra names or panels. */
    public static Builder builder(ClusterNode cluster) {
        return new Builder(cluster);
    }

    /** A named group of figures the page shows and {@code /api/panels} returns (a registry's size, say). */
    public record Panel(String title, Supplier<Map<String, ?>> values) {}

    /** Options of an {@link Observer}. */
    public static final class Builder {
        private final ClusterNode cluster;
        private String host = "127.0.0.1", token;
        private int port;
        private Supplier<Map<Pid, String>> names = Map::of;
        private final List<Panel> panels = new ArrayList<>();

        private Builder(ClusterNode cluster) {
            this.cluster = Objects.requireNonNull(cluster, "cluster");
        }

        /** The address to bind (default 127.0.0.1). */
        public Builder host(String host) { this.host = Objects.requireNonNull(host, "host"); return this; }

        /** The HTTP port (default 0: a free one). */
        public Builder port(int port) {
            if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be 0..65535, got " + port);
            this.port = port;
            return this;
        }

        /** The token that allows kills (at least 8 characters); without one the observer is read-only. */
        public Builder killToken(String token) {
            if (token != null && token.length() < 8) throw new IllegalArgumentException("an observer token has at least 8 characters");
            this.token = token;
            return this;
        }

        /** More names for processes, asked at each snapshot (a distributed registry's keys of this node's processes, say). */
        public Builder names(Supplier<Map<Pid, String>> names) { this.names = Objects.requireNonNull(names, "names"); return this; }

        /** A panel of figures, asked at each snapshot. */
        public Builder panel(String title, Supplier<Map<String, ?>> values) {
            panels.add(new Panel(Objects.requireNonNull(title, "title"), Objects.requireNonNull(values, "values")));
            return this;
        }

        /** Starts serving. */
        public Observer start() {
            ClusterView view = new ClusterView(cluster);
            PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            new NodeMetrics(cluster, view).bindTo(metrics);
            java.util.concurrent.atomic.AtomicBoolean open = new java.util.concurrent.atomic.AtomicBoolean(true);
            NodeSummary.serve(cluster);
            Javalin web = ObserverWeb.start(cluster, view, metrics, host, port, token, open, names, List.copyOf(panels));
            return new Observer(web, metrics, open);
        }
    }

    /** The port it serves on. */
    public int port() { return web.port(); }

    /** The meter registry, to add an application's own meters to the same endpoint. */
    public io.micrometer.core.instrument.MeterRegistry meters() { return metrics; }

    @Override
    public void close() {
        open.set(false);
        web.stop();
        metrics.close();
    }
}
