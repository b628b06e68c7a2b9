package dev.cohort.crdt.replicator;

import dev.cohort.cluster.ClusterNode;
import dev.cohort.crdt.AWLWWMap;
import dev.cohort.crdt.AWLWWMapReplica;
import dev.cohort.crdt.AntiEntropy;
import dev.cohort.crdt.DeltaCodec;
import dev.cohort.crdt.Dot;
import dev.cohort.time.HybridLogicalClock;
import dev.cohort.crdt.SyncCodec;
import dev.cohort.crdt.SyncStep;
import dev.cohort.process.Address;
import dev.cohort.process.ExitReason;
import dev.cohort.process.From;
import dev.cohort.process.ProcessContext;
import dev.cohort.server.GenServer;
import dev.cohort.server.Next;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process behind a {@link ReplicatedMap} on one node: it owns the replica, ships each local
 * change as a delta (changes queued behind each other go out as one), runs Merkle anti-entropy
 * with each neighbour (one sync in flight per neighbour), retires the replica ids of departed
 * node incarnations, and saves the state to the {@link ReplicaStore}, if any.
 */
final class ReplicatorServer<K, V> implements dev.cohort.server.TolerantServer<Void> {
    private static final Logger log = LoggerFactory.getLogger(ReplicatorServer.class);
    private static final Object TICK = "tick", FLUSH = "flush";
    /** A sync unanswered for this many sync intervals is given up (its steps were lost). */
    private static final int GIVE_UP_TICKS = 10;
    /** How long a flush waits while writes stream in. */
    static final java.time.Duration LINGER = java.time.Duration.ofNanos(200_000);

    record Put(Object key, Object value) {}
    record PutAll(Map<?, ?> entries) {}
    record Remove(Object key) {}
    record RemoveAll(Collection<?> keys) {}
    record Get(Object key) {}
    enum Query { TO_MAP, SIZE, STATS }
    record Neighbours(Set<String> nodes) {}
    record Subscribe(ReplicatedMap.Subscription<?, ?> subscription) {}
    private record Resync(String node) {}

    /** Anti-entropy with one neighbour: the sync this side started and has in flight (-1: none). */
    private static final class Peer {
        long inFlight = -1;
        int steps;
        int ticksWaiting;
        /** Syncs put off in a row while deltas flowed. */
        int deferred;
        /** Wall-clock millis when a sync this side started last ended (0: never). */
        long lastSync;
        /** Deltas sent to this neighbour; those sent before the start of the last ended sync are confirmed. */
        long deltasSent, sentAtStart, confirmed;
    }

    private final ClusterNode cluster;
    private final String serverName;
    private final String replicaId;
    private final DeltaCodec<K, V> codec;
    private final SyncCodec<K, V> syncCodec;
    private final ReplicatedMap.Options options;
    private final AWLWWMapReplica<K, V> replica = new AWLWWMapReplica<>();
    private final AntiEntropy<K, V> antiEntropy;
    private final HybridLogicalClock clock;
    private final Set<String> connected = new HashSet<>();
    private final Map<String, Long> absentSince = new HashMap<>();
    private final Map<String, String> liveIds = new HashMap<>();
    private final Map<String, Set<String>> retiredBy = new HashMap<>();
    private Set<String> fixedNeighbours;
    private final Map<String, Peer> peers = new HashMap<>();
    /** The map's subscribers: they outlive this process, so that its successor feeds them. */
    private final List<ReplicatedMap.Subscription<K, V>> subscribers;
    private final int incarnation;
    /** Keys written here since the last flush, and the dots those writes superseded: the next delta. */
    private Set<K> pendingKeys = new HashSet<>();
    private final Set<Dot> superseded = new HashSet<>();
    private long nextSync = 1;
    private long lastFlush = System.nanoTime() - LINGER.toNanos();
    private boolean dirty;
    private long lastDelta = System.nanoTime() - 3_600_000_000_000L;
    private long deltasSent, deltaBytes, syncsStarted, syncBytes, retired, refused;
    private ProcessContext self;

