package dev.cohort.distributed.registry;

import dev.cohort.cluster.ClusterNode;
import dev.cohort.crdt.AWLWWMapReplica;
import dev.cohort.crdt.replicator.ReplicatedMap;
import dev.cohort.process.Down;
import dev.cohort.process.ExitReason;
import dev.cohort.process.From;
import dev.cohort.process.Pid;
import dev.cohort.process.ProcessContext;
import dev.cohort.process.Ref;
import dev.cohort.server.GenServer;
import dev.cohort.server.Next;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process behind a {@link DistributedRegistry} on one node. It alone writes this node's
 * registrations to the replicated map, watches the local processes that hold keys (an exit
 * unregisters them), removes the keys of nodes that leave, and settles conflicts that reach it.
 */
final class RegistryServer implements GenServer<Void> {
    private static final Logger log = LoggerFactory.getLogger(RegistryServer.class);

    record Register(Object key, Pid pid, Object value) {}
    record Unregister(Object key) {}
    record UpdateValue(Object key, Pid pid, java.util.function.UnaryOperator<Object> update) {}
    /** A change of a key once held by a process of this node, forwarded by the map's subscriber. */
    record LostKey(Object key, Registration before, Registration after) {}

    private final ClusterNode cluster;
    private final String name;
    private final ReplicatedMap<Object, Registration> map;
    private final Map<Object, Registration> view;
    private final RegistrationCodec codec;
    private final ConflictResolver resolver; // null: the later registration wins
    /** Keys held by local processes, and the monitor on each such process. */
    private final Map<Pid, Set<Object>> keysOf = new HashMap<>();
    private final Map<Pid, Ref> monitors = new HashMap<>();
    private ProcessContext self;
    private volatile Pid selfPid;
    /** Conflicts settled here: a local holder kept its key by the resolver or lost it. */
    final java.util.concurrent.atomic.AtomicLong conflicts = new java.util.concurrent.atomic.AtomicLong();

    RegistryServer(ClusterNode cluster, String name, ReplicatedMap<Object, Registration> map, Map<Object, Registration> view,
                   RegistrationCodec codec, ConflictResolver resolver) {
        this.cluster = cluster;
        this.resolver = resolver;
        this.codec = codec;
        this.name = name;
        this.map = map;
        this.view = view;
    }

    @Override
    public Next<Void> init(ProcessContext self) {
        this.self = self;
        this.selfPid = self.self();
        return Next.ok(null);
    }

    @Override
    public Next<Void> handleCall(Object request, From from, Void state) {
        return switch (request) {
            case Register r -> Next.reply(register(r), state);
            case Unregister u -> Next.reply(unregister(u.key()), state);
            case UpdateValue u -> {
                Registration held = view.get(u.key());
                if (held == null || !held.pid().equals(u.pid()) || !keysOf.getOrDefault(u.pid(), Set.of()).contains(u.key())) {
                    yield Next.reply(new IllegalStateException(u.key() + " is not held by " + u.pid() + " of this node"), state);
                }
                map.put(u.key(), new Registration(u.pid(), u.update().apply(held.value())));
                yield Next.reply(null, state);
            }
            case byte[] remote -> Next.reply(remote(remote), state);
            case null, default -> Next.reply(new IllegalArgumentException("unknown request " + request), state);
        };
    }

    /** Tags of the requests other nodes send, as byte arrays (so that no class of ours needs the allow-list). */
    static final byte WHEREIS = 'W', UNREGISTER = 'U';

    /** A request from another node: a tag, then the key in the registry's own encoding. */
    private Object remote(byte[] request) {
        if (request.length < 2 || (request[0] != WHEREIS && request[0] != UNREGISTER)) {
            return new IllegalArgumentException("not a registry request");
        }
        Object key;
        try {
            key = codec.decode(java.util.Arrays.copyOfRange(request, 1, request.length));
        } catch (dev.cohort.crdt.DeltaCodec.Malformed e) {
            return new IllegalArgumentException("a damaged key: " + e.getMessage());
        }
        if (request[0] == UNREGISTER) return unregister(key);
        Registration r = view.get(key);
        return r == null ? null : r.pid();
    }

