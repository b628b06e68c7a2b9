package dev.cohort.crdt.replicator;

import dev.cohort.cluster.ClusterNode;
import dev.cohort.cluster.wire.FrameException;
import dev.cohort.cluster.wire.Serializer;
import dev.cohort.crdt.AWLWWMapReplica;
import dev.cohort.crdt.DeltaCodec;
import dev.cohort.crdt.MerkleTree;
import dev.cohort.process.Address;
import dev.cohort.process.Pid;
import dev.cohort.server.GenServer;
import dev.cohort.server.StartOptions;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.function.Consumer;
import java.util.function.ToLongFunction;

/**
 * A map replicated on every node that starts one under the same name: an add-wins,
 * last-writer-wins {@link dev.cohort.crdt.AWLWWMap} kept by one process per node.
 *
 * <p>A write is applied on this node before the call returns (read-your-writes), then shipped
 * as a delta to every neighbour at once (writes queued behind each other travel together). Every
 * {@code syncInterval}, Merkle anti-entropy ({@link dev.cohort.crdt.AntiEntropy}) with each
 * neighbour repairs what deltas missed: at most one sync in flight per neighbour, at most
 * {@code maxSyncKeys} keys per message, and a context that covers only what is shipped, so a
 * receiver never deletes a key it was not told about. A sync that found differences is followed by
 * the next at once. Neighbours default to every connected node; {@link #neighbours} fixes them.
 *
 * <p>Each node incarnation writes under its own replica id ({@code node/creation}). Ids of
 * incarnations that are gone (restarted, or absent longer than {@code retireAfter}) are
 * retired: their live writes are adopted by one surviving replica and the id is dropped from
 * every context, so restarts do not grow the state. A node that returns after being away longer
 * than {@code retireAfter} may bring back writes removed while it was away.
 *
 * <p>Not guaranteed: a write acknowledged here survives this node's death only if a delta or a
 * sync reached another replica first, or if a {@link ReplicaStore} saved it.
 * Keys must serialize deterministically (Strings are hashed directly).
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

    /**
     * Settings: how often anti-entropy runs, how many keys one message may carry, the Merkle
     * tree's depth (the same on every node; 2^depth leaves, 16 suits up to millions of keys),
     * how long an absent node's replica id is kept, and where the state is saved (null: nowhere).
     */
    public record Options(Duration syncInterval, int maxSyncKeys, int merkleDepth, Duration retireAfter, ReplicaStore store) {
        public Options {
            Objects.requireNonNull(syncInterval, "syncInterval");
            Objects.requireNonNull(retireAfter, "retireAfter");
            if (syncInterval.isNegative() || syncInterval.isZero()) throw new IllegalArgumentException("syncInterval must be positive");
            if (maxSyncKeys < 1) throw new IllegalArgumentException("maxSyncKeys must be >= 1, got " + maxSyncKeys);
            if (merkleDepth < 1 || merkleDepth > 24) throw new IllegalArgumentException("merkleDepth must be 1..24, got " + merkleDepth);
        }

        /** Sync every 500 ms, 500 keys per message, depth 16, ids of absent nodes kept 10 minutes, no store. */
        public static Options defaults() { return new Options(Duration.ofMillis(500), 500, 16, Duration.ofMinutes(10), null); }

        public Options withSyncInterval(Duration d) { return new Options(d, maxSyncKeys, merkleDepth, retireAfter, store); }

        public Options withMaxSyncKeys(int n) { return new Options(syncInterval, n, merkleDepth, retireAfter, store); }

        public Options withMerkleDepth(int d) { return new Options(syncInterval, maxSyncKeys, d, retireAfter, store); }

        public Options withRetireAfter(Duration d) { return new Options(syncInterval, maxSyncKeys, merkleDepth, d, store); }

        public Options withStore(ReplicaStore s) { return new Options(syncInterval, maxSyncKeys, merkleDepth, retireAfter, s); }
    }

    /**
     * What this replica has done: its id, its size, its Merkle root (equal roots: equal content), the
     * replica ids its context mentions, deltas and their bytes sent, syncs started and the bytes of
     * sync messages sent, retired ids forgotten, messages from other nodes refused (malformed, or
     * failing a check: a counter of this replica it never reached, a timestamp too far ahead of
     * this node's clock), and per neighbour what replication with it looks like.
     */
    public record Stats(String replicaId, int size, long merkleRoot, SortedSet<String> replicaIds, long deltasSent, long deltaBytes,
                        long syncsStarted, long syncBytes, long retiredIds, long refused, Map<String, PeerStats> peers) {}

    /**
     * Replication with one neighbour, as this replica sees it.
     *
     * @param lastSyncMillis wall-clock time when the last anti-entropy sync this replica started
     *                       with it ended (0: none yet); its age is the sync lag
     * @param deltasSent deltas sent to it
     * @param deltasUnconfirmed deltas sent after the start of that sync: in flight or lost, as far
     *                          as this replica can know (deltas are not acknowledged one by one;
     *                          a sync that ends confirms everything sent before it started, since
     *                          links deliver in order)
     * @param syncInFlight whether a sync with it is running now
     */
    public record PeerStats(long lastSyncMillis, long deltasSent, long deltasUnconfirmed, boolean syncInFlight) {}

    /**
     * Starts this node's replica of map {@code name}. Keys and values travel through
     * {@code serializer}, so their classes must be on its allow-list.
     */
    public static <K, V> ReplicatedMap<K, V> start(ClusterNode cluster, String name, Serializer serializer,
                                                   Class<K> keyType, Class<V> valueType, Options options) {
        DeltaCodec.Values values = new DeltaCodec.Values() {
            @Override public byte[] encode(Object value) { return serializer.serialize(value); }

            @Override public Object decode(byte[] bytes) throws DeltaCodec.Malformed {
                try {
                    return serializer.deserialize(bytes);
                } catch (FrameException e) {
                    throw new DeltaCodec.Malformed(e.getMessage(), e);
                }
            }
        };
        return start(cluster, name, values, keyType, valueType, options);
    }

    /**
     * The same with an explicit codec for keys and values that are not Strings, Integers or
     * Longs (those are encoded natively). A key's encoding must be deterministic: it is hashed to
     * place the key in the Merkle tree.
     */
    public static <K, V> ReplicatedMap<K, V> start(ClusterNode cluster, String name, DeltaCodec.Values values,
                                                   Class<K> keyType, Class<V> valueType, Options options) {
        String serverName = "cohort.crdt." + Objects.requireNonNull(name, "name");
        Objects.requireNonNull(options, "options");
        DeltaCodec<K, V> codec = new DeltaCodec<>(values, keyType, valueType);
        ToLongFunction<K> keyHash = k -> k instanceof String s ? MerkleTree.hashOf(s) : MerkleTree.hashOf(values.encode(k));
        ReplicatorServer<K, V> s = new ReplicatorServer<>(cluster, serverName, codec, keyHash, options);
        Pid pid = GenServer.start(cluster.node(), s, StartOptions.named(serverName));
        cluster.monitorNodes(pid); // node events as messages, ending with the replicator
        for (String n : cluster.connectedNodes()) cluster.node().send(pid, new ClusterNode.NodeEvent(n, true));
        return new ReplicatedMap<>(cluster, pid, serverName);
    }

    /** Writes {@code key = value}; visible here when this returns, elsewhere about one network hop later. */
    public void put(K key, V value) {
        cluster.node().call(server, new ReplicatorServer.Put(Objects.requireNonNull(key, "key"), value), CALL);
    }

    /** Writes every entry of {@code entries} at once (one delta). */
    public void putAll(Map<K, V> entries) {
        cluster.node().call(server, new ReplicatorServer.PutAll(Map.copyOf(entries)), CALL);
    }

    /** Removes {@code key} (add wins over a concurrent put elsewhere). */
    public void remove(K key) {
        cluster.node().call(server, new ReplicatorServer.Remove(key), CALL);
    }

    /** Removes every key of {@code keys} at once (one delta). */
    public void removeAll(Collection<K> keys) {
        cluster.node().call(server, new ReplicatorServer.RemoveAll(List.copyOf(keys)), CALL);
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

    /** Counters and the replica ids known here, for monitoring and tests. */
    public Stats stats() {
        return (Stats) cluster.node().call(server, ReplicatorServer.Query.STATS, CALL);
    }

    /** Fixes the neighbours (node names) instead of following membership; an empty set isolates this replica. */
    public void neighbours(Set<String> nodes) {
        cluster.node().call(server, new ReplicatorServer.Neighbours(Set.copyOf(nodes)), CALL);
    }

    /**
     * Called, on the replicator's process, first with every entry present (a change from nothing),
     * then for every key whose visible value changes here, by a local or a remote write: no change
     * falls between the snapshot and the feed.
     */
    public void subscribe(Consumer<AWLWWMapReplica.Change<K, V>> listener) {
        cluster.node().call(server, new ReplicatorServer.Subscribe(listener), CALL);
    }

    /** The address of this map's process on {@code node}. */
    public Address on(String node) { return Address.remote(serverName, node); }

    /** Stops this replica (saving its state to the store, if any); the other replicas keep the map. */
    @Override
    public void close() {
        GenServer.stop(cluster.node(), server, dev.cohort.process.ExitReason.NORMAL, CALL);
    }
}