    /**
     * @param incarnation 1 for the first replicator of the map on this node, then one more per restart
     * @param subscribers the map's subscribers, shared with the replicators before and after this one
     */
    ReplicatorServer(ClusterNode cluster, String serverName, DeltaCodec<K, V> codec, ToLongFunction<K> keyHash,
                     ReplicatedMap.Options options, int incarnation, List<ReplicatedMap.Subscription<K, V>> subscribers) {
        this.cluster = cluster;
        this.incarnation = incarnation;
        this.subscribers = subscribers;
        this.serverName = serverName;
        this.codec = codec;
        this.syncCodec = new SyncCodec<>(codec);
        this.options = options;
        // one replica id per node incarnation and replicator start: a restarted node or replicator
        // must not reuse the dots of its previous life, which the others have seen (and may have
        // seen removed); the old id is retired as an earlier life of this node
        this.replicaId = cluster.name() + "/" + cluster.node().creation() + (incarnation > 1 ? "." + incarnation : "");
        this.clock = HybridLogicalClock.system(replicaId);
        this.antiEntropy = new AntiEntropy<>(replica, options.merkleDepth(), options.maxSyncKeys(), keyHash, new Random(),
                this::joinFromPeer);
    }

    @Override
    public Next<Void> init(ProcessContext self) throws Exception {
        this.self = self;
        self.trapExit(true); // so that its supervisor's shutdown runs terminate, which flushes and saves
        cluster.deliverWithOrigin(self.self()); // replication messages name their sender: check it
        cluster.monitorNodes(self.self()); // node events as messages, ending with this process
        connected.addAll(cluster.connectedNodes()); // after subscribing: no join falls between
        if (incarnation > 1) {
            log.info("{}: restarted as replica {}; re-syncing from {}", serverName, replicaId, connected);
            for (ReplicatedMap.Subscription<K, V> s : subscribers) {
                try {
                    s.onRestart().run();
                } catch (RuntimeException e) {
                    log.warn("{}: a subscriber failed on restart: {}", serverName, e.toString());
                }
            }
        }
        if (options.store() != null) {
            Optional<byte[]> saved = options.store().load();
            if (saved.isPresent()) {
                try {
                    join(codec.decode(saved.get()));
                } catch (DeltaCodec.Malformed e) {
                    // refuse to start rather than start empty and overwrite what may be the only copy
                    throw new IllegalStateException(options.store() + " does not hold a state of map " + serverName
                            + " (" + e.getMessage() + "); move it away to start this replica empty", e);
                }
                log.info("{}: recovered {} keys from {}", serverName, replica.size(), options.store());
            }
        }
        self.sendAfter(self.self(), TICK, options.syncInterval());
        return Next.ok(null);
    }

    private Set<String> neighbours() {
        return fixedNeighbours != null ? fixedNeighbours : connected;
    }

    @Override
    @SuppressWarnings("unchecked")
    public Next<Void> handleCall(Object request, From from, Void state) {
        switch (request) {
            case Put p -> write(List.of((K) p.key()), k -> replica.putInPlace(k, (V) p.value(), clock.now(), superseded));
            case PutAll p -> {
                Map<K, V> entries = (Map<K, V>) p.entries();
                write(entries.keySet(), k -> replica.putInPlace(k, entries.get(k), clock.now(), superseded));
            }
            case Remove r -> write(List.of((K) r.key()), k -> replica.removeInPlace(k, superseded));
            case RemoveAll r -> write((Collection<K>) r.keys(), k -> replica.removeInPlace(k, superseded));
            case Get g -> { return Next.reply(replica.get((K) g.key()), state); }
            case Query q when q == Query.TO_MAP -> { return Next.reply(replica.toMap(), state); }
            case Query q when q == Query.SIZE -> { return Next.reply(replica.size(), state); }
            case Query q -> { return Next.reply(stats(), state); }
            case Neighbours n -> {
                fixedNeighbours = n.nodes();
                peers.keySet().retainAll(n.nodes());
            }
            case Subscribe s -> {
                ReplicatedMap.Subscription<K, V> sub = (ReplicatedMap.Subscription<K, V>) s.subscription();
                replay(sub.listener());
                subscribers.add(sub);
            }
            case null, default -> {
                // as gen_server does with a call it does not understand: say so, and live on
                log.warn("{}: refused an unknown request {}", serverName, request == null ? "null" : request.getClass().getName());
                return Next.reply(new IllegalArgumentException("unknown request " + request), state);
            }
        }
        return Next.reply(Boolean.TRUE, state);
    }

    private ReplicatedMap.Stats stats() {
        Map<String, ReplicatedMap.PeerStats> out = new java.util.TreeMap<>();
        for (String n : neighbours()) {
            Peer p = peers.get(n);
            out.put(n, p == null ? new ReplicatedMap.PeerStats(0, 0, 0, false)
                    : new ReplicatedMap.PeerStats(p.lastSync, p.deltasSent, p.deltasSent - p.confirmed, p.inFlight >= 0));
        }
        return new ReplicatedMap.Stats(replicaId, replica.size(), antiEntropy.root(), new TreeSet<>(replica.replicas()), deltasSent, deltaBytes,
                syncsStarted, syncBytes, retired, refused, out);
    }

