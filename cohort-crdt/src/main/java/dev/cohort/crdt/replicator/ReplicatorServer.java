package dev.cohort.crdt.replicator;

import dev.cohort.cluster.ClusterNode;
import dev.cohort.crdt.AWLWWMap;
import dev.cohort.crdt.AWLWWMapReplica;
import dev.cohort.crdt.DeltaCodec;
import dev.cohort.crdt.Dot;
import dev.cohort.crdt.HybridLogicalClock;
import dev.cohort.process.Address;
import dev.cohort.process.From;
import dev.cohort.process.ProcessContext;
import dev.cohort.server.GenServer;
import dev.cohort.server.Next;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The process behind a {@link ReplicatedMap} on one node. */
final class ReplicatorServer<K, V> implements GenServer<Void> {
    private static final Logger log = LoggerFactory.getLogger(ReplicatorServer.class);
    private static final Object TICK = "sync";

    record Put(Object key, Object value) {}
    record Remove(Object key) {}
    record Get(Object key) {}
    enum Query { TO_MAP, SIZE }
    record Neighbours(Set<String> nodes) {}
    record Membership(String node, boolean up) {}
    record Subscribe(Consumer<?> listener) {}

    /** Anti-entropy progress with one neighbour: where the next slice starts, and the slice in flight. */
    private static final class Peer {
        /** The keys of the sweep under way (a snapshot), and how far it got. */
        List<Object> sweep;
        int cursor;
        long inFlight = -1;
        int ticksWaiting;
    }

    private final ClusterNode cluster;
    private final String serverName;
    private final DeltaCodec<K, V> codec;
    private final ReplicatedMap.Options options;
    private final AWLWWMapReplica<K, V> replica = new AWLWWMapReplica<>();
    private final HybridLogicalClock clock;
    private final Set<String> connected = new HashSet<>();
    private Set<String> fixedNeighbours;
    private final Map<String, Peer> peers = new HashMap<>();
    private final List<Consumer<AWLWWMapReplica.Change<K, V>>> subscribers = new ArrayList<>();
    private long nextSync = 1;
    private ProcessContext self;

    ReplicatorServer(ClusterNode cluster, String serverName, DeltaCodec<K, V> codec, ReplicatedMap.Options options) {
        this.cluster = cluster;
        this.serverName = serverName;
        this.codec = codec;
        this.options = options;
        // one replica id per node incarnation: a restarted node must not reuse the dots of its
        // previous life, which the others have seen (and may have seen removed)
        this.clock = HybridLogicalClock.system(cluster.name() + "/" + cluster.node().creation());
    }

