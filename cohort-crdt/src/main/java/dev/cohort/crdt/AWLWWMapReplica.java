package dev.cohort.crdt;

import dev.cohort.time.Timestamp;

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
    private java.util.function.Consumer<K> keyWatcher = k -> { };

    /** A causal context updated in place: joins cost what they add, not what is already here. */
    private static final class MutableContext {
        private final Map<String, Long> vector = new HashMap<>();
        private final Set<Dot> cloud = new HashSet<>();

        boolean contains(Dot d) {
            return d.counter() <= vector.getOrDefault(d.replica(), 0L) || cloud.contains(d);
        }

        Dot next(String replica) {
            return new Dot(replica, max(replica) + 1);
        }

        long max(String replica) {
            long m = vector.getOrDefault(replica, 0L);
            for (Dot d : cloud) if (d.replica().equals(replica) && d.counter() > m) m = d.counter();
            return m;
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
                while (have < Dot.MAX_COUNTER && cloud.remove(new Dot(r, have + 1))) have++;
                if (have > 0) vector.put(r, have);
            }
        }

        /** Adds one dot (a local write's new dot). */
        void add(Dot d) {
            long have = vector.getOrDefault(d.replica(), 0L);
            if (d.counter() <= have) return;
            if (d.counter() == have + 1) {
                have = d.counter();
                while (have < Dot.MAX_COUNTER && cloud.remove(new Dot(d.replica(), have + 1))) have++;
                vector.put(d.replica(), have);
            } else {
                cloud.add(d);
            }
        }

        void forget(String replica) {
            vector.remove(replica);
            cloud.removeIf(d -> d.replica().equals(replica));
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

    /**
     * Writes {@code key = value} at {@code at} here without building a delta, adding the dots of
     * the writes it supersedes to {@code superseded}. The delta of any number of such writes is
     * {@code slice(keysWritten, superseded)}: the way a replicator batches local writes.
     */
    public void putInPlace(K key, V value, Timestamp at, Set<Dot> superseded) {
        Objects.requireNonNull(key, "key");
        Dot d = context.next(at.replica());
        Map<Dot, AWLWWMap.Entry<V>> w = writes.get(key);
        if (w == null) {
            w = new HashMap<>(2);
            writes.put(key, w);
        } else {
            for (Dot old : w.keySet()) {
                keyOf.remove(old);
                superseded.add(old);
            }
            w.clear();
        }
        w.put(d, new AWLWWMap.Entry<>(value, at));
        keyOf.put(d, key);
        context.add(d);
        keyWatcher.accept(key);
    }

    /** Removes {@code key} here without building a delta; see {@link #putInPlace}. */
    public void removeInPlace(K key, Set<Dot> superseded) {
        Map<Dot, AWLWWMap.Entry<V>> w = writes.remove(key);
        if (w == null) return;
        for (Dot old : w.keySet()) {
            keyOf.remove(old);
            superseded.add(old);
        }
        keyWatcher.accept(key);
    }

    /** Writes every entry of {@code values} at {@code at} here and returns one delta to ship. */
    public AWLWWMap<K, V> putAll(Map<K, V> values, Timestamp at) {
        Map<K, Map<Dot, AWLWWMap.Entry<V>>> writes = new HashMap<>();
        Set<Dot> seen = new HashSet<>();
        long next = context.next(at.replica()).counter();
        for (Map.Entry<K, V> e : values.entrySet()) {
            Dot d = new Dot(at.replica(), next++);
            writes.put(Objects.requireNonNull(e.getKey(), "key"), Map.of(d, new AWLWWMap.Entry<>(e.getValue(), at)));
            seen.addAll(dots(e.getKey()).keySet());
            seen.add(d);
        }
        AWLWWMap<K, V> delta = AWLWWMap.of(writes, CausalContext.of(seen));
        join(delta, null);
        return delta;
    }

    /** Removes every key of {@code keys} (the writes of them seen here) and returns one delta to ship. */
    public AWLWWMap<K, V> removeAll(java.util.Collection<K> keys) {
        Set<Dot> seen = new HashSet<>();
        for (K k : keys) seen.addAll(dots(k).keySet());
        AWLWWMap<K, V> delta = AWLWWMap.of(Map.of(), CausalContext.of(seen));
        join(delta, null);
        return delta;
    }

    /**
     * Rewrites every live write of replica {@code retired} as a write of {@code replica} with the
     * same value and timestamp, so that {@code retired} can later be {@link #forget forgotten};
     * returns the delta to ship (its context covers the old and the new dots, so every replica
     * that joins it drops the old writes). Reads do not change.
     */
    public AWLWWMap<K, V> adopt(String retired, String replica) {
        Map<K, Map<Dot, AWLWWMap.Entry<V>>> writes = new HashMap<>();
        Set<Dot> seen = new HashSet<>();
        long next = context.next(replica).counter();
        for (Map.Entry<Dot, K> e : keyOf.entrySet()) {
            if (!e.getKey().replica().equals(retired)) continue;
            Dot fresh = new Dot(replica, next++);
            writes.computeIfAbsent(e.getValue(), k -> new HashMap<>()).put(fresh, this.writes.get(e.getValue()).get(e.getKey()));
            seen.add(e.getKey());
            seen.add(fresh);
        }
        AWLWWMap<K, V> delta = AWLWWMap.of(writes, CausalContext.of(seen));
        join(delta, null);
        return delta;
    }

    /** Whether some live write here is a write of {@code replica}. */
    public boolean holdsWritesOf(String replica) {
        for (Dot d : keyOf.keySet()) if (d.replica().equals(replica)) return true;
        return false;
    }

    /**
     * Drops {@code replica} from this replica's context. Only safe once no replica anywhere holds
     * a live write of it (see {@link #adopt}): a write of it received later would count as new.
     *
     * @throws IllegalStateException if a live write of it is still here
     */
    public void forget(String replica) {
        if (holdsWritesOf(replica)) throw new IllegalStateException("replica " + replica + " still has live writes here");
        context.forget(replica);
    }

    /** The replica ids this replica's context mentions. */
    public Set<String> replicas() {
        Set<String> out = new HashSet<>(context.vector.keySet());
        for (Dot d : context.cloud) out.add(d.replica());
        return out;
    }

    /** The highest counter this replica has seen from {@code replica} (0: none). */
    public long maxCounter(String replica) { return context.max(replica); }

    /** Whether this replica has observed {@code dot} (it holds the write, or saw it removed). */
    public boolean hasSeen(Dot dot) { return context.contains(dot); }

    /** Calls {@code watcher} with every key whose writes (dots) changed here, for indexes such as a Merkle tree. */
    void watchKeys(java.util.function.Consumer<K> watcher) {
        keyWatcher = keyWatcher.andThen(watcher);
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
            boolean touched = false;
            if (a != null) {
                for (java.util.Iterator<Dot> it = a.keySet().iterator(); it.hasNext(); ) {
                    Dot d = it.next();
                    if (!dotsB.containsKey(d) && theirs.contains(d)) {
                        it.remove();
                        keyOf.remove(d);
                        touched = true;
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
                    touched = true;
                }
            }
            if (a != null && a.isEmpty()) writes.remove(k);
            if (touched) keyWatcher.accept(k);
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
        keyWatcher.accept(k);
    }

    private Map<Dot, AWLWWMap.Entry<V>> dots(K key) {
        return writes.getOrDefault(key, Map.of());
    }

    private static <V> Optional<V> latest(Map<Dot, AWLWWMap.Entry<V>> w) {
        if (w == null || w.isEmpty()) return Optional.empty();
        AWLWWMap.Entry<V> best = null;
        for (AWLWWMap.Entry<V> e : w.values()) if (best == null || e.timestamp().compareTo(best.timestamp()) > 0) best = e;
        return Optional.ofNullable(best.value());
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
