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
final class RegistryServer implements dev.cohort.server.TolerantServer<Void> {
    private static final Logger log = LoggerFactory.getLogger(RegistryServer.class);

    record Register(Object key, Pid pid, Object value) {}
    record Unregister(Object key) {}
    record UpdateValue(Object key, Pid pid, java.util.function.UnaryOperator<Object> update) {}
    /** A change of a key once held by a process of this node, forwarded by the map's subscriber. */
    record LostKey(Object key, Registration before, Registration after) {}
    /** An entry of a process of this node that this server did not write (its predecessor did): watch it. */
    record Arrived(Object key, Registration registration) {}

    private final ClusterNode cluster;
    private final String name;
    private final ReplicatedMap<Object, Registration> map;
    private final Map<Object, Registration> view;
    /** This node's entries as written here; outlives this process (see {@link RegistryCore#own}). */
    private final Map<Object, Registration> own;
    private final RegistrationCodec codec;
    private final ConflictResolver resolver; // null: the later registration wins
    /** Keys held by local processes, and the monitor on each such process. */
    private final Map<Pid, Set<Object>> keysOf = new HashMap<>();
    private final Map<Pid, Ref> monitors = new HashMap<>();
    private ProcessContext self;
    /** Conflicts settled here: a local holder kept its key by the resolver or lost it. */
    private final java.util.concurrent.atomic.AtomicLong conflicts;

    RegistryServer(RegistryCore core, ConflictResolver resolver) {
        this.cluster = core.cluster;
        this.resolver = resolver;
        this.codec = core.codec;
        this.name = core.name;
        this.map = core.map;
        this.view = core.view;
        this.own = core.own;
        this.conflicts = core.conflicts;
    }

    /**
     * Watches node events, and after a restart registers again every entry its predecessor
     * wrote whose process lives (under the new replica's id; the old writes, adopted elsewhere,
     * carry the same registration), and watches those processes again.
     */
    @Override
    public Next<Void> init(ProcessContext self) {
        this.self = self;
        cluster.monitorNodes(self.self()); // node events as messages, ending with this server
        if (!own.isEmpty()) {
            Map<Object, Registration> again = new HashMap<>();
            for (Map.Entry<Object, Registration> e : own.entrySet()) {
                if (cluster.node().isAlive(e.getValue().pid())) again.put(e.getKey(), e.getValue());
                else own.remove(e.getKey());
            }
            again.forEach((key, r) -> watch(r.pid(), key));
            if (!again.isEmpty()) map.putAll(again);
            log.info("registry {}: restarted; registered again {} entries of this node's live processes", name, again.size());
        }
        return Next.ok(null);
    }

    private void watch(Pid pid, Object key) {
        keysOf.computeIfAbsent(pid, p -> new HashSet<>()).add(key);
        monitors.computeIfAbsent(pid, self::monitor);
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
                Registration updated = new Registration(u.pid(), u.update().apply(held.value()));
                own.put(u.key(), updated);
                map.put(u.key(), updated);
                yield Next.reply(null, state);
            }
            case RegistryRequest remote -> Next.reply(remote(remote), state);
            case null, default -> Next.reply(new IllegalArgumentException("unknown request " + request), state);
        };
    }

    /** A request from another node; its key is in the registry's own encoding. */
    private Object remote(RegistryRequest request) {
        if (request.key() == null || request.key().length == 0) return new IllegalArgumentException("a registry request without a key");
        Object key;
        try {
            key = codec.decode(request.key());
        } catch (dev.cohort.crdt.DeltaCodec.Malformed e) {
            return new IllegalArgumentException("a damaged key: " + e.getMessage());
        }
        if (request instanceof RegistryRequest.Unregister) return unregister(key);
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
        Registration reg = new Registration(r.pid(), r.value());
        own.put(r.key(), reg);
        map.put(r.key(), reg);
        watch(r.pid(), r.key());
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
        own.remove(key);
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
                    for (Object k : keys) own.computeIfPresent(k, (key, r) -> r.pid().equals(d.pid()) ? null : r);
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
            case Arrived a -> {
                // an entry of ours this server did not write: its predecessor did; watch its process
                // (one that ended meanwhile is reported down at once, and its entry removed)
                if (!own.containsKey(a.key()) && a.registration().pid().node().equals(cluster.name())) {
                    own.put(a.key(), a.registration());
                    watch(a.registration().pid(), a.key());
                }
            }
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
            own.put(l.key(), l.before());
            map.put(l.key(), l.before()); // now the later write: the other holder's node sees it and, by the same rule, lets its holder go
        } else if (l.after() != null) {
            forgetLocal(ours, l.key());
            conflicts.incrementAndGet();
            log.info("registry {}: {} lost {} to {} after a conflict", name, ours, l.key(), l.after().pid());
            self.exit(ours, new ExitReason.Custom(new RegistryConflict(l.key(), name, l.after().pid())));
        } else if (cluster.node().isAlive(ours)) {
            log.info("registry {}: {} is alive but {} was removed elsewhere: registering it again", name, ours, l.key());
            own.put(l.key(), l.before());
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
}