    @Override
    public Next<Void> init(ProcessContext self) {
        this.self = self;
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
            case Put p -> {
                Optional<V> before = replica.get((K) p.key());
                ship(replica.put((K) p.key(), (V) p.value(), clock.now()));
                changed((K) p.key(), before);
                return Next.reply(Boolean.TRUE, state);
            }
            case Remove r -> {
                Optional<V> before = replica.get((K) r.key());
                ship(replica.remove((K) r.key()));
                changed((K) r.key(), before);
                return Next.reply(Boolean.TRUE, state);
            }
            case Get g -> { return Next.reply(replica.get((K) g.key()), state); }
            case Query q when q == Query.TO_MAP -> { return Next.reply(replica.toMap(), state); }
            case Query q -> { return Next.reply(replica.size(), state); }
            case Neighbours n -> {
                fixedNeighbours = n.nodes();
                peers.keySet().retainAll(n.nodes());
                return Next.reply(Boolean.TRUE, state);
            }
            case Subscribe s -> {
                subscribers.add((Consumer<AWLWWMapReplica.Change<K, V>>) s.listener());
                return Next.reply(Boolean.TRUE, state);
            }
            default -> { return Next.reply(new IllegalArgumentException("unknown request " + request), state); }
        }
    }

    /** A local write: send its delta to every neighbour at once. */
    private void ship(AWLWWMap<K, V> delta) {
        byte[] bytes = new ReplicationMessage(ReplicationMessage.Kind.DELTA, cluster.name(), 0, codec.encode(delta)).encode();
        for (String n : neighbours()) self.send(Address.remote(serverName, n), bytes);
    }

    private void changed(K key, Optional<V> before) {
        Optional<V> after = replica.get(key);
        if (!subscribers.isEmpty() && !after.equals(before)) publish(new AWLWWMapReplica.Change<>(key, before, after));
    }

    private void publish(AWLWWMapReplica.Change<K, V> c) {
        for (Consumer<AWLWWMapReplica.Change<K, V>> s : subscribers) {
            try {
                s.accept(c);
            } catch (RuntimeException e) {
                log.warn("{}: a subscriber failed on {}: {}", serverName, c.key(), e.toString());
            }
        }
    }

    @Override
    public Next<Void> handleInfo(Object message, Void state) {
        switch (message) {
            case byte[] b -> receive(b);
            case Membership m -> {
                if (m.up()) connected.add(m.node());
                else {
                    connected.remove(m.node());
                    peers.remove(m.node());
                }
            }
            default -> {
                if (message == TICK) {
                    self.sendAfter(self.self(), TICK, options.syncInterval());
                    antiEntropy();
                }
            }
        }
        return Next.noReply(state);
    }

    private void receive(byte[] bytes) {
        ReplicationMessage m = ReplicationMessage.decode(bytes);
        if (m == null) {
            log.warn("{}: dropped a malformed replication message of {} bytes", serverName, bytes.length);
            return;
        }
        AWLWWMap<K, V> delta;
        try {
            delta = codec.decode(m.delta());
        } catch (DeltaCodec.Malformed e) {
            log.warn("{}: dropped a malformed delta from {}: {}", serverName, m.sender(), e.getMessage());
            return;
        }
        join(delta);
        switch (m.kind()) {
            case SLICE -> {
                // answer with what we know of those keys, removals included
                Set<Dot> observed = new HashSet<>();
                var seen = replica.context();
                for (K k : delta.keys()) {
                    for (Dot d : delta.dotsOf(k)) if (!replica.dotsOf(k).contains(d) && seen.contains(d)) observed.add(d);
                }
                AWLWWMap<K, V> answer = replica.slice(delta.keys(), observed);
                self.send(Address.remote(serverName, m.sender()),
                        new ReplicationMessage(ReplicationMessage.Kind.ANSWER, cluster.name(), m.sync(), codec.encode(answer)).encode());
            }
            case ANSWER -> {
                Peer p = peers.get(m.sender());
                if (p != null && p.inFlight == m.sync()) {
                    p.inFlight = -1;
                    p.ticksWaiting = 0;
                    // keep a sweep going back to back: one slice in flight, the next as soon as it is answered
                    if (p.sweep != null && p.cursor < p.sweep.size()) sendSlice(m.sender(), p);
                    else p.sweep = null;
                }
            }
            case DELTA -> { }
        }
    }

    private void join(AWLWWMap<K, V> delta) {
        for (K k : delta.keys()) {
            var e = delta.entry(k);
            e.ifPresent(x -> clock.observe(x.timestamp()));
        }
        replica.join(delta, subscribers.isEmpty() ? null : this::publish);
    }

    /** Starts (or resumes) a sweep to each neighbour that has no slice in flight. */
    private void antiEntropy() {
        if (replica.size() == 0) return;
        for (String n : neighbours()) {
            Peer p = peers.computeIfAbsent(n, x -> new Peer());
            if (p.inFlight >= 0) {
                if (++p.ticksWaiting < 10) continue; // at most one in flight; give up on a lost one after 10 intervals
                p.inFlight = -1;
            }
            sendSlice(n, p);
        }
    }

    @SuppressWarnings("unchecked")
    private void sendSlice(String neighbour, Peer p) {
        if (p.sweep == null || p.cursor >= p.sweep.size()) {
            p.sweep = new ArrayList<>(replica.keys());
            p.cursor = 0;
        }
        Set<K> part = new HashSet<>();
        for (Object k : p.sweep.subList(p.cursor, Math.min(p.sweep.size(), p.cursor + options.maxSyncKeys()))) part.add((K) k);
        p.cursor += part.size();
        p.inFlight = nextSync++;
        p.ticksWaiting = 0;
        byte[] bytes = new ReplicationMessage(ReplicationMessage.Kind.SLICE, cluster.name(), p.inFlight,
                codec.encode(replica.slice(part, Set.of()))).encode();
        self.send(Address.remote(serverName, neighbour), bytes);
    }
}
