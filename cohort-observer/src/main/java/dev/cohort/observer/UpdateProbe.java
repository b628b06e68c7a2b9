package dev.cohort.observer;

import dev.cohort.cluster.ClusterNode;
import dev.cohort.crdt.DeltaCodec;
import dev.cohort.crdt.replicator.ReplicatedMap;
import dev.cohort.process.Address;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Measures how long an update takes to reach every node: the observer of each node keeps a
 * replica of the small map {@value #MAP} (replicated like any other map, with the default
 * options). While a page is open, once a second, this node writes its own key with the next
 * sequence number; each other node's observer, on seeing the change arrive in its replica,
 * tells this node's {@code cohort.observer} process; the time from the write until the last
 * node said so is one point of the chart. The nodes waited for are the connected ones whose
 * observer has written to the map (a node without an observer is not waited for). A point
 * not complete within {@link #GIVE_UP_MILLIS} is recorded as missed.
 */
final class UpdateProbe implements AutoCloseable {
    static final String MAP = "cohort.observer.probe";
    static final long GIVE_UP_MILLIS = 10_000;
    private static final int POINTS = 120;

    /** One measurement: when it was written, how long it took (null: missed), how many nodes it waited for. */
    record Point(long atMillis, Double millis, int nodes) {}

    private record Pending(long sentNanos, long atMillis, Set<String> waiting, int nodes) {}

    private final ClusterNode cluster;
    private final ReplicatedMap<String, Long> map;
    private final Map<Long, Pending> pending = new HashMap<>();
    private final Deque<Point> points = new ArrayDeque<>();
    private long seq;

    UpdateProbe(ClusterNode cluster) {
        this.cluster = cluster;
        DeltaCodec.Values none = new DeltaCodec.Values() {
            @Override public byte[] encode(Object value) { throw new IllegalArgumentException("the probe map holds only Strings and Longs"); }

            @Override public Object decode(byte[] bytes) throws DeltaCodec.Malformed { throw new DeltaCodec.Malformed("not a probe value"); }
        };
        this.map = ReplicatedMap.builder(cluster, MAP, String.class, Long.class).values(none).start();
        String me = cluster.name();
        map.put(me, 0L); // says "this node has a probe" to the others
        map.subscribe(change -> {
            String origin = change.key();
            if (origin.equals(me) || change.after().isEmpty() || change.after().get() == 0L) return;
            cluster.node().send(Address.remote(NodeSummary.NAME, origin), "probe-seen " + change.after().get() + " " + me);
        });
    }

    /** Writes the next probe; called once a second while a page is open. */
    synchronized void tick() {
        long nowMillis = System.currentTimeMillis();
        pending.entrySet().removeIf(e -> {
            if (nowMillis - e.getValue().atMillis() < GIVE_UP_MILLIS) return false;
            add(new Point(e.getValue().atMillis(), null, e.getValue().nodes()));
            return true;
        });
        Set<String> probed = new HashSet<>();
        for (String id : map.stats().replicaIds()) probed.add(id.substring(0, Math.max(0, id.lastIndexOf('/'))));
        Set<String> waiting = new HashSet<>(cluster.connectedNodes());
        waiting.retainAll(probed);
        if (waiting.isEmpty()) return; // nobody to reach
        long s = ++seq;
        pending.put(s, new Pending(System.nanoTime(), nowMillis, waiting, waiting.size()));
        map.put(cluster.name(), s);
    }

    /** A node saw probe {@code text} ("probe-seen SEQ NODE"); malformed or late reports are ignored. */
    synchronized void seen(String text) {
        String[] parts = text.split(" ");
        if (parts.length != 3) return;
        long s;
        try {
            s = Long.parseLong(parts[1]);
        } catch (NumberFormatException e) {
            return;
        }
        Pending p = pending.get(s);
        if (p == null || !p.waiting().remove(parts[2]) || !p.waiting().isEmpty()) return;
        pending.remove(s);
        add(new Point(p.atMillis(), (System.nanoTime() - p.sentNanos()) / 1e6, p.nodes()));
    }

    private void add(Point p) {
        points.addLast(p);
        while (points.size() > POINTS) points.removeFirst();
    }

    synchronized List<Point> points() { return List.copyOf(points); }

    /** The last complete measurement in seconds, NaN if none yet. */
    synchronized double lastSeconds() {
        for (var it = points.descendingIterator(); it.hasNext(); ) {
            Point p = it.next();
            if (p.millis() != null) return p.millis() / 1000;
        }
        return Double.NaN;
    }

    String json() {
        StringBuilder b = new StringBuilder("[");
        for (Point p : points()) {
            b.append(b.length() > 1 ? "," : "").append("{\"at_ms\":").append(p.atMillis()).append(",\"reach_ms\":")
                    .append(p.millis() == null ? "null" : String.format(Locale.ROOT, "%.3f", p.millis())).append(",\"nodes\":").append(p.nodes()).append('}');
        }
        return b.append(']').toString();
    }

    ReplicatedMap.Stats stats() { return map.stats(); }

    @Override
    public void close() { map.close(); }
}
