package dev.cohort.observer;

import dev.cohort.cluster.ClusterNode;
import dev.cohort.process.Address;
import dev.cohort.process.From;
import dev.cohort.process.ProcessContext;
import dev.cohort.server.GenServer;
import dev.cohort.server.Next;
import dev.cohort.server.StartOptions;
import java.time.Duration;

/**
 * The process {@code cohort.observer} on each observed node: answers {@code "node"} with the
 * node's summary (the JSON of {@code /api/node}), so that any node's observer can show every
 * observed node's uptime, processes, memory and discovery in its cluster table. A node without
 * an observer has no such process; its row shows only up or down. It also receives the other
 * observers' reports for this node's {@link UpdateProbe}.
 */
final class NodeSummary implements dev.cohort.server.TolerantServer<Void> {
    static final String NAME = "cohort.observer";
    private final ClusterNode cluster;
    private final UpdateProbe probe;

    private NodeSummary(ClusterNode cluster, UpdateProbe probe) {
        this.cluster = cluster;
        this.probe = probe;
    }

    /** Its service id in the node's system tree. */
    static final String SERVICE = ClusterNode.SERVICE_PREFIX + "observer";

    /**
     * Starts the process as the service {@value #SERVICE} of the node's system tree (a
     * one-for-one supervisor of it); returns false if another observer of this node runs it
     * already (that one answers).
     */
    static boolean serve(ClusterNode cluster, UpdateProbe probe) {
        dev.cohort.supervisor.Supervisor.Spec spec = dev.cohort.supervisor.Supervisor.builder().name(SERVICE)
                .child(dev.cohort.supervisor.ChildSpec.worker("summary",
                        sup -> {
                            dev.cohort.supervisor.Supervisor.awaitNameFree(sup, NAME, Duration.ofSeconds(5));
                            return GenServer.startLink(sup, new NodeSummary(cluster, probe), StartOptions.named(NAME));
                        }))
                .build();
        try {
            cluster.startService(dev.cohort.supervisor.ChildSpec.supervisor(SERVICE, spec));
            return true;
        } catch (IllegalArgumentException | dev.cohort.server.StartException e) {
            return false; // another observer's service, or its process, runs already
        }
    }

    /** The summary of {@code node} (its JSON), or null if it does not answer within {@code timeout}. */
    static String of(ClusterNode cluster, String node, Duration timeout) {
        try {
            return cluster.node().call(Address.remote(NAME, node), "node", timeout);
        } catch (RuntimeException e) {
            return null;
        }
    }

    @Override
    public Next<Void> init(ProcessContext self) {
        return Next.ok(null);
    }

    /** Other nodes' observers report here when this node's probe update reached them. */
    @Override
    public Next<Void> handleInfo(Object message, Void state) {
        if (message instanceof String s && s.startsWith("probe-seen ")) probe.seen(s);
        return Next.noReply(state);
    }

    @Override
    public Next<Void> handleCall(Object request, From from, Void state) {
        return Next.reply("node".equals(request) ? ObserverWeb.nodeJson(cluster) : null, state);
    }
}
