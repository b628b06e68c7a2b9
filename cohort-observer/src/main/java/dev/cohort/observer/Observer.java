package dev.cohort.observer;

import dev.cohort.cluster.ClusterNode;
import io.javalin.Javalin;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Objects;

/**
 * A node's observer, started with one option ({@code --observer-port}): JSON data endpoints for
 * the node, the cluster as this node sees it and its processes, a kill guarded by a token, and
 * Micrometer metrics scraped by Prometheus at {@code /metrics}.
 *
 * <ul>
 *   <li>{@code GET /api/node}: name, uptime, process count, heap, discovery.</li>
 *   <li>{@code GET /api/cluster}: every node seen, up or down, since when.</li>
 *   <li>{@code GET /api/processes[?q=TEXT]}: pid, registered name, mailbox length, links,
 *       monitors, trap-exit; {@code q} filters by pid or name.</li>
 *   <li>{@code POST /api/processes/{pid}/kill}: sends the untrappable kill; needs
 *       {@code Authorization: Bearer TOKEN} and a token set at start (read-only otherwise: 403).</li>
 *   <li>{@code GET /metrics}: Prometheus text format.</li>
 * </ul>
 * Message contents are never shown. Not yet (issue 9): the live page over WebSocket, supervision
 * trees, registry and supervisor views, replication lag, per-pair message rates.
 */
public final class Observer implements AutoCloseable {
    static final long START_MILLIS = System.currentTimeMillis();

    private final Javalin web;
    private final PrometheusMeterRegistry metrics;

    private Observer(Javalin web, PrometheusMeterRegistry metrics) {
        this.web = web;
        this.metrics = metrics;
    }

    /**
     * Starts the observer of {@code cluster} on {@code host:port} (port 0: a free one).
     *
     * @param killToken the token that allows kills, or null for a read-only observer
     */
    public static Observer start(ClusterNode cluster, String host, int port, String killToken) {
        Objects.requireNonNull(cluster, "cluster");
        if (killToken != null && killToken.length() < 8) throw new IllegalArgumentException("an observer token has at least 8 characters");
        ClusterView view = new ClusterView(cluster);
        PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new NodeMetrics(cluster, view).bindTo(metrics);
        Javalin web = ObserverWeb.start(cluster, view, metrics, host, port, killToken);
        return new Observer(web, metrics);
    }

    /** The port it serves on. */
    public int port() { return web.port(); }

    /** The meter registry, to add an application's own meters to the same endpoint. */
    public io.micrometer.core.instrument.MeterRegistry meters() { return metrics; }

    @Override
    public void close() {
        web.stop();
        metrics.close();
    }
}
