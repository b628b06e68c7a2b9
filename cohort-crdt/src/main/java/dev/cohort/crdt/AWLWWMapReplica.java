package dev.cohort.crdt;

import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One replica's state of an {@link AWLWWMap}, mutable, for the process that owns it: a write
 * or a join of a delta costs time proportional to the delta, not to the map (the immutable
 * {@link AWLWWMap} copies the whole map on every join). It produces and consumes the same
 * deltas as {@link AWLWWMap}, and is tested against it as the reference. Not thread-safe.
 */
public final class AWLWWMapReplica<K, V> {
    /** A key whose visible value changed: {@code before} or {@code after} is empty for an add or a remove. */
    public record Change<K, V>(K key, Optional<V> before, Optional<V> after) {}

    private final Map<K, Map<Dot, AWLWWMap.Entry<V>>> writes = new HashMap<>();
    private final Map<Dot, K> keyOf = new HashMap<>();
    private final MutableContext context = new MutableContext();

    /** A causal context updated in place: joins cost what they add, not what is already here. */
    private static final class MutableContext {
        private final Map<String, Long> vector = new HashMap<>();
        private final Set<Dot> cloud = new HashSet<>();

        boolean contains(Dot d) {
            return d.counter() <= vector.getOrDefault(d.replica(), 0L) || cloud.contains(d);
        }

        Dot next(String replica) {
            long m = vector.getOrDefault(replica, 0L);
            for (Dot d : cloud) if (d.replica().equals(replica) && d.counter() > m) m = d.counter();
            return new Dot(replica, m + 1);
        }

        void join(CausalContext other) {
            Set<String> touched = new HashSet<>();
            other.vector().forEach((r, c) -> {
                long had = vector.getOrDefault(r, 0L);
                if (c > had) {
                    vector.put(r, c);
                    touched.add(r);
                    // cloud dots the vector now covers
                    if (c - had < cloud.size()) {
                        for (long i = had + 1; i <= c; i++) cloud.remove(new Dot(r, i));
                    } else {
                        cloud.removeIf(d -> d.replica().equals(r) && d.counter() <= c);
                    }
                }
            });
            for (Dot d : other.cloud()) {
                if (!contains(d)) {
                    cloud.add(d);
                    touched.add(d.replica());
                }
            }
            for (String r : touched) { // fold cloud dots that now extend the vector
                long have = vector.getOrDefault(r, 0L);
                while (cloud.remove(new Dot(r, have + 1))) have++;
                if (have > 0) vector.put(r, have);
            }
        }

        CausalContext snapshot() {
            return CausalContext.from(vector, cloud);
        }
    }

    /** Writes {@code key = value} at {@code at} here and returns the delta to ship. */
    public AWLWWMap<K, V> put(K key, V value, Timestamp at) {
        Objects.requireNonNull(key, "key");
        Dot d = context.next(at.replica());
        Set<Dot> seen = new HashSet<>(dots(key).keySet());
        seen.add(d);
        AWLWWMap<K, V> delta = AWLWWMap.of(Map.of(key, Map.of(d, new AWLWWMap.Entry<>(value, at))), CausalContext.of(seen));
        join(delta, null);
        return delta;
    }

    /** Removes {@code key} (the writes of it seen here) and returns the delta to ship. */
    public AWLWWMap<K, V> remove(K key) {
        AWLWWMap<K, V> delta = AWLWWMap.of(Map.of(), CausalContext.of(dots(key).keySet()));
        join(delta, null);
        return delta;
    }

