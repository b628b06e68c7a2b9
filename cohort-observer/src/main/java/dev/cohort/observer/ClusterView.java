package dev.cohort.observer;

import dev.cohort.cluster.ClusterNode;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What this node knows of the others: each node seen, whether it is up now, and when its state
 * last changed; counts of up and down events. Fed by the cluster's node events.
 */
final class ClusterView {
    /** One node as this node sees it. */
    record NodeState(String node, boolean up, long sinceMillis) {}

    private final ClusterNode cluster;
    private final Map<String, NodeState> nodes = new ConcurrentHashMap<>();
    final AtomicLong ups = new AtomicLong(), downs = new AtomicLong();

    private final dev.cohort.time.Cancellable listening;

    ClusterView(ClusterNode cluster) {
        this.cluster = cluster;
        listening = cluster.onNodeEvent(e -> {
            (e.up() ? ups : downs).incrementAndGet();
            nodes.put(e.node(), new NodeState(e.node(), e.up(), System.currentTimeMillis()));
        });
        long now = System.currentTimeMillis();
        for (String n : cluster.connectedNodes()) {
            // connected before the observer started: counted as the up events they were
            if (nodes.putIfAbsent(n, new NodeState(n, true, now)) == null) ups.incrementAndGet();
        }
    }

    /** Every node seen, this one first-class (always up), sorted by name. */
    Map<String, NodeState> nodes() {
        Map<String, NodeState> out = new TreeMap<>(nodes);
        for (String n : cluster.connectedNodes()) {
            NodeState s = out.get(n);
            if (s == null || !s.up()) out.put(n, new NodeState(n, true, System.currentTimeMillis()));
        }
        out.put(cluster.name(), new NodeState(cluster.name(), true, Observer.START_MILLIS));
        return out;
    }

    /** Stops following node events (the observer closed). */
    void close() {
        listening.cancel();
    }
}