    /** Null when registered, else the holder (or an exception to throw). */
    private Object register(Register r) {
        if (!r.pid().node().equals(cluster.name())) {
            return new IllegalArgumentException("register " + r.pid() + " on its own node, " + r.pid().node());
        }
        if (!cluster.node().isAlive(r.pid())) return new IllegalArgumentException("process " + r.pid() + " is not alive");
        Registration held = view.get(r.key());
        if (held != null && !held.pid().equals(r.pid()) && mayBeAlive(held.pid())) return held.pid();
        map.put(r.key(), new Registration(r.pid(), r.value()));
        keysOf.computeIfAbsent(r.pid(), p -> new HashSet<>()).add(r.key());
        monitors.computeIfAbsent(r.pid(), self::monitor);
        return null;
    }

    /**
     * False for a holder known to be dead: a local process that ended, or one on a node that is
     * not connected (whose keys are about to be removed here). Such a key is free to take, so a
     * process restarted elsewhere after its node failed does not wait for the cleanup.
     */
    private boolean mayBeAlive(Pid holder) {
        if (holder.node().equals(cluster.name())) return cluster.node().isAlive(holder);
        return cluster.isConnected(holder.node());
    }

    private boolean unregister(Object key) {
        Registration held = view.get(key);
        if (held == null) return false;
        forgetLocal(held.pid(), key);
        map.remove(key);
        return true;
    }

    private void forgetLocal(Pid pid, Object key) {
        Set<Object> keys = keysOf.get(pid);
        if (keys == null) return;
        keys.remove(key);
        if (keys.isEmpty()) {
            keysOf.remove(pid);
            Ref ref = monitors.remove(pid);
            if (ref != null) self.demonitorFlush(ref);
        }
    }

    @Override
    public Next<Void> handleInfo(Object message, Void state) {
        switch (message) {
            case Down d -> {
                monitors.remove(d.pid());
                Set<Object> keys = keysOf.remove(d.pid());
                if (keys != null) {
                    List<Object> held = new ArrayList<>();
                    for (Object k : keys) {
                        Registration r = view.get(k);
                        if (r != null && r.pid().equals(d.pid())) held.add(k);
                    }
                    if (!held.isEmpty()) map.removeAll(held);
                }
            }
            case dev.cohort.cluster.ClusterNode.NodeEvent n when !n.up() -> {
                List<Object> gone = new ArrayList<>();
                view.forEach((k, r) -> { if (r.pid().node().equals(n.node())) gone.add(k); });
                if (!gone.isEmpty()) map.removeAll(gone);
            }
            case LostKey l -> lost(l);
            case null, default -> { }
        }
        return Next.noReply(state);
    }

    /**
     * A key a local process held changed elsewhere. Another holder: the partition healed and the
     * other registration is the later one, so ours exits with a {@link RegistryConflict}. No
     * holder: the others removed it (they saw this node leave) while our process lives, so it is
     * registered again.
     */
    private void lost(LostKey l) {
        Pid ours = l.before().pid();
        Set<Object> keys = keysOf.get(ours);
        if (keys == null || !keys.contains(l.key())) return; // unregistered or exited here meanwhile
        if (l.after() != null && resolver != null && cluster.node().isAlive(ours) && keeps(l)) {
            conflicts.incrementAndGet();
            log.info("registry {}: {} keeps {} against {} by the conflict resolver", name, ours, l.key(), l.after().pid());
            map.put(l.key(), l.before()); // now the later write: the other holder's node sees it and, by the same rule, lets its holder go
        } else if (l.after() != null) {
            forgetLocal(ours, l.key());
            conflicts.incrementAndGet();
            log.info("registry {}: {} lost {} to {} after a conflict", name, ours, l.key(), l.after().pid());
            self.exit(ours, new ExitReason.Custom(new RegistryConflict(l.key(), name, l.after().pid())));
        } else if (cluster.node().isAlive(ours)) {
            log.info("registry {}: {} is alive but {} was removed elsewhere: registering it again", name, ours, l.key());
            map.put(l.key(), l.before());
        }
    }

    /** Whether the resolver gives the key to our holder; a resolver that fails or answers neither gives it away. */
    private boolean keeps(LostKey l) {
        try {
            return l.before().equals(resolver.winner(l.key(), l.before(), l.after()));
        } catch (RuntimeException e) {
            log.warn("registry {}: the conflict resolver failed on {}: {}", name, l.key(), e.toString());
            return false;
        }
    }

    /** Called on the replicator's process for every change: forwards what concerns local holders. */
    void changed(AWLWWMapReplica.Change<Object, Registration> c) {
        Registration before = c.before().orElse(null);
        if (before != null && before.pid().node().equals(cluster.name())) {
            Registration after = c.after().orElse(null);
            if (after == null || !after.pid().equals(before.pid())) cluster.node().send(selfPid, new LostKey(c.key(), before, after));
        }
    }
}
