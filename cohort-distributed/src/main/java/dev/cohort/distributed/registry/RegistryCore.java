package dev.cohort.distributed.registry;

import dev.cohort.cluster.ClusterNode;
import dev.cohort.cluster.wire.Serializer;
import dev.cohort.crdt.AWLWWMapReplica;
import dev.cohort.crdt.replicator.ReplicatedMap;
import dev.cohort.process.Address;
import dev.cohort.process.Pid;
import dev.cohort.server.GenServer;
import dev.cohort.server.StartOptions;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * What {@link DistributedRegistry} and {@link ProcessGroups} share: a replicated map of
 * registrations by entry key, the {@link RegistryServer} that alone writes this node's entries,
 * a local view of the map for lock-free reads, and the change feed.
 */
final class RegistryCore {
    static final Duration CALL = Duration.ofSeconds(10);

    final ClusterNode cluster;
    final String name;
    final String serverName;
    final Pid server;
    final ReplicatedMap<Object, Registration> map;
    /** Entry key to registration, as this node sees it; updated on the replicator's process before a write returns. */
    final Map<Object, Registration> view;
    final RegistrationCodec codec;
    /** Conflicts settled on this node (see {@link RegistryServer#conflicts}). */
    final java.util.concurrent.atomic.AtomicLong conflicts;

    private RegistryCore(ClusterNode cluster, String name, String serverName, Pid server, ReplicatedMap<Object, Registration> map,
                         Map<Object, Registration> view, RegistrationCodec codec, java.util.concurrent.atomic.AtomicLong conflicts) {
        this.conflicts = conflicts;
        this.cluster = cluster;
        this.name = name;
        this.serverName = serverName;
        this.server = server;
        this.map = map;
        this.view = view;
        this.codec = codec;
    }

    /**
     * Starts the map {@code kind.name} and its server; {@code onChange} sees every change of an
     * entry (after the view), on the replicator's process.
     */
    static RegistryCore start(ClusterNode cluster, String kind, String name, Serializer serializer, ReplicatedMap.Options options,
                              ConflictResolver resolver, Consumer<AWLWWMapReplica.Change<Object, Registration>> onChange) {
        Objects.requireNonNull(name, "name");
        Map<Object, Registration> view = new ConcurrentHashMap<>();
        RegistrationCodec codec = new RegistrationCodec(serializer);
        ReplicatedMap<Object, Registration> map = ReplicatedMap.start(cluster, kind + "." + name, codec,
                Object.class, Registration.class, options);
        RegistryServer server = new RegistryServer(cluster, name, map, view, codec, resolver);
        String serverName = "cohort." + kind + "." + name;
        Pid pid = GenServer.start(cluster.node(), server, StartOptions.named(serverName));
        map.subscribe(change -> {
            Registration after = change.after().orElse(null);
            if (after != null) view.put(change.key(), after);
            else view.remove(change.key());
            onChange.accept(change);
            server.changed(change);
        });
        cluster.monitorNodes(pid); // node events as messages, ending with the server
        return new RegistryCore(cluster, name, serverName, pid, map, view, codec, server.conflicts);
    }

    /** Asks this node's server; rethrows what it answers as an exception. */
    /**
     * Checks a key (or group) before it enters the replicated map: at most
     * {@link DistributedRegistry#MAX_KEY_BYTES} bytes as the map encodes it (a String: its UTF-8).
     */
    void checkKey(Object key, String what) {
        java.util.Objects.requireNonNull(key, what);
        int bytes = key instanceof String s ? (s.length() * 3 <= DistributedRegistry.MAX_KEY_BYTES ? 0
                : s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length) : codec.encode(key).length - 1;
        if (bytes > DistributedRegistry.MAX_KEY_BYTES) {
            throw new IllegalArgumentException(what + " must be at most " + DistributedRegistry.MAX_KEY_BYTES
                    + " bytes encoded, got " + bytes + " (a " + key.getClass().getName() + ")");
        }
    }

    Object call(Object request) {
        Object r = cluster.node().call(server, request, CALL);
        if (r instanceof RuntimeException e) throw e;
        return r;
    }

    /** Asks the server on {@code node} (a tagged byte array: no class of ours needs the allow-list). */
    Object callRemote(String node, byte tag, Object key) {
        byte[] k = codec.encode(key);
        byte[] request = new byte[k.length + 1];
        request[0] = tag;
        System.arraycopy(k, 0, request, 1, k.length);
        Object r = cluster.node().call(Address.remote(serverName, node), request, CALL);
        if (r instanceof RuntimeException e) throw e;
        return r;
    }

    void close() {
        GenServer.stop(cluster.node(), server, dev.cohort.process.ExitReason.NORMAL, CALL);
        map.close();
    }
}
