package dev.cohort.crdt;

import dev.cohort.time.Timestamp;

import dev.cohort.time.HybridLogicalClock;

import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * An add-wins, last-writer-wins map as a delta-state CRDT (Almeida, Shoker and Baquero, 2018).
 * Immutable: mutators return a <em>delta</em> (a small map holding just the change), which the
 * writer joins into its own state and ships to the other replicas; {@link #join} merges any two
 * states or deltas, in any order, any number of times.
 *
 * <p>Semantics: a put supersedes every write of its key that its replica had seen. Two puts
 * that did not see each other are both kept; reads return the one with the later
 * {@link Timestamp} (hybrid logical clock, then replica id), so every replica reads the same
 * value. A remove removes only the writes it had seen: a concurrent put survives it (add wins).
 */
public final class AWLWWMap<K, V> {
    /** A write: the value and when it was made. */
    public record Entry<V>(V value, Timestamp timestamp) {
        public Entry {
            Objects.requireNonNull(timestamp, "timestamp");
        }
    }

    private static final AWLWWMap<?, ?> EMPTY = new AWLWWMap<>(DotKernel.empty());
    private final DotKernel<K, Entry<V>> kernel;

    private AWLWWMap(DotKernel<K, Entry<V>> kernel) {
        this.kernel = kernel;
    }

    /** From raw parts (for {@link AWLWWMapReplica}). */
    static <K, V> AWLWWMap<K, V> of(Map<K, Map<Dot, Entry<V>>> entries, CausalContext context) {
        return new AWLWWMap<>(new DotKernel<>(entries, context));
    }

    /** The live writes of every key (for {@link AWLWWMapReplica}). */
    Map<K, Map<Dot, Entry<V>>> writes() { return kernel.entries(); }

    /** The latest timestamp of any write here, concurrent ones included (empty: no writes). */
    public Optional<Timestamp> latestTimestamp() {
        Timestamp latest = null;
        for (Map<Dot, Entry<V>> w : kernel.entries().values()) {
            for (Entry<V> e : w.values()) if (latest == null || e.timestamp().compareTo(latest) > 0) latest = e.timestamp();
        }
        return Optional.ofNullable(latest);
    }

    /** The live writes of one key. */
    Map<Dot, Entry<V>> writes(K key) { return kernel.dots(key); }

    @SuppressWarnings("unchecked")
    public static <K, V> AWLWWMap<K, V> empty() { return (AWLWWMap<K, V>) EMPTY; }

    /** The delta of {@code key = value}, written by {@code at.replica()} at {@code at}. */
    public AWLWWMap<K, V> putDelta(K key, V value, Timestamp at) {
        Objects.requireNonNull(key, "key");
        return new AWLWWMap<>(kernel.addDelta(at.replica(), key, new Entry<>(value, at)));
    }

    /** The delta of writing every entry of {@code values} (bulk merge), each stamped by {@code clock}. */
    public AWLWWMap<K, V> putAllDelta(Map<K, V> values, HybridLogicalClock clock) {
        java.util.List<Map.Entry<K, Entry<V>>> writes = new java.util.ArrayList<>();
        values.forEach((k, v) -> writes.add(Map.entry(Objects.requireNonNull(k, "key"), new Entry<>(v, clock.now()))));
        return new AWLWWMap<>(kernel.addAllDelta(clock.replica(), writes));
    }

    /** The delta of removing {@code key} (the writes of it seen here). */
    public AWLWWMap<K, V> removeDelta(K key) {
        return new AWLWWMap<>(kernel.removeDelta(key));
    }

    /** The delta of removing every key seen here. */
    public AWLWWMap<K, V> clearDelta() {
        return new AWLWWMap<>(kernel.clearDelta());
    }

    /** The join of two states (or deltas). Commutative, associative, idempotent. */
    public AWLWWMap<K, V> join(AWLWWMap<K, V> other) {
        return new AWLWWMap<>(kernel.join(other.kernel));
    }

    /** The value of {@code key}: the latest of its live writes. */
    public Optional<V> get(K key) {
        return latest(kernel.dots(key)).map(Entry::value);
    }

    /** The latest live write of {@code key}, with its timestamp. */
    public Optional<Entry<V>> entry(K key) {
        return latest(kernel.dots(key));
    }

    private static <V> Optional<Entry<V>> latest(Map<Dot, Entry<V>> writes) {
        return writes.values().stream().max(Comparator.comparing(Entry::timestamp));
    }

    /** Every key and its value. */
    public Map<K, V> toMap() {
        Map<K, V> out = new HashMap<>();
        for (K k : kernel.entries().keySet()) get(k).ifPresent(v -> out.put(k, v));
        return out;
    }

    public Set<K> keys() { return kernel.entries().keySet(); }

    public int size() { return kernel.entries().size(); }

    public boolean containsKey(K key) { return kernel.entries().containsKey(key); }

    /** What this state has observed. */
    public CausalContext context() { return kernel.context(); }

    /** The dots of the live writes of {@code key}. */
    public Set<Dot> dotsOf(K key) { return kernel.dots(key).keySet(); }

    /**
     * Part of this state to ship: the keys {@code keys} with their writes, and a context that
     * covers only their dots and {@code alsoObserved} (dots the receiver holds that this state has
     * seen and dropped). The receiver can delete nothing else: keys it was not sent are safe.
     */
    public AWLWWMap<K, V> slice(Set<K> keys, Set<Dot> alsoObserved) {
        return new AWLWWMap<>(kernel.slice(keys, alsoObserved));
    }

    /** The state with its context forgetting {@code replica}: see {@link CausalContext#forget}. */
    public AWLWWMap<K, V> forgetReplica(String replica) {
        for (Map<Dot, Entry<V>> w : kernel.entries().values()) {
            for (Dot d : w.keySet()) {
                if (d.replica().equals(replica)) throw new IllegalStateException("replica " + replica + " still has live writes");
            }
        }
        return new AWLWWMap<>(new DotKernel<>(kernel.entries(), kernel.context().forget(replica)));
    }

    @Override
    public boolean equals(Object o) { return o instanceof AWLWWMap<?, ?> m && kernel.equals(m.kernel); }

    @Override
    public int hashCode() { return kernel.hashCode(); }

    @Override
    public String toString() { return "AWLWWMap" + toMap() + " " + kernel.context(); }
}