    /**
     * Joins a delta (or a whole state) into this replica, reporting each key whose visible value
     * changed to {@code changes} (may be null).
     */
    public void join(AWLWWMap<K, V> delta, java.util.function.Consumer<Change<K, V>> changes) {
        CausalContext theirs = delta.context();
        Map<K, Optional<V>> before = new HashMap<>();
        // writes they have: add what we have not seen; drop ours of that key that they saw and lack
        delta.writes().forEach((k, dotsB) -> {
            Map<Dot, AWLWWMap.Entry<V>> a = writes.get(k);
            if (changes != null) before.putIfAbsent(k, latest(a));
            if (a != null) {
                for (java.util.Iterator<Dot> it = a.keySet().iterator(); it.hasNext(); ) {
                    Dot d = it.next();
                    if (!dotsB.containsKey(d) && theirs.contains(d)) {
                        it.remove();
                        keyOf.remove(d);
                    }
                }
            }
            for (Map.Entry<Dot, AWLWWMap.Entry<V>> w : dotsB.entrySet()) {
                Dot d = w.getKey();
                if ((a == null || !a.containsKey(d)) && !context.contains(d)) {
                    if (a == null) {
                        a = new HashMap<>();
                        writes.put(k, a);
                    }
                    a.put(d, w.getValue());
                    keyOf.put(d, k);
                }
            }
            if (a != null && a.isEmpty()) writes.remove(k);
        });
        // writes of other keys that they saw and do not have were removed there
        if (theirs.dotCount() <= keyOf.size()) {
            theirs.forEachDot(d -> dropIfRemoved(d, delta, before, changes != null));
        } else {
            for (Dot d : new java.util.ArrayList<>(keyOf.keySet())) if (theirs.contains(d)) dropIfRemoved(d, delta, before, changes != null);
        }
        context.join(theirs);
        if (changes != null) {
            before.forEach((k, old) -> {
                Optional<V> now = get(k);
                if (!now.equals(old)) changes.accept(new Change<>(k, old, now));
            });
        }
    }

    private void dropIfRemoved(Dot d, AWLWWMap<K, V> delta, Map<K, Optional<V>> before, boolean track) {
        K k = keyOf.get(d);
        if (k == null || delta.writes(k).containsKey(d)) return;
        Map<Dot, AWLWWMap.Entry<V>> a = writes.get(k);
        if (track) before.putIfAbsent(k, latest(a));
        a.remove(d);
        keyOf.remove(d);
        if (a.isEmpty()) writes.remove(k);
    }

    private Map<Dot, AWLWWMap.Entry<V>> dots(K key) {
        return writes.getOrDefault(key, Map.of());
    }

    private static <V> Optional<V> latest(Map<Dot, AWLWWMap.Entry<V>> w) {
        if (w == null || w.isEmpty()) return Optional.empty();
        return w.values().stream().max(Comparator.comparing(AWLWWMap.Entry::timestamp)).map(AWLWWMap.Entry::value);
    }

    /** The value of {@code key} here (read-your-writes: a local write is visible at once). */
    public Optional<V> get(K key) { return latest(writes.get(key)); }

    public int size() { return writes.size(); }

    public Set<K> keys() { return java.util.Collections.unmodifiableSet(writes.keySet()); }

    /** What this replica has observed (a copy). */
    public CausalContext context() { return context.snapshot(); }

    /** The dots of the live writes of {@code key}. */
    public Set<Dot> dotsOf(K key) { return dots(key).keySet(); }

    /** The part of this state to ship for {@code keys}: see {@link AWLWWMap#slice}. */
    public AWLWWMap<K, V> slice(Set<K> keys, Set<Dot> alsoObserved) {
        Map<K, Map<Dot, AWLWWMap.Entry<V>>> out = new HashMap<>();
        Set<Dot> dots = new HashSet<>(alsoObserved);
        for (K k : keys) {
            Map<Dot, AWLWWMap.Entry<V>> w = writes.get(k);
            if (w != null) {
                out.put(k, w);
                dots.addAll(w.keySet());
            }
        }
        Set<Dot> kept = new HashSet<>();
        for (Dot d : dots) if (context.contains(d)) kept.add(d);
        return AWLWWMap.of(out, CausalContext.of(kept));
    }

    /** An immutable copy of the whole state (O(n)). */
    public AWLWWMap<K, V> snapshot() { return AWLWWMap.of(writes, context.snapshot()); }

    public Map<K, V> toMap() {
        Map<K, V> out = new HashMap<>();
        for (K k : writes.keySet()) get(k).ifPresent(v -> out.put(k, v));
        return out;
    }
}