    /**
     * Local writes of {@code keys}: apply each, report changes, and note the keys for the next
     * delta. The first write after a flush sends this process a flush message: writes made before
     * it is handled (already waiting in the mailbox) go out together as one delta, and a lone write
     * goes out at once. A write less than {@link #LINGER} after the last flush waits for the rest of
     * it, so that a caller writing key after key, each waiting for its reply, sends a delta per 200
     * microseconds rather than one per write.
     */
    private void write(Collection<K> keys, Consumer<K> change) {
        dirty = true;
        for (K k : keys) {
            Optional<V> before = subscribers.isEmpty() ? null : replica.get(k);
            change.accept(k);
            if (before != null) {
                Optional<V> now = replica.get(k);
                if (!now.equals(before)) publish(new AWLWWMapReplica.Change<>(k, before, now));
            }
        }
        if (neighbours().isEmpty()) { // anti-entropy reaches nodes that come later
            superseded.clear();
            return;
        }
        if (pendingKeys.isEmpty()) {
            if (System.nanoTime() - lastFlush < LINGER.toNanos()) self.sendAfter(self.self(), FLUSH, LINGER);
            else self.send(self.self(), FLUSH);
        }
        pendingKeys.addAll(keys);
        if (pendingKeys.size() >= options.maxSyncKeys()) flush();
    }

    /** Ships a delta made here other than by a local write (an adoption) after what is pending. */
    private void ship(AWLWWMap<K, V> delta) {
        dirty = true;
        flush();
        send(delta);
    }

    private void flush() {
        if (pendingKeys.isEmpty()) return;
        AWLWWMap<K, V> delta = replica.slice(pendingKeys, superseded);
        pendingKeys = new HashSet<>();
        superseded.clear();
        lastFlush = System.nanoTime();
        send(delta);
    }

    private void send(AWLWWMap<K, V> delta) {
        byte[] bytes = new ReplicationMessage(ReplicationMessage.Kind.DELTA, replicaId, codec.encode(delta)).encode();
        lastDelta = System.nanoTime();
        for (String n : neighbours()) {
            self.send(Address.remote(serverName, n), bytes);
            peers.computeIfAbsent(n, x -> new Peer()).deltasSent++;
            deltasSent++;
            deltaBytes += bytes.length;
        }
    }

    /**
     * Hands a new subscriber every present entry as a change from nothing, before any later
     * change: the subscriber's view starts complete, whatever arrived before it subscribed.
     */
    private void replay(Consumer<AWLWWMapReplica.Change<K, V>> listener) {
        for (K k : List.copyOf(replica.keys())) {
            Optional<V> v = replica.get(k);
            if (v.isEmpty()) continue;
            try {
                listener.accept(new AWLWWMapReplica.Change<>(k, Optional.empty(), v));
            } catch (RuntimeException e) {
                log.warn("{}: a subscriber failed on {}: {}", serverName, k, e.toString());
            }
        }
    }

    private void publish(AWLWWMapReplica.Change<K, V> c) {
        for (ReplicatedMap.Subscription<K, V> s : subscribers) {
            try {
                s.listener().accept(c);
            } catch (RuntimeException e) {
                log.warn("{}: a subscriber failed on {}: {}", serverName, c.key(), e.toString());
            }
        }
    }

    @Override
    public Next<Void> handleInfo(Object message, Void state) {
        switch (message) {
            case byte[] b -> receive(null, b); // from this node
            case dev.cohort.cluster.FromNode f when f.message() instanceof byte[] b -> receive(f.node(), b);
            case dev.cohort.cluster.ClusterNode.NodeEvent e -> membership(e);
            case Resync r -> startSync(r.node());
            case null -> log.warn("{}: dropped a null message", serverName);
            case dev.cohort.process.Exit x -> { } // a linked process other than the supervisor: none is ours
            default -> {
                if (message == FLUSH) flush();
                else if (message == TICK) tick();
                else log.warn("{}: dropped an unknown message {}", serverName, message.getClass().getName());
            }
        }
        return Next.noReply(state);
    }

