package dev.cohort.distributed.supervisor;

import dev.cohort.cluster.ClusterNode;
import dev.cohort.cluster.wire.Serializer;
import dev.cohort.crdt.replicator.ReplicatedMap;
import dev.cohort.process.Pid;
import dev.cohort.supervisor.ChildSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * What the API object and the server of one member share: the settings, the replicated map and
 * this node's views of it (children by id, members by node, both updated on the replicator's
 * process before a local write returns), and the membership rule.
 */
final class SupervisorCore {
    final ClusterNode cluster;
    final String name;
    final String me;
    final String serverName;
    final DistributionStrategy strategy;
    final boolean active;
    final Set<String> explicitMembers; // null: automatic
    final int maxChildren;
    final int maxRestarts;
    final Duration period;
    final List<Object> extraArgs;
    final Map<String, Function<Object, ChildSpec>> factories;
    final Serializer serializer;
    final SupervisorCodec codec = new SupervisorCodec();
    final Map<String, ChildRecord> records = new ConcurrentHashMap<>();
    final Map<String, Member> members = new ConcurrentHashMap<>();
    /** Servers of other members seen to exit while their node stayed connected. */
    final Set<Pid> deadServers = ConcurrentHashMap.newKeySet();
    ReplicatedMap<String, Object> map;

    SupervisorCore(ClusterNode cluster, String name, DistributionStrategy strategy, boolean active, Set<String> explicitMembers,
                   int maxChildren, int maxRestarts, Duration period, List<Object> extraArgs,
                   Map<String, Function<Object, ChildSpec>> factories, Serializer serializer) {
        this.cluster = cluster;
        this.name = name;
        this.me = cluster.name();
        this.serverName = "cohort.supervisor." + name;
        this.strategy = strategy;
        this.active = active;
        this.explicitMembers = explicitMembers;
        this.maxChildren = maxChildren;
        this.maxRestarts = maxRestarts;
        this.period = period;
        this.extraArgs = extraArgs;
        this.factories = factories;
        this.serializer = serializer;
    }

    /** The child spec the named factory makes of the serialized argument. */
    ChildSpec spec(String factory, byte[] arg) {
        Function<Object, ChildSpec> f = factories.get(factory);
        if (f == null) throw new IllegalArgumentException("no child factory " + factory + " is defined on " + me);
        Object value;
        try {
            value = arg.length == 0 ? null : serializer.deserialize(arg);
        } catch (dev.cohort.cluster.wire.FrameException e) {
            throw new IllegalArgumentException("the argument of a " + factory + " child does not deserialize here: " + e.getMessage(), e);
        }
        ChildSpec spec = f.apply(value);
        if (spec == null) throw new IllegalStateException("child factory " + factory + " returned no spec");
        return spec;
    }

    /**
     * Members that may run children, sorted: those with an entry that is not leaving, whose node
     * is this one or connected, and whose server has not been seen to exit; limited to the
     * explicit members, if any.
     */
    List<String> aliveMembers() {
        Set<String> connected = cluster.connectedNodes();
        List<String> alive = new ArrayList<>();
        for (Member m : members.values()) {
            if (m.leaving() || deadServers.contains(m.server())) continue;
            if (!m.node().equals(me) && !connected.contains(m.node())) continue;
            if (explicitMembers != null && !explicitMembers.contains(m.node())) continue;
            alive.add(m.node());
        }
        Collections.sort(alive);
        return alive;
    }

    /**
     * True when {@code owner} can no longer run its children: its node is not connected, or its
     * server was seen to exit. A connected node whose member entry has not arrived yet is not
     * gone (a joining node may learn records before members; taking over on that would restart
     * live children).
     */
    boolean ownerGone(String owner) {
        if (owner.equals(me)) return false;
        if (!cluster.isConnected(owner)) return true;
        Member m = members.get(owner);
        return m != null && deadServers.contains(m.server());
    }
}
