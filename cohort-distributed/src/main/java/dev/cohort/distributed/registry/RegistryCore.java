package dev.cohort.distributed.registry;

import dev.cohort.cluster.ClusterNode;
import dev.cohort.cluster.wire.Serializer;
import dev.cohort.crdt.AWLWWMapReplica;
import dev.cohort.crdt.replicator.ReplicatedMap;
import dev.cohort.process.Address;
import dev.cohort.server.GenServer;
import dev.cohort.server.StartOptions;
import dev.cohort.supervisor.ChildSpec;
import dev.cohort.supervisor.Strategy;
import dev.cohort.supervisor.Supervisor;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * What {@link DistributedRegistry} and {@link ProcessGroups} share: a replicated map of
 * registrations by entry key, the {@link RegistryServer} that alone writes this node's entries,
 * a local view of the map for lock-free reads, and the change feed.
 *
 * <p>As a service it is a <em>one-for-all</em> supervisor of the map's replicator (and any extra maps) and the server, as Horde's registry supervises its CRDT
 * and its server together: one restarts only with the other. A restart clears the view, and the
 * new replicator re-syncs from the neighbours; the new server registers again every entry of
 * this node whose process lives ({@link #own}) and watches those processes again.
 */
final class RegistryCore {
    static final Duration CALL = Duration.ofSeconds(10);

    final ClusterNode cluster;
    final String name;
    final String serverName;
    final Address server;
    final String serviceId;
    final ReplicatedMap<Object, Registration> map;
    /** Entry key to registration, as this node sees it; updated on the replicator's process before a write returns. */
    final Map<Object, Registration> view = new ConcurrentHashMap<>();
    /**
     * The entries of this node's processes, as its server last wrote them: kept outside the server
     * so that its successor registers them again (the successor checks each process still lives).
     */
    final Map<Object, Registration> own = new ConcurrentHashMap<>();
    final RegistrationCodec codec;
    /** Conflicts settled on this node (see {@link RegistryServer}). */
    final AtomicLong conflicts = new AtomicLong();
    private final ConflictResolver resolver;
    private final List<ReplicatedMap<?, ?>> extraMaps;
    private volatile boolean inSystemTree;

    private RegistryCore(ClusterNode cluster, String kind, String name, Serializer serializer, ReplicatedMap.Options options,
                         ConflictResolver resolver, java.util.function.Function<RegistryCore, List<ReplicatedMap<?, ?>>> extraMaps) {
        this.cluster = Objects.requireNonNull(cluster, "cluster");
        this.name = Objects.requireNonNull(name, "name");
        this.resolver = resolver;
        this.codec = new RegistrationCodec(Objects.requireNonNull(serializer, "serializer"));
        this.serverName = "cohort." + kind + "." + name;
        this.server = Address.name(serverName);
        this.serviceId = ClusterNode.SERVICE_PREFIX + kind + "." + name;
        this.map = ReplicatedMap.builder(cluster, kind + "." + name, Object.class, Registration.class)
                .values(codec).options(Objects.requireNonNull(options, "options")).build();
        this.extraMaps = List.copyOf(extraMaps.apply(this));
    }

    /**
     * The service, not started: {@code kind.name}'s map, server and view. {@code onChange} sees
     * every change of an entry (after the view), on the replicator's process; {@code onRestart}
     * runs there when the service restarts, before the new replica's state is replayed (a caller
     * keeping its own view clears it). {@code extraMaps} makes further maps of the service
     * (supervised with it, as their replicators are started after the registry's own).
     */
    static RegistryCore create(ClusterNode cluster, String kind, String name, Serializer serializer, ReplicatedMap.Options options,
                               ConflictResolver resolver, Consumer<AWLWWMapReplica.Change<Object, Registration>> onChange, Runnable onRestart,
                               java.util.function.Function<RegistryCore, List<ReplicatedMap<?, ?>>> extraMaps) {
        RegistryCore core = new RegistryCore(cluster, kind, name, serializer, options, resolver, extraMaps);
        core.feed = onChange;
        core.onRestart = onRestart;
        return core;
    }

    private Consumer<AWLWWMapReplica.Change<Object, Registration>> feed;
    private Runnable onRestart;
    private final java.util.concurrent.atomic.AtomicBoolean subscribed = new java.util.concurrent.atomic.AtomicBoolean();

    /** The service as a child spec: a one-for-all supervisor named {@link #serviceId} of the replicators and the server. */
    ChildSpec childSpec() {
        Supervisor.Builder b = Supervisor.builder().name(serviceId).strategy(Strategy.ONE_FOR_ALL).child(map.replicatorSpec());
        for (int i = 0; i < extraMaps.size(); i++) b.child(extraMaps.get(i).replicatorSpec().withId("replicator." + (i + 1)));
        b.child(ChildSpec.worker("server", sup -> {
            subscribeOnce(); // the first start: the replicator runs, and keeps the subscription for its successors
            Supervisor.awaitNameFree(sup, serverName, CALL); // a predecessor may still be stopping
            return GenServer.startLink(sup, new RegistryServer(this, resolver), StartOptions.named(serverName));
        }));
        return ChildSpec.supervisor(serviceId, b.build());
    }

    private void subscribeOnce() {
        if (!subscribed.compareAndSet(false, true)) return;
        map.subscribe(change -> {
            Registration after = change.after().orElse(null);
            if (after != null) view.put(change.key(), after);
            else view.remove(change.key());
            feed.accept(change);
            changed(change);
        }, () -> {
            view.clear();
            onRestart.run();
        });
    }

    /** Starts the service in the node's system tree. */
    RegistryCore start() {
        cluster.startService(childSpec());
        inSystemTree = true;
        return this;
    }

    /**
     * Called on the replicator's process for every change: tells the server of what concerns
     * local processes, a key one of them held going elsewhere, or an entry of a local process
     * arriving (after a restart, the server watches it again).
     */
    private void changed(AWLWWMapReplica.Change<Object, Registration> c) {
        Registration before = c.before().orElse(null), after = c.after().orElse(null);
        String me = cluster.name();
        if (before != null && before.pid().node().equals(me) && (after == null || !after.pid().equals(before.pid()))) {
            cluster.node().send(server, new RegistryServer.LostKey(c.key(), before, after));
        }
        if (after != null && after.pid().node().equals(me) && !own.containsKey(c.key())) {
            cluster.node().send(server, new RegistryServer.Arrived(c.key(), after));
        }
    }

    /**
     * Checks a key (or group) before it enters the replicated map: at most
     * {@link DistributedRegistry#MAX_KEY_BYTES} bytes as the map encodes it (a String: its UTF-8).
     */
    void checkKey(Object key, String what) {
        Objects.requireNonNull(key, what);
        int bytes = key instanceof String s ? (s.length() * 3 <= DistributedRegistry.MAX_KEY_BYTES ? 0
                : s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length) : codec.encode(key).length - 1;
        if (bytes > DistributedRegistry.MAX_KEY_BYTES) {
            throw new IllegalArgumentException(what + " must be at most " + DistributedRegistry.MAX_KEY_BYTES
                    + " bytes encoded, got " + bytes + " (a " + key.getClass().getName() + ")");
        }
    }

    /** Asks this node's server; rethrows what it answers as an exception. */
    Object call(Object request) {
        Object r = cluster.node().call(server, request, CALL);
        if (r instanceof RuntimeException e) throw e;
        return r;
    }

    /** Asks the server on {@code node} ({@code request} makes the request of the encoded key). */
    Object callRemote(String node, java.util.function.Function<byte[], RegistryRequest> request, Object key) {
        Object r = cluster.node().call(Address.remote(serverName, node), request.apply(codec.encode(key)), CALL);
        if (r instanceof RuntimeException e) throw e;
        return r;
    }

    /** Stops the service, if this core started it in the system tree. */
    void close() {
        if (inSystemTree) cluster.stopService(serviceId);
    }
}
