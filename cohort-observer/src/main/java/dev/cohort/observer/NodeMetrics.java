package dev.cohort.observer;

import dev.cohort.cluster.ClusterNode;
import dev.cohort.process.Node;
import dev.cohort.process.Pid;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;

/**
 * The node's meters, in Micrometer's naming ({@code cohort.processes} is exported to Prometheus
 * as {@code cohort_processes}): processes, the longest mailbox and the 99th percentile of mailbox
 * lengths, connected nodes, node up/down events, frames and bytes per node pair and direction,
 * and the JVM's memory. Gauges are read when scraped: no cost between scrapes.
 */
final class NodeMetrics implements MeterBinder {
    private final ClusterNode cluster;
    private final ClusterView view;

    NodeMetrics(ClusterNode cluster, ClusterView view) {
        this.cluster = cluster;
        this.view = view;
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
        new JvmMemoryMetrics().bindTo(registry);
        // frames and bytes per node pair: meters for a node appear when it is first seen
        cluster.onNodeEvent(e -> trafficMeters(registry, e.node()));
        for (String n : cluster.connectedNodes()) trafficMeters(registry, n);
    }

    private void trafficMeters(MeterRegistry registry, String other) {
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
