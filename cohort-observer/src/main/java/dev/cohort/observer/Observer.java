package dev.cohort.observer;

import dev.cohort.cluster.ClusterNode;
import dev.cohort.crdt.replicator.ReplicatedMap;
import dev.cohort.distributed.registry.DistributedRegistry;
import dev.cohort.distributed.supervisor.DistributedSupervisor;
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
 *   <li>{@code GET /}: the page (no build step: one HTML file); it receives a snapshot of
 *       everything below every second over the WebSocket {@code /ws} (the page sends its search
 *       text; the processes listed match it), draws the supervision tree and the update-reach
 *       chart, and kills a process after a confirmation with the token. While no page is open,
 *       nothing is computed and no probe is written.</li>
 *   <li>{@code GET /api/node}: name, uptime, process count, heap, discovery.</li>
 *   <li>{@code GET /api/cluster}: every node seen, its state (up, suspected, leaving, down),
 *       since when, and for observed nodes their own uptime, processes, heap, discovery.</li>
 *   <li>{@code GET /api/processes[?q=TEXT][&limit=N]}: pid, names (local and registry keys),
 *       label, current function, mailbox, messages taken and per second, memory estimate,
 *       links, monitors, trap-exit; {@code q} filters by pid, name or label; at most N rows
 *       (default 200) with the count of all that matched.</li>
 *   <li>{@code GET /api/tree}: the node's supervision trees.</li>
 *   <li>{@code GET /api/registries}, {@code /api/supervisors}: the distributed registries and
 *       supervisors given to the builder.</li>
 *   <li>{@code GET /api/replication}: per replicated map and neighbour, last sync, deltas in
 *       flight, entries; the update-reach points.</li>
 *   <li>{@code POST /api/processes/{pid}/kill}: sends the untrappable kill; needs
 *       {@code Authorization: Bearer TOKEN} and a token set at start (read-only otherwise: 403).</li>
 *   <li>{@code GET /api/panels}: the application's panels ({@link Builder#panel}).</li>
 *   <li>{@code GET /metrics}: Prometheus text format.</li>
 * </ul>
 * Message contents and process states are never shown (labels, names and stack frames are).
 * The meters are listed in {@code NodeMetrics}; the observer installs the node's telemetry
 * hooks, which time every call (two clock reads and a timer update per call).
 */
public final class Observer implements AutoCloseable {
    static final long START_MILLIS = System.currentTimeMillis();

    private final ClusterNode cluster;
    private final Javalin web;
    private final PrometheusMeterRegistry metrics;
    private final java.util.concurrent.atomic.AtomicBoolean open;
    private final UpdateProbe probe;
    private final boolean summary;
    private final dev.cohort.process.Telemetry telemetryBefore;
    private final Runnable listeners; // removes the node-event listeners of the views and meters

    private Observer(ClusterNode cluster, Javalin web, PrometheusMeterRegistry metrics, java.util.concurrent.atomic.AtomicBoolean open,
                     UpdateProbe probe, boolean summary, dev.cohort.process.Telemetry telemetryBefore, Runnable listeners) {
        this.listeners = listeners;
        this.summary = summary;
        this.telemetryBefore = telemetryBefore;
        this.cluster = cluster;
        this.web = web;
        this.metrics = metrics;
        this.open = open;
        this.probe = probe;
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
        private final List<DistributedRegistry> registries = new ArrayList<>();
        private final List<DistributedSupervisor> supervisors = new ArrayList<>();
        private final List<Replication.Watched> maps = new ArrayList<>();

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

        /**
         * Shows a distributed registry: its entries and conflicts, its keys as names in the
         * process table, the replication of its map, and its meters.
         */
        public Builder registry(DistributedRegistry registry) {
            registries.add(Objects.requireNonNull(registry, "registry"));
            maps.add(new Replication.Watched("registry " + registry.name(), () -> registry.stats().map()));
            return this;
        }

        /**
         * Shows a distributed supervisor: members and their states (a leaving member's node shows
         * as leaving), children per member, placement balance, its local children in the
         * supervision tree, the replication of its map, and its meters.
         */
        public Builder supervisor(DistributedSupervisor supervisor) {
            supervisors.add(Objects.requireNonNull(supervisor, "supervisor"));
            maps.add(new Replication.Watched("supervisor " + supervisor.name(), () -> supervisor.stats().map()));
            return this;
        }

        /** Shows the replication of one more replicated map under {@code title}. */
        public Builder replicatedMap(String title, ReplicatedMap<?, ?> map) {
            maps.add(new Replication.Watched(Objects.requireNonNull(title, "title"), Objects.requireNonNull(map, "map")::stats));
            return this;
        }

        /** Starts serving; installs the node's {@link dev.cohort.process.Telemetry} (call latencies, restarts). */
        public Observer start() {
            ClusterView view = new ClusterView(cluster);
            UpdateProbe probe = new UpdateProbe(cluster);
            PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            DistributedViews distributed = new DistributedViews(List.copyOf(registries), List.copyOf(supervisors));
            NodeMetrics nodeMetrics = new NodeMetrics(cluster, view, distributed, List.copyOf(maps), probe);
            nodeMetrics.bindTo(metrics);
            dev.cohort.process.Telemetry before = cluster.node().telemetry();
            cluster.node().telemetry(NodeMetrics.telemetry(metrics, before));
            java.util.concurrent.atomic.AtomicBoolean open = new java.util.concurrent.atomic.AtomicBoolean(true);
            boolean summary = NodeSummary.serve(cluster, probe);
            ObserverWeb.Observed observed = new ObserverWeb.Observed(cluster, view, distributed, List.copyOf(maps), probe,
                    new ProcessTable(cluster.node()), names, List.copyOf(panels), nodeMetrics);
            Javalin web = ObserverWeb.start(observed, metrics, host, port, token, open);
            return new Observer(cluster, web, metrics, open, probe, summary, before, () -> {
                nodeMetrics.close();
                view.close();
            });
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
        cluster.node().telemetry(telemetryBefore);
        if (summary) { // ended before close returns: a later observer of this node serves its own
            try {
                cluster.stopService(NodeSummary.SERVICE);
            } catch (RuntimeException e) {
                // ended already, or killed with its node
            }
        }
        listeners.run();
        probe.close();
        metrics.close();
    }
}
