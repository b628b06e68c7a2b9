package dev.cohort.distributed.registry;

import dev.cohort.cluster.ClusterNode;
import dev.cohort.cluster.wire.Serializer;
import dev.cohort.crdt.replicator.ReplicatedMap;
import dev.cohort.process.Address;
import dev.cohort.process.CallException;
import dev.cohort.process.NameResolver;
import dev.cohort.process.Pid;
import dev.cohort.process.ProcessContext;
import dev.cohort.server.GenServer;
import dev.cohort.server.StartOptions;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A cluster-wide registry of processes by unique key, with no leader: every node that starts a
 * registry under the same name holds a replica of it (a {@link ReplicatedMap}) and answers
 * lookups from its own copy (in progress, issue 5: unique keys; duplicate keys and groups are
 * still to come).
 *
 * <p>Guarantees: a key registered on this node resolves here as soon as {@link #register}
 * returns, and on the other nodes about one network hop later ({@link #awaitVisible} waits for
 * that); lookups are local reads, with no network call; a key goes when its process exits and when
 * its node leaves the cluster. After a partition heals, one holder per key remains, on every node
 * the same: the later registration by hybrid-logical-clock time; the other process gets an exit
 * signal {@code Custom(RegistryConflict(key, registry, winner))}.
 *
 * <p>Not guaranteed: while a partition lasts, each side may register the key. A node that was
 * cut off, and whose keys the others removed, registers its live processes' keys again when it
 * returns, unless another process took them meanwhile (then its process is the loser).
 */
public final class DistributedRegistry implements NameResolver, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DistributedRegistry.class);
    private static final Duration CALL = Duration.ofSeconds(10);

    private final ClusterNode cluster;
    private final String name;
    private final String serverName;
    private final Pid server;
    private final ReplicatedMap<Object, Registration> map;
    private final Map<Object, Registration> view;
    private final CopyOnWriteArrayList<Consumer<RegistryEvent>> listeners;
    private final RegistrationCodec codec;
    private final ReplicatedMap<Object, Object> meta;

    private DistributedRegistry(ClusterNode cluster, String name, String serverName, Pid server, ReplicatedMap<Object, Registration> map,
                                Map<Object, Registration> view, CopyOnWriteArrayList<Consumer<RegistryEvent>> listeners,
                                RegistrationCodec codec, ReplicatedMap<Object, Object> meta) {
        this.codec = codec;
        this.meta = meta;
        this.cluster = cluster;
        this.name = name;
        this.serverName = serverName;
        this.server = server;
        this.map = map;
        this.view = view;
        this.listeners = listeners;
    }

    /**
     * Starts this node's part of registry {@code name}. Values registered with keys travel through
     * {@code serializer} (their classes must be on its allow-list), as do keys other than Strings,
     * Integers and Longs.
     */
    public static DistributedRegistry start(ClusterNode cluster, String name, Serializer serializer, ReplicatedMap.Options options) {
        Objects.requireNonNull(name, "name");
        Map<Object, Registration> view = new ConcurrentHashMap<>();
        CopyOnWriteArrayList<Consumer<RegistryEvent>> listeners = new CopyOnWriteArrayList<>();
        RegistrationCodec codec = new RegistrationCodec(serializer);
        ReplicatedMap<Object, Registration> map = ReplicatedMap.start(cluster, "registry." + name, codec,
                Object.class, Registration.class, options);
        RegistryServer server = new RegistryServer(cluster, name, map, view, codec);
        String serverName = "cohort.registry." + name;
        Pid pid = GenServer.start(cluster.node(), server, StartOptions.named(serverName));
        map.subscribe(change -> {
            Registration before = change.before().orElse(null), after = change.after().orElse(null);
            if (after != null) view.put(change.key(), after);
            else view.remove(change.key());
            RegistryEvent e = after != null ? new RegistryEvent.Registered(change.key(), after, before)
                    : new RegistryEvent.Unregistered(change.key(), before);
            for (Consumer<RegistryEvent> l : listeners) {
                try {
                    l.accept(e);
                } catch (RuntimeException ex) {
                    log.warn("registry {}: a listener failed on {}: {}", name, e, ex.toString());
                }
            }
            server.changed(change);
        });
        cluster.onNodeEvent(e -> { if (!e.up()) cluster.node().send(pid, new RegistryServer.NodeDown(e.node())); });
        ReplicatedMap<Object, Object> meta = ReplicatedMap.start(cluster, "registry." + name + ".meta", codec, Object.class, Object.class, options);
        return new DistributedRegistry(cluster, name, serverName, pid, map, view, listeners, codec, meta);
    }

    /** With {@link ReplicatedMap.Options#defaults()}. */
    public static DistributedRegistry start(ClusterNode cluster, String name, Serializer serializer) {
        return start(cluster, name, serializer, ReplicatedMap.Options.defaults());
    }

    public String name() { return name; }

    /**
     * Registers {@code pid}, a process of this node, under {@code key} with {@code value} (may be
     * null). Registering a key again for its holder replaces the value.
     *
     * @throws AlreadyRegistered if another process holds the key
     * @throws IllegalArgumentException if {@code pid} is not a live process of this node
     */
    public void register(Object key, Pid pid, Object value) {
        Object r = cluster.node().call(server, new RegistryServer.Register(Objects.requireNonNull(key, "key"), pid, value), CALL);
        if (r instanceof Pid holder) throw new AlreadyRegistered(key, holder);
        if (r instanceof RuntimeException e) throw e;
    }

    /** {@link #register(Object, Pid, Object)} with no value. */
    public void register(Object key, Pid pid) { register(key, pid, null); }

    /**
     * Removes {@code key}, whoever holds it (the holder's node does it, so that it stops watching
     * the process); false if nothing held it.
     */
    public boolean unregister(Object key) {
        Registration held = view.get(Objects.requireNonNull(key, "key"));
        if (held == null) return false;
        if (held.pid().node().equals(cluster.name())) {
            return (Boolean) cluster.node().call(server, new RegistryServer.Unregister(key), CALL);
        }
        Object r = cluster.node().call(Address.remote(serverName, held.pid().node()), request(RegistryServer.UNREGISTER, key), CALL);
        if (r instanceof RuntimeException e) throw e;
        return (Boolean) r;
    }

    private byte[] request(byte tag, Object key) {
        byte[] k = codec.encode(key);
        byte[] out = new byte[k.length + 1];
        out[0] = tag;
        System.arraycopy(k, 0, out, 1, k.length);
        return out;
    }

    /** The holder of {@code key} as this node sees it, or null: a local read, no network call. */
    @Override
    public Pid whereis(Object key) {
        Registration r = view.get(key);
        return r == null ? null : r.pid();
    }

    /** The registration of {@code key} as this node sees it: a local read. */
    public Optional<Registration> lookup(Object key) {
        return Optional.ofNullable(view.get(key));
    }

    /**
     * Replaces the value registered with {@code key} by {@code update} of it; only for the holder,
     * a process of this node. The update runs in the registry's process: keep it short.
     *
     * @throws IllegalStateException if {@code pid} does not hold {@code key} here
     */
    public void updateValue(Object key, Pid pid, java.util.function.UnaryOperator<Object> update) {
        Object r = cluster.node().call(server, new RegistryServer.UpdateValue(key, pid, update), CALL);
        if (r instanceof RuntimeException e) throw e;
    }

    /** The registrations whose key and registration {@code filter} accepts, as this node sees them: a local read. */
    public Map<Object, Registration> select(java.util.function.BiPredicate<Object, Registration> filter) {
        Map<Object, Registration> out = new java.util.HashMap<>();
        view.forEach((k, r) -> { if (filter.test(k, r)) out.put(k, r); });
        return out;
    }

    /** The registration of {@code key} if its value matches {@code pattern}: a local read. */
    public Optional<Registration> match(Object key, java.util.function.Predicate<Object> pattern) {
        return lookup(key).filter(r -> pattern.test(r.value()));
    }

    /** Sets registry-wide metadata {@code key = value}, replicated like the registrations (last writer wins). */
    public void putMeta(Object key, Object value) { meta.put(key, value); }

    /** Registry-wide metadata, as this node sees it. */
    public Optional<Object> meta(Object key) { return meta.get(key); }

    /** Removes registry-wide metadata {@code key}. */
    public void deleteMeta(Object key) { meta.remove(key); }

    /** Every registration as this node sees it (a snapshot). */
    public Map<Object, Registration> entries() { return Map.copyOf(view); }

    /** The keys {@code pid} holds, as this node sees them. */
    public Set<Object> keys(Pid pid) {
        Set<Object> out = new HashSet<>();
        view.forEach((k, r) -> { if (r.pid().equals(pid)) out.add(k); });
        return out;
    }

    public int count() { return view.size(); }

    /**
     * Waits until {@code key} resolves to the same process on every connected node that runs this
     * registry (asking each); true if it did within {@code timeout}.
     */
    public boolean awaitVisible(Object key, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (;;) {
            Pid here = whereis(key);
            if (here != null && visibleEverywhere(key, here)) return true;
            if (System.nanoTime() - deadline >= 0) return false;
            Thread.sleep(1);
        }
    }

    private boolean visibleEverywhere(Object key, Pid pid) {
        byte[] request = request(RegistryServer.WHEREIS, key); // only byte arrays and pids cross: no class of ours on the allow-list
        for (String node : cluster.connectedNodes()) {
            try {
                Object there = cluster.node().call(Address.remote(serverName, node), request, CALL);
                if (!pid.equals(there)) return false;
            } catch (CallException e) {
                if (!(e.reason() instanceof dev.cohort.process.ExitReason.NoProc)) return false; // a node without this registry
            }
        }
        return true;
    }

    /** Called for every change of a key's holder seen here, local or remote, on the replicator's process: keep it short. */
    public void subscribe(Consumer<RegistryEvent> listener) { listeners.add(Objects.requireNonNull(listener, "listener")); }

    /** An address that resolves {@code key} here each time it is used, for send, call and cast. */
    public Address address(Object key) { return Address.via(this, key); }

    @Override
    public Pid registerSelf(ProcessContext self, Object key) {
        try {
            register(key, self.self(), null);
            return null;
        } catch (AlreadyRegistered e) {
            return e.holder();
        }
    }

    /** Stops this node's part of the registry; the keys of this node's processes stay until they exit or the node leaves. */
    @Override
    public void close() {
        GenServer.stop(cluster.node(), server, dev.cohort.process.ExitReason.NORMAL, CALL);
        map.close();
        meta.close();
    }
}