    private void membership(dev.cohort.cluster.ClusterNode.NodeEvent m) {
        if (m.up()) {
            connected.add(m.node());
            absentSince.remove(m.node());
        } else {
            connected.remove(m.node());
            absentSince.put(m.node(), self.node().clock().nanoTime()); // the node's clock: ManualTime drives retireAfter in tests
            peers.remove(m.node());
            liveIds.remove(m.node());
        }
    }

    /** @param origin the member the message came from (null: from this node) */
    private void receive(String origin, byte[] bytes) {
        ReplicationMessage m = ReplicationMessage.decode(bytes);
        if (m == null) {
            log.warn("{}: dropped a malformed replication message of {} bytes", serverName, bytes.length);
            return;
        }
        String node = m.senderNode();
        if (origin != null && !origin.equals(node)) {
            // no member speaks for another: a replica id names the node that sends it
            log.warn("{}: dropped a {} from {} that claims to come from replica {}", serverName, m.kind(), origin, m.sender());
            return;
        }
        if (connected.contains(node)) liveIds.put(node, m.sender());
        try {
            switch (m.kind()) {
                case DELTA -> {
                    joinFromPeer(codec.decode(m.body()));
                    lastDelta = System.nanoTime();
                }
                case SYNC -> sync(node, syncCodec.decode(m.body()));
                case RETIRED -> retiredBy(m.body(), node);
            }
        } catch (DeltaCodec.Malformed | Refused e) {
            refused++;
            log.warn("{}: dropped a {} from {}: {} ({} refused so far)", serverName, m.kind(), m.sender(), e.getMessage(), refused);
        } catch (RuntimeException e) {
            refused++;
            log.warn("{}: dropped a {} from {} that failed: {}", serverName, m.kind(), m.sender(), e.toString());
        }
    }

    private void sync(String node, SyncStep step) {
        if (step.fromOwner()) { // a sync the neighbour started: answer, keeping no state
            AntiEntropy.Outcome o = antiEntropy.handle(step);
            if (o.reply() != null) sendSync(node, o.reply());
            return;
        }
        Peer p = peers.get(node);
        if (p == null || p.inFlight != step.sync()) { // a sync given up on: keep what it carries
            antiEntropy.absorb(step);
            return;
        }
        p.steps++;
        p.ticksWaiting = 0;
        AntiEntropy.Outcome o = antiEntropy.handle(step);
        if (o.reply() != null) sendSync(node, o.reply());
        if (o.ended()) {
            p.inFlight = -1;
            p.lastSync = System.currentTimeMillis();
            p.confirmed = p.sentAtStart; // the links are FIFO: what was sent before the sync began has arrived
            // a sync that found differences is followed by the next at once, until one finds none
            if (p.steps > 1) self.send(self.self(), new Resync(node));
        }
    }

    /**
     * Starts a sync with {@code node} unless one is in flight. While deltas flow (one was sent or
     * received here within the last sync interval), a sync would mostly chase writes still on their
     * way, so it is put off, for at most {@link #GIVE_UP_TICKS} intervals in a row.
     */
    private void startSync(String node) {
        if (!neighbours().contains(node)) return;
        Peer p = peers.computeIfAbsent(node, x -> new Peer());
        if (p.inFlight >= 0) return;
        if (System.nanoTime() - lastDelta < options.syncInterval().toNanos() && p.deferred < GIVE_UP_TICKS) {
            p.deferred++;
            return;
        }
        p.deferred = 0;
        p.inFlight = nextSync++;
        p.sentAtStart = p.deltasSent;
        p.steps = 0;
        p.ticksWaiting = 0;
        syncsStarted++;
        sendSync(node, antiEntropy.start(p.inFlight));
    }

    private void sendSync(String node, SyncStep step) {
        byte[] bytes = new ReplicationMessage(ReplicationMessage.Kind.SYNC, replicaId, syncCodec.encode(step)).encode();
        syncBytes += bytes.length;
        self.send(Address.remote(serverName, node), bytes);
    }

    /** A delta or sync message from another node that fails a check: dropped whole, the replica unchanged. */
    private static final class Refused extends RuntimeException {
        Refused(String message) { super(message, null, false, false); }
    }

