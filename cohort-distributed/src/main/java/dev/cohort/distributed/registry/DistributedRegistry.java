package dev.cohort.distributed.registry;

import dev.cohort.cluster.ClusterNode;
import dev.cohort.cluster.wire.Serializer;
import dev.cohort.crdt.replicator.ReplicatedMap;
import dev.cohort.process.Address;
import dev.cohort.process.CallException;
import dev.cohort.process.NameResolver;
import dev.cohort.process.Pid;
import dev.cohort.process.ProcessContext;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
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

    private final RegistryCore core;
    private final Map<Object, Registration> view;
    private final CopyOnWriteArrayList<Consumer<RegistryEvent>> listeners;
    private final ReplicatedMap<Object, Object> meta;

    private DistributedRegistry(RegistryCore core, CopyOnWriteArrayList<Consumer<RegistryEvent>> listeners, ReplicatedMap<Object, Object> meta) {
        this.core = core;
        this.view = core.view;
        this.listeners = listeners;
        this.meta = meta;
    }

    /** The largest key, in bytes as the registry encodes it (a String: its UTF-8); a longer one is refused at {@link #register}. */
    public static final int MAX_KEY_BYTES = 1024;

    /**
     * Settings of this node's part of registry {@code name}, then {@link Builder#start()}. Values
     * registered with keys travel through the {@link Builder#serializer} (their classes must be on
     * its allow-list), as do keys other than Strings, Integers and Longs.
     */
    public static Builder builder(ClusterNode cluster, String name) { return new Builder(cluster, name); }

    /** Builds a {@link DistributedRegistry}. Required: a {@link #serializer}. */
    public static final class Builder {
        private final ClusterNode cluster;
        private final String name;
        private Serializer serializer;
        private ReplicatedMap.Options options = ReplicatedMap.Options.defaults();
        private ConflictResolver resolver;

        private Builder(ClusterNode cluster, String name) {
            this.cluster = Objects.requireNonNull(cluster, "cluster");
            this.name = Objects.requireNonNull(name, "name");
        }

        /** The serializer of values and of keys that are not Strings, Integers or Longs. */
        public Builder serializer(Serializer serializer) { this.serializer = Objects.requireNonNull(serializer, "serializer"); return this; }

        /** The replicated map's settings (default {@link ReplicatedMap.Options#defaults()}). */
        public Builder options(ReplicatedMap.Options options) { this.options = Objects.requireNonNull(options, "options"); return this; }

        /**
         * Settles conflicts after a partition heals instead of the later registration winning
         * (every node must start the registry with the same resolver).
         */
        public Builder resolver(ConflictResolver resolver) { this.resolver = resolver; return this; }

        /** The registry, not started: place {@link DistributedRegistry#childSpec()} under a supervisor of your own. */
        public DistributedRegistry build() {
            if (serializer == null) throw new IllegalStateException("a registry needs a serializer");
            CopyOnWriteArrayList<Consumer<RegistryEvent>> listeners = new CopyOnWriteArrayList<>();
            ReplicatedMap<?, ?>[] meta = new ReplicatedMap<?, ?>[1];
            RegistryCore core = RegistryCore.create(cluster, "registry", name, serializer, options, resolver, change -> {
                Registration before = change.before().orElse(null), after = change.after().orElse(null);
                RegistryEvent e = after != null ? new RegistryEvent.Registered(change.key(), after, before)
                        : new RegistryEvent.Unregistered(change.key(), before);
                for (Consumer<RegistryEvent> l : listeners) {
                    try {
                        l.accept(e);
                    } catch (RuntimeException ex) {
                        log.warn("registry {}: a listener failed on {}: {}", name, e, ex.toString());
                    }
                }
            }, () -> {}, c -> {
                meta[0] = ReplicatedMap.builder(cluster, "registry." + name + ".meta", Object.class, Object.class)
                        .values(c.codec).options(options).build();
                return List.of(meta[0]);
            });
            @SuppressWarnings("unchecked")
            ReplicatedMap<Object, Object> m = (ReplicatedMap<Object, Object>) meta[0];
            return new DistributedRegistry(core, listeners, m);
        }

        /**
         * Starts it as a service of the node's system tree: a one-for-all supervisor of its
         * replicated maps and its server.
         */
        public DistributedRegistry start() {
            DistributedRegistry r = build();
            r.core.start();
            return r;
        }
    }

    /**
     * The service as a child spec: a one-for-all supervisor, named
     * {@code cohort.service.registry.NAME}, of its maps' replicators and its server. After a
     * restart the registry re-syncs, and registers again the entries of this node's live processes.
     */
    public dev.cohort.supervisor.ChildSpec childSpec() { return core.childSpec(); }

    public String name() { return core.name; }

    /**
     * Registers {@code pid}, a process of this node, under {@code key} with {@code value} (may be
     * null). Registering a key again for its holder replaces the value.
     *
     * @throws AlreadyRegistered if another process holds the key
     * @throws IllegalArgumentException if {@code pid} is not a live process of this node, or the key is over {@link #MAX_KEY_BYTES}
     */
    public void register(Object key, Pid pid, Object value) {
        core.checkKey(key, "a registry key");
        Object r = core.call(new RegistryServer.Register(key, pid, value));
        if (r instanceof Pid holder) throw new AlreadyRegistered(key, holder);
    }

    /** {@link #register(Object, Pid, Object)} with no value. */
    public void register(Object key, Pid pid) { register(key, pid, null); }

    /**
     * {@link #register(Object, Pid, Object)}, then {@link #awaitVisible} up to {@code visibleWithin}.
     *
     * @return true once every connected node resolves the key to {@code pid}; false if the time
     *         ran out first (the registration stands either way)
     */
    public boolean register(Object key, Pid pid, Object value, Duration visibleWithin) throws InterruptedException {
        register(key, pid, value);
        return awaitVisible(key, visibleWithin);
    }

    /**
     * This registry as a resolver whose registrations (as by a server started with
     * {@code StartOptions.via(registry.visibleWithin(t), key)}) return once every connected node
     * resolves the key, or after {@code timeout} (the start then goes on; the name stands).
     */
    public NameResolver visibleWithin(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        DistributedRegistry registry = this;
        return new NameResolver() {
            @Override
            public Pid whereis(Object key) { return registry.whereis(key); }

            @Override
            public Pid registerSelf(ProcessContext self, Object key) {
                Pid holder = registry.registerSelf(self, key);
                if (holder == null) {
                    try {
                        if (!registry.awaitVisible(key, timeout)) log.warn("registry {}: {} not visible everywhere within {}", core.name, key, timeout);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return holder;
            }
        };
    }

    /**
     * Removes {@code key}, whoever holds it (the holder's node does it, so that it stops watching
     * the process); false if nothing held it.
     */
    public boolean unregister(Object key) {
        Registration held = view.get(Objects.requireNonNull(key, "key"));
        if (held == null) return false;
        if (held.pid().node().equals(core.cluster.name())) return (Boolean) core.call(new RegistryServer.Unregister(key));
        return (Boolean) core.callRemote(held.pid().node(), RegistryRequest.Unregister::new, key);
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
        core.call(new RegistryServer.UpdateValue(key, pid, update));
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
     * Telemetry of this node's replica: entries cluster-wide and held by local processes,
     * conflicts settled here since start (a local holder kept or lost its key after a partition
     * healed), and the replicated map's counters.
     */
    public record Stats(int entries, int localEntries, long conflictsResolved, ReplicatedMap.Stats map) {}

    /** This node's {@link Stats}: local reads only. */
    public Stats stats() {
        int local = 0;
        String me = core.cluster.name();
        for (Registration r : view.values()) if (r.pid().node().equals(me)) local++;
        return new Stats(view.size(), local, core.conflicts.get(), core.map.stats());
    }

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
        for (String node : core.cluster.connectedNodes()) {
            try {
                if (!pid.equals(core.callRemote(node, RegistryRequest.Whereis::new, key))) return false;
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
        core.close(); // the meta map's replicator is a child of the same service
    }
}
