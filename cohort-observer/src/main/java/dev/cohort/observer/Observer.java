package dev.cohort.observer;

import dev.cohort.cluster.ClusterNode;
import io.javalin.Javalin;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import dev.cohort.process.Pid;
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

    /**
     * Starts the observer of {@code cluster} on {@code host:port} (port 0: a free one).
     *
     * @param killToken the token that allows kills, or null for a read-only observer
     */
    public static Observer start(ClusterNode cluster, String host, int port, String killToken) {
        return start(cluster, host, port, killToken, Map::of);
    }

    /**
     * As {@link #start(ClusterNode, String, int, String)}, with more names for processes: {@code
     * names} is asked at each snapshot (a distributed registry's keys of this node's processes, say).
     */
    public static Observer start(ClusterNode cluster, String host, int port, String killToken, Supplier<Map<Pid, String>> names) {
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(names, "names");
        if (killToken != null && killToken.length() < 8) throw new IllegalArgumentException("an observer token has at least 8 characters");
        ClusterView view = new ClusterView(cluster);
        PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new NodeMetrics(cluster, view).bindTo(metrics);
        java.util.concurrent.atomic.AtomicBoolean open = new java.util.concurrent.atomic.AtomicBoolean(true);
        Javalin web = ObserverWeb.start(cluster, view, metrics, host, port, killToken, open, names);
        return new Observer(web, metrics, open);
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
