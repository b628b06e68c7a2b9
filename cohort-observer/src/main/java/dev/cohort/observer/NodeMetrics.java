package dev.cohort.observer;

import dev.cohort.cluster.ClusterNode;
import dev.cohort.process.Node;
import dev.cohort.process.Pid;
import dev.cohort.crdt.replicator.ReplicatedMap;
import dev.cohort.process.Telemetry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.FunctionTimer;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;

/**
 * The node's meters, in Micrometer's naming ({@code cohort.processes} is exported to Prometheus
 * as {@code cohort_processes}): processes, the longest mailbox and the 99th percentile of mailbox
 * lengths, connected nodes, node up/down/suspected events, frames (each a message or a signal)
 * and bytes per node pair and direction, call latencies (local and remote), supervisor
 * restarts and supervisors that gave up (by name), per replicated map and neighbour the sync lag and the deltas in flight, the
 * update-reach time, registry entries and conflicts, supervised children per member, and the
 * JVM's memory. Gauges are read when scraped: no cost between scrapes.
 */
final class NodeMetrics implements MeterBinder {
    private final ClusterNode cluster;
    private final ClusterView view;
    private final DistributedViews distributed;
    private final List<Replication.Watched> maps;
    private final UpdateProbe probe;
    private MultiGauge syncLag, inFlight, children, members;

    NodeMetrics(ClusterNode cluster, ClusterView view, DistributedViews distributed, List<Replication.Watched> maps, UpdateProbe probe) {
        this.cluster = cluster;
        this.view = view;
        this.distributed = distributed;
        this.maps = maps;
        this.probe = probe;
    }

    /**
     * The runtime's hooks feeding the call latency timers and the restart counter. A call costs
     * two clock reads and two adder increments; count and total are read when scraped
     * (Micrometer function timers: {@code _count} and {@code _sum}, no maximum or histogram, which
     * would cost every call more).
     */
    static Telemetry telemetry(MeterRegistry registry, Telemetry next) {
        LongAdder[] local = {new LongAdder(), new LongAdder()}, remote = {new LongAdder(), new LongAdder()};
        for (var e : Map.of("local", local, "remote", remote).entrySet()) {
            LongAdder[] a = e.getValue();
            FunctionTimer.builder("cohort.call.duration", a, x -> x[0].sum(), x -> x[1].sum(), TimeUnit.NANOSECONDS)
                    .tag("scope", e.getKey()).description("time from a call to its reply").register(registry);
        }
        Counter restarts = Counter.builder("cohort.supervisor.restarts").description("children restarted by this node's supervisors")
                .register(registry);
        return new Telemetry() {
            @Override public void callCompleted(long nanos, boolean isRemote) {
                LongAdder[] a = isRemote ? remote : local;
                a[0].increment();
                a[1].add(nanos);
                next.callCompleted(nanos, isRemote);
            }

            @Override public void childRestarted(Pid supervisor, Object childId) {
                restarts.increment();
                next.childRestarted(supervisor, childId);
            }

            @Override public void supervisorGaveUp(Pid supervisor, String name) {
                Counter.builder("cohort.supervisor.gave_up").description("supervisors of this node that reached their restart intensity")
                        .tag("supervisor", name == null ? "unnamed" : name).register(registry).increment();
                next.supervisorGaveUp(supervisor, name);
            }
        };
    }

