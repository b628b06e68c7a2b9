package dev.cohort.crdt.replicator;

import dev.cohort.cluster.ClusterNode;
import dev.cohort.cluster.wire.FrameException;
import dev.cohort.cluster.wire.Serializer;
import dev.cohort.crdt.AWLWWMapReplica;
import dev.cohort.crdt.DeltaCodec;
import dev.cohort.process.Address;
import dev.cohort.process.Pid;
import dev.cohort.server.GenServer;
import dev.cohort.server.StartOptions;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A map replicated on every node that starts one under the same name: an add-wins,
 * last-writer-wins {@link dev.cohort.crdt.AWLWWMap} kept by one process per node (in progress,
 * issue 4: neighbours, delta shipping and slice anti-entropy are here; Merkle-descent sync,
 * replica-id collection and storage are not yet).
 *
 * <p>A write is applied on this node before the call returns (read-your-writes), then shipped
 * as a delta to every neighbour at once. Anti-entropy runs every {@code syncInterval}: to each
 * neighbour, at most one slice of at most {@code maxSyncKeys} keys is in flight; a slice's
 * context covers only the keys it carries, so a receiver never deletes a key it was not sent,
 * and the answer carries back what the receiver knows about those keys (including removals).
 * Neighbours default to every connected node; {@link #neighbours} fixes them.
 */
public final class ReplicatedMap<K, V> implements AutoCloseable {
    private static final Duration CALL = Duration.ofSeconds(10);

    private final ClusterNode cluster;
    private final Pid server;
    private final String serverName;

    private ReplicatedMap(ClusterNode cluster, Pid server, String serverName) {
        this.cluster = cluster;
        this.server = server;
        this.serverName = serverName;
    }

    /** Settings. */
    public record Options(Duration syncInterval, int maxSyncKeys) {
        public Options {
            Objects.requireNonNull(syncInterval, "syncInterval");
            if (maxSyncKeys < 1) throw new IllegalArgumentException("maxSyncKeys must be >= 1");
        }

        public static Options defaults() { return new Options(Duration.ofMillis(500), 500); }
    }

    /**
     * Starts this node's replica of map {@code name}. Keys and values travel through the
     * cluster's serializer, so their classes must be on its allow-list.
     */
    public static <K, V> ReplicatedMap<K, V> start(ClusterNode cluster, String name, Serializer serializer,
                                                   Class<K> keyType, Class<V> valueType, Options options) {
        String serverName = "cohort.crdt." + Objects.requireNonNull(name, "name");
        DeltaCodec<K, V> codec = new DeltaCodec<>(new DeltaCodec.Values() {
            @Override public byte[] encode(Object value) { return serializer.serialize(value); }

            @Override public Object decode(byte[] bytes) throws DeltaCodec.Malformed {
                try {
                    return serializer.deserialize(bytes);
                } catch (FrameException e) {
                    throw new DeltaCodec.Malformed(e.getMessage(), e);
                }
            }
        }, keyType, valueType);
        ReplicatorServer<K, V> s = new ReplicatorServer<>(cluster, serverName, codec, options);
        Pid pid = GenServer.start(cluster.node(), s, StartOptions.named(serverName));
        cluster.onNodeEvent(e -> cluster.node().send(pid, new ReplicatorServer.Membership(e.node(), e.up())));
        for (String n : cluster.connectedNodes()) cluster.node().send(pid, new ReplicatorServer.Membership(n, true));
        return new ReplicatedMap<>(cluster, pid, serverName);
    }

    /** Writes {@code key = value}; visible here when this returns, elsewhere about one network hop later. */
    public void put(K key, V value) {
        cluster.node().call(server, new ReplicatorServer.Put(key, value), CALL);
    }

    /** Removes {@code key} (add wins over a concurrent put elsewhere). */
    public void remove(K key) {
        cluster.node().call(server, new ReplicatorServer.Remove(key), CALL);
    }

    @SuppressWarnings("unchecked")
    public Optional<V> get(K key) {
        return (Optional<V>) cluster.node().call(server, new ReplicatorServer.Get(key), CALL);
    }

    @SuppressWarnings("unchecked")
    public Map<K, V> toMap() {
        return (Map<K, V>) cluster.node().call(server, ReplicatorServer.Query.TO_MAP, CALL);
    }

    public int size() {
        return (Integer) cluster.node().call(server, ReplicatorServer.Query.SIZE, CALL);
    }

    /** Fixes the neighbours (node names) instead of following membership; an empty set isolates this replica. */
    public void neighbours(Set<String> nodes) {
        cluster.node().call(server, new ReplicatorServer.Neighbours(Set.copyOf(nodes)), CALL);
    }

    /** Called, on the replicator's process, for every key whose visible value changed here, by a local or a remote write. */
    public void subscribe(Consumer<AWLWWMapReplica.Change<K, V>> listener) {
        cluster.node().call(server, new ReplicatorServer.Subscribe(listener), CALL);
    }

    /** The address of this map's process on {@code node}. */
    public Address on(String node) { return Address.remote(serverName, node); }

    @Override
    public void close() {
        GenServer.stop(cluster.node(), server, dev.cohort.process.ExitReason.NORMAL, CALL);
    }
}
