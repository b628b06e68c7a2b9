package dev.cohort.distributed.registry;

import dev.cohort.cluster.ClusterNode;
import dev.cohort.cluster.wire.Serializer;
import dev.cohort.crdt.replicator.ReplicatedMap;
import dev.cohort.process.Pid;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Cluster-wide process groups (duplicate keys, as Erlang's {@code pg} and {@code syn}): any number
 * of processes, on any nodes, join a group; every node that starts groups under the same name
 * sees every member, from its own copy, with no leader (in progress, issue 5).
 *
 * <p>Guarantees: a process that joins on this node is a member here as soon as {@link #join}
 * returns, and on the other nodes about one network hop later; {@link #members} is a local read; a
 * member leaves when its process exits and when its node leaves the cluster. No conflicts: after a
 * partition heals, both sides' members are members. A node that was cut off, and whose members the
 * others removed, adds its live members again when it returns.
 *
 * <p>Not guaranteed: two nodes may briefly see different members; {@link #dispatch} calls its
 * function with the members this node sees.
 */
public final class ProcessGroups implements AutoCloseable {
    private final RegistryCore core;
    /** Group to its members (pid to registration), as this node sees it. */
    private final Map<Object, Map<Pid, Registration>> byGroup;

    private ProcessGroups(RegistryCore core, Map<Object, Map<Pid, Registration>> byGroup) {
        this.core = core;
        this.byGroup = byGroup;
    }

    /**
     * Settings of this node's part of groups {@code name}, then {@link Builder#start()}: groups
     * other than Strings, Integers and Longs, and values, travel through the
     * {@link Builder#serializer}.
     */
    public static Builder builder(ClusterNode cluster, String name) { return new Builder(cluster, name); }

    /** Builds {@link ProcessGroups}. Required: a {@link #serializer}. */
    public static final class Builder {
        private final ClusterNode cluster;
        private final String name;
        private Serializer serializer;
        private ReplicatedMap.Options options = ReplicatedMap.Options.defaults();

        private Builder(ClusterNode cluster, String name) {
            this.cluster = java.util.Objects.requireNonNull(cluster, "cluster");
            this.name = java.util.Objects.requireNonNull(name, "name");
        }

        public Builder serializer(Serializer serializer) { this.serializer = java.util.Objects.requireNonNull(serializer, "serializer"); return this; }

        /** The replicated map's settings (default {@link ReplicatedMap.Options#defaults()}). */
        public Builder options(ReplicatedMap.Options options) { this.options = java.util.Objects.requireNonNull(options, "options"); return this; }

        /** The groups, not started: place {@link ProcessGroups#childSpec()} under a supervisor of your own. */
        public ProcessGroups build() {
            if (serializer == null) throw new IllegalStateException("process groups need a serializer");
            Map<Object, Map<Pid, Registration>> byGroup = new ConcurrentHashMap<>();
            RegistryCore core = RegistryCore.create(cluster, "groups", name, serializer, options, null, change -> {
                Member m = Member.of(change.key());
                if (m == null) return;
                if (change.after().isPresent()) {
                    byGroup.computeIfAbsent(m.group(), g -> new ConcurrentHashMap<>()).put(m.pid(), change.after().get());
                } else {
                    byGroup.computeIfPresent(m.group(), (g, members) -> {
                        members.remove(m.pid());
                        return members.isEmpty() ? null : members;
                    });
                }
            }, byGroup::clear, c -> java.util.List.of());
            return new ProcessGroups(core, byGroup);
        }

        /** Starts them as a service of the node's system tree (a one-for-all supervisor of their replicator and server). */
        public ProcessGroups start() {
            ProcessGroups g = build();
            g.core.start();
            return g;
        }
    }

    /** The service as a child spec: a one-for-all supervisor, named {@code cohort.service.groups.NAME}, of its replicator and server. */
    public dev.cohort.supervisor.ChildSpec childSpec() { return core.childSpec(); }

    /** The entry key of one membership: the group and the pid's fields, as a list the codec encodes deterministically. */
    record Member(Object group, Pid pid) {
        List<Object> key() { return List.of(group, pid.node(), pid.creation(), pid.id()); }

        static Member of(Object key) {
            if (!(key instanceof List<?> l) || l.size() != 4 || !(l.get(1) instanceof String node)
                    || !(l.get(2) instanceof Long creation) || !(l.get(3) instanceof Long id)) return null;
            return new Member(l.get(0), new Pid(node, creation, id));
        }
    }

    /** Adds {@code pid}, a live process of this node, to {@code group} with {@code value} (may be null); joining again replaces the value. */
    public void join(Object group, Pid pid, Object value) {
        core.checkKey(group, "a group");
        core.call(new RegistryServer.Register(new Member(group, pid).key(), pid, value));
    }

    public void join(Object group, Pid pid) { join(group, pid, null); }

    /** Removes {@code pid} from {@code group} (from any node: the member's node does it); false if it was not a member. */
    public boolean leave(Object group, Pid pid) {
        List<Object> key = new Member(group, pid).key();
        if (!core.view.containsKey(key)) return false;
        if (pid.node().equals(core.cluster.name())) return (Boolean) core.call(new RegistryServer.Unregister(key));
        return (Boolean) core.callRemote(pid.node(), RegistryRequest.Unregister::new, key);
    }

    /** The members of {@code group} as this node sees them: a local read. */
    public Map<Pid, Registration> members(Object group) {
        Map<Pid, Registration> m = byGroup.get(group);
        return m == null ? Map.of() : Map.copyOf(m);
    }

    /** The members of {@code group} on this node. */
    public Set<Pid> localMembers(Object group) {
        return members(group).keySet().stream().filter(p -> p.node().equals(core.cluster.name()))
                .collect(java.util.stream.Collectors.toUnmodifiableSet());
    }

    /** Calls {@code action} with the members of {@code group} as this node sees them (for example to send each a message). */
    public void dispatch(Object group, Consumer<Map<Pid, Registration>> action) { action.accept(members(group)); }

    /** The groups with at least one member, as this node sees them. */
    public Set<Object> groups() { return Set.copyOf(byGroup.keySet()); }

    public int count(Object group) { return members(group).size(); }

    @Override
    public void close() { core.close(); }
}
