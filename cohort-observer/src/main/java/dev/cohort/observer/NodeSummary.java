package dev.cohort.observer;

import dev.cohort.cluster.ClusterNode;
import dev.cohort.process.Address;
import dev.cohort.process.From;
import dev.cohort.process.ProcessContext;
import dev.cohort.server.AlreadyStartedException;
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
final class NodeSummary implements GenServer<Void> {
    static final String NAME = "cohort.observer";
    private final ClusterNode cluster;
    private final UpdateProbe probe;

    private NodeSummary(ClusterNode cluster, UpdateProbe probe) {
        this.cluster = cluster;
        this.probe = probe;
    }

    /** Starts the process; returns it, or null if another observer of this node runs one (that one answers). */
    static dev.cohort.process.Pid serve(ClusterNode cluster, UpdateProbe probe) {
        try {
            return GenServer.start(cluster.node(), new NodeSummary(cluster, probe), StartOptions.named(NAME));
        } catch (AlreadyStartedException e) {
            return null;
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