    /**
     * Joins a delta from another node after checking what no decoder can: that it claims no dot of
     * this replica beyond those this replica made (a context at 2^53 for this id would make every
     * later local write fail), and that none of its writes is stamped more than the clock's maximum
     * offset ahead of this node's wall clock (it would win every later race). A refused delta
     * changes nothing; anti-entropy offers its writes again, and once this node's clock has caught
     * up with a timestamp it is taken.
     */
    private void joinFromPeer(AWLWWMap<K, V> delta) {
        long claimed = delta.context().max(replicaId);
        // this replica's own dots are made in order, so they all sit in its vector: one lookup
        if (claimed > 0 && !replica.hasSeen(new Dot(replicaId, claimed))) {
            throw new Refused("it claims write " + claimed + " of this replica, which has made " + replica.maxCounter(replicaId));
        }
        Optional<dev.cohort.time.Timestamp> latest = delta.latestTimestamp();
        if (latest.isPresent() && !clock.observe(latest.get())) {
            throw new Refused("a write stamped " + (latest.get().millis() - System.currentTimeMillis())
                    + " ms ahead of this node's clock (the maximum offset is " + clock.maxOffset().toMillis() + " ms)");
        }
        apply(delta);
    }

    /** Joins a delta this node saved itself. */
    private void join(AWLWWMap<K, V> delta) {
        delta.latestTimestamp().ifPresent(clock::observe);
        apply(delta);
    }

    private void apply(AWLWWMap<K, V> delta) {
        replica.join(delta, subscribers.isEmpty() ? null : this::publish);
        dirty = true;
    }

    private void tick() {
        self.sendAfter(self.self(), TICK, options.syncInterval());
        for (String n : neighbours()) {
            Peer p = peers.computeIfAbsent(n, x -> new Peer());
            if (p.inFlight >= 0 && ++p.ticksWaiting >= GIVE_UP_TICKS) p.inFlight = -1;
            startSync(n);
        }
        retire();
        if (dirty && options.store() != null) save();
    }

    /**
     * Replica ids of node incarnations that are gone for good: this node's earlier lives, earlier
     * lives of connected nodes (they now send under a new id), and nodes absent longer than
     * {@code retireAfter}. The first node by name adopts their live writes (same values and
     * timestamps under its own id); each replica then says it holds none, and once every neighbour
     * has said so, each forgets the id.
     */
    private void retire() {
        long now = self.node().clock().nanoTime();
        String me = cluster.name();
        boolean adopter = neighbours().stream().allMatch(n -> n.compareTo(me) > 0);
        for (String id : replica.replicas()) {
            if (id.equals(replicaId)) continue;
            String node = ReplicationMessage.nodeOf(id);
            boolean gone = node.equals(me)
                    || (liveIds.containsKey(node) && !liveIds.get(node).equals(id))
                    || (!connected.contains(node) && now - absentSince.computeIfAbsent(node, x -> now) > options.retireAfter().toNanos());
            if (!gone) continue;
            if (replica.holdsWritesOf(id)) {
                if (adopter) ship(replica.adopt(id, replicaId));
                continue;
            }
            byte[] bytes = retiredMessage(id, false);
            for (String n : neighbours()) self.send(Address.remote(serverName, n), bytes);
            Set<String> said = retiredBy.computeIfAbsent(id, x -> new HashSet<>());
            if (said.containsAll(neighbours())) {
                replica.forget(id);
                retiredBy.remove(id);
                retired++;
                dirty = true;
                log.debug("{}: forgot retired replica {}", serverName, id);
            }
        }
    }

    /** Body: {@code reply:u8 id:utf8}; a reply (from a replica that forgot the id already) is not answered. */
    private void retiredBy(byte[] body, String node) {
        if (body.length < 2 || body.length > ReplicationMessage.MAX_ID || body[0] > 1) return;
        String id = new String(body, 1, body.length - 1, StandardCharsets.UTF_8);
        if (replica.replicas().contains(id)) retiredBy.computeIfAbsent(id, x -> new HashSet<>()).add(node);
        else if (body[0] == 0 && neighbours().contains(node)) self.send(Address.remote(serverName, node), retiredMessage(id, true));
    }

    private byte[] retiredMessage(String id, boolean reply) {
        byte[] name = id.getBytes(StandardCharsets.UTF_8);
        byte[] body = new byte[name.length + 1];
        body[0] = (byte) (reply ? 1 : 0);
        System.arraycopy(name, 0, body, 1, name.length);
        return new ReplicationMessage(ReplicationMessage.Kind.RETIRED, replicaId, body).encode();
    }

    private void save() {
        try {
            options.store().save(codec.encode(replica.snapshot()));
            dirty = false;
        } catch (java.io.IOException | RuntimeException e) {
            log.warn("{}: could not save to {}: {}", serverName, options.store(), e.toString());
        }
    }

    @Override
    public void terminate(ExitReason reason, Void state) {
        flush();
        if (dirty && options.store() != null) save();
    }
}
