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
 * as {@code cohort_processes}): processes, the longest mailbox, connected nodes, node up/down
 * events, and the JVM's memory. Gauges are read when scraped: no cost between scrapes.
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
        Gauge.builder("cohort.nodes.connected", cluster, c -> c.connectedNodes().size())
                .description("other nodes this node is connected to").register(registry);
        FunctionCounter.builder("cohort.node.events", view, v -> v.ups.get()).tag("event", "up")
                .description("node up and down events seen by this node").register(registry);
        FunctionCounter.builder("cohort.node.events", view, v -> v.downs.get()).tag("event", "down")
                .description("node up and down events seen by this node").register(registry);
        new JvmMemoryMetrics().bindTo(registry);
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