    /** Re-reads the meters whose tags change (neighbours, members); called before each scrape. */
    synchronized void refresh() {
        List<MultiGauge.Row<?>> lag = new ArrayList<>(), flight = new ArrayList<>();
        long now = System.currentTimeMillis();
        for (Replication.Watched w : maps) {
            ReplicatedMap.Stats s;
            try {
                s = w.stats().get();
            } catch (RuntimeException e) {
                continue;
            }
            for (var e : s.peers().entrySet()) {
                Tags tags = Tags.of("map", w.title(), "neighbour", e.getKey());
                long last = e.getValue().lastSyncMillis();
                // never synced: the lag is the observer's age, an upper bound
                lag.add(MultiGauge.Row.of(tags, (now - (last == 0 ? Observer.START_MILLIS : last)) / 1000.0));
                flight.add(MultiGauge.Row.of(tags, e.getValue().deltasUnconfirmed()));
            }
        }
        syncLag.register(lag, true);
        inFlight.register(flight, true);
        List<MultiGauge.Row<?>> kids = new ArrayList<>(), states = new ArrayList<>();
        for (var d : distributed.supervisors()) {
            var st = d.stats();
            for (String m : st.members().keySet()) kids.add(MultiGauge.Row.of(Tags.of("supervisor", d.name(), "member", m), st.childrenPerMember().getOrDefault(m, 0)));
            for (var state : dev.cohort.distributed.supervisor.DistributedSupervisor.MemberState.values()) {
                long n = st.members().values().stream().filter(x -> x == state).count();
                states.add(MultiGauge.Row.of(Tags.of("supervisor", d.name(), "state", state.name().toLowerCase(java.util.Locale.ROOT)), n));
            }
        }
        children.register(kids, true);
        members.register(states, true);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Node node = cluster.node();
        Gauge.builder("cohort.processes", node, Node::processCount).description("live processes on this node").register(registry);
        Gauge.builder("cohort.mailbox.length.max", node, NodeMetrics::longestMailbox)
                .description("the longest mailbox on this node (messages)").register(registry);
        Gauge.builder("cohort.mailbox.length.p99", node, NodeMetrics::mailboxP99)
                .description("the 99th percentile of mailbox lengths over this node's processes (messages)").register(registry);
        Gauge.builder("cohort.nodes.connected", cluster, c -> c.connectedNodes().size())
                .description("other nodes this node is connected to").register(registry);
        FunctionCounter.builder("cohort.node.events", view, v -> v.ups.get()).tag("event", "up")
                .description("node up and down events seen by this node").register(registry);
        FunctionCounter.builder("cohort.node.events", view, v -> v.downs.get()).tag("event", "down")
                .description("node up and down events seen by this node").register(registry);
        FunctionCounter.builder("cohort.node.events", cluster, ClusterNode::suspicions).tag("event", "suspected")
                .description("node up and down events seen by this node").register(registry);
        syncLag = MultiGauge.builder("cohort.replication.sync.lag").baseUnit("seconds")
                .description("time since the last anti-entropy sync with a neighbour ended").register(registry);
        inFlight = MultiGauge.builder("cohort.replication.deltas.in.flight")
                .description("deltas sent to a neighbour and not yet confirmed by a sync").register(registry);
        children = MultiGauge.builder("cohort.supervisor.children").description("children per member of a distributed supervisor, as this node sees them")
                .register(registry);
        members = MultiGauge.builder("cohort.supervisor.members").description("members of a distributed supervisor per state, as this node sees them")
                .register(registry);
        Gauge.builder("cohort.replication.update.reach", probe, UpdateProbe::lastSeconds).baseUnit("seconds")
                .description("time the last probe update took to reach every observed node").register(registry);
        for (var r : distributed.registries()) {
            Gauge.builder("cohort.registry.entries", r, x -> x.stats().entries()).tag("registry", r.name())
                    .description("entries of a distributed registry, as this node sees them").register(registry);
            FunctionCounter.builder("cohort.registry.conflicts.resolved", r, x -> x.stats().conflictsResolved()).tag("registry", r.name())
                    .description("registry conflicts settled on this node after partitions healed").register(registry);
        }
        refresh();
        new JvmMemoryMetrics().bindTo(registry);
        // frames and bytes per node pair: meters for a node appear when it is first seen
        listening.add(cluster.onNodeEvent(e -> trafficMeters(registry, e.node())));
        for (String n : cluster.connectedNodes()) trafficMeters(registry, n);
    }

    private final java.util.List<dev.cohort.time.Cancellable> listening = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Stops following node events (the observer closed). */
    void close() {
        listening.forEach(dev.cohort.time.Cancellable::cancel);
    }

    private final java.util.Set<String> metered = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private void trafficMeters(MeterRegistry registry, String other) {
        if (!metered.add(other)) return; // a node back after a partition keeps its meters
        for (String direction : new String[] {"in", "out"}) {
            boolean in = direction.equals("in");
            FunctionCounter.builder("cohort.frames", cluster, c -> count(c, other, in, false))
                    .tags("node", other, "direction", direction).description("frames (messages, signals) exchanged with another node")
                    .register(registry);
            FunctionCounter.builder("cohort.frame.bytes", cluster, c -> count(c, other, in, true))
                    .tags("node", other, "direction", direction).description("bytes of frames exchanged with another node")
                    .register(registry);
        }
    }

    private static double count(ClusterNode cluster, String other, boolean in, boolean bytes) {
        var t = cluster.traffic().get(other);
        if (t == null) return 0;
        return bytes ? (in ? t.bytesIn() : t.bytesOut()) : (in ? t.framesIn() : t.framesOut());
    }

    static double mailboxP99(Node node) {
        java.util.List<Integer> lengths = new java.util.ArrayList<>();
        for (Pid p : node.processes()) node.info(p).ifPresent(i -> lengths.add(i.messageQueueLength()));
        if (lengths.isEmpty()) return 0;
        java.util.Collections.sort(lengths);
        return lengths.get(Math.min(lengths.size() - 1, (int) Math.ceil(lengths.size() * 0.99) - 1));
    }

    static double longestMailbox(Node node) {
        int max = 0;
        for (Pid p : node.processes()) {
            var info = node.info(p);
            if (info.isPresent()) max = Math.max(max, info.get().messageQueueLength());
        }
        return max;
    }
}
