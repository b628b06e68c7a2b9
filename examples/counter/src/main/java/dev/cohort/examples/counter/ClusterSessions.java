package dev.cohort.examples.counter;

import dev.cohort.cluster.ClusterNode;
import dev.cohort.distributed.registry.DistributedRegistry;
import dev.cohort.distributed.supervisor.DistributedSupervisor;
import dev.cohort.process.Pid;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Stages distributed and hand-off: sessions started by a {@link DistributedSupervisor} (child id =
 * the user, so two nodes starting the same user at once start it once) and found through a
 * {@link DistributedRegistry} (a local read).
 */
final class ClusterSessions implements Sessions {
    private final ClusterNode cluster;
    private final DistributedRegistry registry;
    private final DistributedSupervisor supervisor;

    ClusterSessions(ClusterNode cluster, DistributedRegistry registry, DistributedSupervisor supervisor) {
        this.cluster = cluster;
        this.registry = registry;
        this.supervisor = supervisor;
    }

    @Override
    public Visited visit(String user) {
        return VisitLoop.visit(cluster.node(), user, u -> registry.whereis(Session.key(u)),
                u -> supervisor.startChild(u, "session", u));
    }

    @Override
    public List<SessionInfo> list() {
        Map<String, Pid> sessions = new HashMap<>();
        registry.entries().forEach((key, r) -> {
            String user = VisitLoop.userOf(key);
            if (user != null) sessions.put(user, r.pid());
        });
        return VisitLoop.list(cluster.node(), sessions);
    }
}
