package dev.cohort.cluster;

import dev.cohort.process.Pid;
import dev.cohort.process.Telemetry;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a node's system tree reports when a service's supervisor gives up: an ERROR naming the
 * service, and a count per service name ({@link ClusterNode#servicesGaveUp()}). Installed by
 * {@link ClusterNode} as the node's first telemetry; an observer that installs its own chains to
 * it ({@link #chained}).
 */
final class ServiceHealth implements Telemetry {
    private static final Logger log = LoggerFactory.getLogger(ClusterNode.class);

    private final String node;
    private final Map<String, LongAdder> gaveUp = new ConcurrentHashMap<>();

    ServiceHealth(String node) { this.node = node; }

    @Override
    public void supervisorGaveUp(Pid supervisor, String name) {
        if (name == null) return; // a user's unnamed supervisor: its own log line says it
        gaveUp.computeIfAbsent(name, n -> new LongAdder()).increment();
        if (name.equals(ClusterNode.SYSTEM_SUPERVISOR)) {
            log.error("{}: the system supervisor gave up: every Cohort service of this node is stopped; restart the node", node);
        } else if (name.startsWith(ClusterNode.SERVICE_PREFIX)) {
            log.error("{}: service {} gave up (its restart intensity was reached); the system supervisor restarts it", node, name);
        }
    }

    /** Gave-ups by supervisor name, in name order. */
    Map<String, Long> counts() {
        Map<String, Long> out = new TreeMap<>();
        gaveUp.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }
}
