package dev.cohort.crdt.replicator;

import dev.cohort.cluster.ClusterNode;
import dev.cohort.cluster.wire.FrameException;
import dev.cohort.cluster.wire.Serializer;
import dev.cohort.crdt.AWLWWMapReplica;
import dev.cohort.crdt.DeltaCodec;
import dev.cohort.crdt.MerkleTree;
import dev.cohort.process.Address;
import dev.cohort.server.GenServer;
import dev.cohort.server.StartOptions;
import dev.cohort.supervisor.ChildSpec;
import dev.cohort.supervisor.Supervisor;
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
    /** How long a restarted replicator waits for its predecessor to finish stopping. */
    private static final Duration PREDECESSOR_WAIT = Duration.ofSeconds(10);

    private final ClusterNode cluster;
    private final String mapName;
    private final String serverName;
    private final Address server;
    private final DeltaCodec<K, V> codec;
    private final ToLongFunction<K> keyHash;
    private final Options options;
    /** Starts of the replicator so far: each writes under its own replica id. */
    private final java.util.concurrent.atomic.AtomicInteger starts = new java.util.concurrent.atomic.AtomicInteger();
    /** Subscribers, kept here so that a restarted replicator feeds them too; changed only on the replicator. */
    private final List<Subscription<K, V>> subscribers = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile boolean inSystemTree;

    private ReplicatedMap(ClusterNode cluster, String mapName, DeltaCodec<K, V> codec, DeltaCodec.Values values, Options options) {
        this.cluster = cluster;
        this.mapName = mapName;
        this.serverName = "cohort.crdt." + mapName;
        this.server = Address.name(serverName);
        this.codec = codec;
        this.keyHash = k -> k instanceof String s ? MerkleTree.hashOf(s) : MerkleTree.hashOf(values.encode(k));
        this.options = options;
    }

    /** A subscriber: its feed, and what it does when the replicator restarts (before the replay). */
    record Subscription<K, V>(Consumer<AWLWWMapReplica.Change<K, V>> listener, Runnable onRestart) {}

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
     * Settings of this node's replica of map {@code name}, then {@link Builder#start()}. Keys and
     * values travel through a {@link Builder#serializer} (their classes on its allow-list) or an
     * explicit {@link Builder#values} codec.
     */
    public static <K, V> Builder<K, V> builder(ClusterNode cluster, String name, Class<K> keyType, Class<V> valueType) {
        return new Builder<>(cluster, name, keyType, valueType);
    }

    /** The id of this map's service in the system tree, and the name of its supervisor. */
    public String serviceId() { return ClusterNode.SERVICE_PREFIX + "crdt." + mapName; }

    /**
     * The service as a child spec: a one-for-one supervisor of the replicator, named
     * {@link #serviceId()}. {@link Builder#start()} places it in the node's system tree; place it
     * under a supervisor of your own instead with {@link Builder#build()} and this. A restarted
     * replicator writes under a new replica id (the old one is retired like a departed
     * incarnation's), reloads its store if it has one, re-syncs from its neighbours, and replays
     * its state to every subscriber.
     */
    public ChildSpec childSpec() {
        return ChildSpec.supervisor(serviceId(), Supervisor.builder().name(serviceId()).child(replicatorSpec()).build());
    }

    /** The replicator alone, as a worker child: for a service that supervises it with its own processes (a registry does). */
    public ChildSpec replicatorSpec() {
        return ChildSpec.worker("replicator", sup -> {
            Supervisor.awaitNameFree(sup, serverName, PREDECESSOR_WAIT); // a predecessor may still be saving
            ReplicatorServer<K, V> s = new ReplicatorServer<>(cluster, serverName, codec, keyHash, options,
                    starts.incrementAndGet(), subscribers);
            return GenServer.startLink(sup, s, StartOptions.named(serverName));
        });
    }

    /** Builds a {@link ReplicatedMap}. */
    public static final class Builder<K, V> {
        private final ClusterNode cluster;
        private final String name;
        private final Class<K> keyType;
        private final Class<V> valueType;
        private DeltaCodec.Values values;
        private Options options = Options.defaults();

        private Builder(ClusterNode cluster, String name, Class<K> keyType, Class<V> valueType) {
            this.cluster = Objects.requireNonNull(cluster, "cluster");
            this.name = Objects.requireNonNull(name, "name");
            dev.cohort.process.Node.checkName("cohort.crdt." + name, "a replicated map's name");
            this.keyType = Objects.requireNonNull(keyType, "keyType");
            this.valueType = Objects.requireNonNull(valueType, "valueType");
        }

        /** Keys and values through {@code serializer}: their classes must be on its allow-list. */
        public Builder<K, V> serializer(Serializer serializer) {
            Objects.requireNonNull(serializer, "serializer");
            this.values = new DeltaCodec.Values() {
                @Override public byte[] encode(Object value) { return serializer.serialize(value); }

                @Override public Object decode(byte[] bytes) throws DeltaCodec.Malformed {
                    try {
                        return serializer.deserialize(bytes);
                    } catch (FrameException e) {
                        throw new DeltaCodec.Malformed(e.getMessage(), e);
                    }
                }
            };
            return this;
        }

        /**
         * An explicit codec for keys and values that are not Strings, Integers or Longs (those
         * are encoded natively). A key's encoding must be deterministic: it is hashed to place the
         * key in the Merkle tree.
         */
        public Builder<K, V> values(DeltaCodec.Values values) { this.values = Objects.requireNonNull(values, "values"); return this; }

        /** Sync interval, keys per message, Merkle depth, retirement and store (default {@link Options#defaults()}). */
        public Builder<K, V> options(Options options) { this.options = Objects.requireNonNull(options, "options"); return this; }

        /** The map, not started: place {@link ReplicatedMap#childSpec()} under a supervisor of your own. */
        public ReplicatedMap<K, V> build() {
            if (values == null) throw new IllegalStateException("a replicated map needs a serializer or a values codec");
            return new ReplicatedMap<>(cluster, name, new DeltaCodec<>(values, keyType, valueType), values, options);
        }

        /**
         * Starts this node's replica as a service of the node's system tree.
         *
         * @throws IllegalArgumentException if this node runs a map of that name already
         */
        public ReplicatedMap<K, V> start() {
            ReplicatedMap<K, V> map = build();
            cluster.startService(map.childSpec());
            map.inSystemTree = true;
            return map;
        }
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
        subscribe(listener, () -> {});
    }

    /**
     * As {@link #subscribe(Consumer)}; if the replicator restarts, {@code onRestart} runs on the
     * new replicator before it replays its state (a subscriber that keeps a view of the map
     * clears it there: the new replica starts from its store, or empty, and re-syncs).
     */
    public void subscribe(Consumer<AWLWWMapReplica.Change<K, V>> listener, Runnable onRestart) {
        cluster.node().call(server, new ReplicatorServer.Subscribe(new Subscription<>(Objects.requireNonNull(listener, "listener"),
                Objects.requireNonNull(onRestart, "onRestart"))), CALL);
    }

    /** The address of this map's process on {@code node}. */
    public Address on(String node) { return Address.remote(serverName, node); }

    /**
     * Stops this replica (saving its state to the store, if any) and removes its service from the
     * system tree; the other replicas keep the map. A map placed under a supervisor of your own
     * is stopped by that supervisor: then this does nothing.
     */
    @Override
    public void close() {
        if (inSystemTree) cluster.stopService(serviceId());
    }
}
