package dev.cohort.crdt;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The core of the observed-remove types: for each key, the live writes (dot to value), and the
 * causal context of everything seen. Join keeps a write that both sides have, or that one side
 * has and the other has not observed; a write one side observed and no longer has was removed
 * or overwritten there, so it goes. Immutable.
 */
record DotKernel<K, V>(Map<K, Map<Dot, V>> entries, CausalContext context) {
    static final DotKernel<?, ?> EMPTY = new DotKernel<>(Map.of(), CausalContext.EMPTY);

    DotKernel {
        Map<K, Map<Dot, V>> copy = new HashMap<>();
        entries.forEach((k, dots) -> { if (!dots.isEmpty()) copy.put(k, Map.copyOf(dots)); });
        entries = Map.copyOf(copy);
        Objects.requireNonNull(context, "context");
    }

    @SuppressWarnings("unchecked")
    static <K, V> DotKernel<K, V> empty() { return (DotKernel<K, V>) EMPTY; }

    /** The live writes of one key. */
    Map<Dot, V> dots(K key) {
        return entries.getOrDefault(key, Map.of());
    }

    /** The delta of writing {@code value} under {@code key} as a new dot of {@code replica}: it supersedes every write of the key seen here. */
    DotKernel<K, V> addDelta(String replica, K key, V value) {
        Dot d = context.next(replica);
        Set<Dot> seen = new HashSet<>(dots(key).keySet());
        seen.add(d);
        return new DotKernel<>(Map.of(key, Map.of(d, value)), CausalContext.of(seen));
    }

    /** The delta of many writes at once, each a new dot of {@code replica} in the order given. */
    DotKernel<K, V> addAllDelta(String replica, java.util.List<Map.Entry<K, V>> writes) {
        long next = context.max(replica);
        Map<K, Map<Dot, V>> out = new HashMap<>();
        Set<Dot> seen = new HashSet<>();
        for (Map.Entry<K, V> w : writes) {
            Dot d = new Dot(replica, ++next);
            seen.addAll(dots(w.getKey()).keySet());
            Map<Dot, V> prior = out.get(w.getKey());
            if (prior != null) seen.addAll(prior.keySet()); // a later write of the same key in the batch supersedes it
            out.put(w.getKey(), Map.of(d, w.getValue()));
            seen.add(d);
        }
        return new DotKernel<>(out, CausalContext.of(seen));
    }

    /** The delta of removing {@code key}: only the writes seen here are removed (add wins over a concurrent write). */
    DotKernel<K, V> removeDelta(K key) {
        return new DotKernel<>(Map.of(), CausalContext.of(dots(key).keySet()));
    }

    /** The delta of removing every key seen here. */
    DotKernel<K, V> clearDelta() {
        Set<Dot> all = new HashSet<>();
        for (Map<Dot, V> d : entries.values()) all.addAll(d.keySet());
        return new DotKernel<>(Map.of(), CausalContext.of(all));
    }

    /** The join (least upper bound) of two kernels. */
    DotKernel<K, V> join(DotKernel<K, V> other) {
        if (other == this) return this;
        Map<K, Map<Dot, V>> out = new HashMap<>();
        Set<K> keys = new HashSet<>(entries.keySet());
        keys.addAll(other.entries.keySet());
        for (K k : keys) {
            Map<Dot, V> a = dots(k), b = other.dots(k);
            Map<Dot, V> kept = new HashMap<>();
            a.forEach((d, v) -> { if (b.containsKey(d) || !other.context.contains(d)) kept.put(d, v); });
            b.forEach((d, v) -> { if (!a.containsKey(d) && !context.contains(d)) kept.put(d, v); });
            if (!kept.isEmpty()) out.put(k, kept);
        }
        return new DotKernel<>(out, context.join(other.context));
    }

    /** Only the keys {@code keys}, with a context covering only their dots and the given removed dots. */
    DotKernel<K, V> slice(Set<K> keys, Set<Dot> alsoObserved) {
        Map<K, Map<Dot, V>> out = new HashMap<>();
        Set<Dot> dots = new HashSet<>(alsoObserved);
        for (K k : keys) {
            Map<Dot, V> d = dots(k);
            if (!d.isEmpty()) out.put(k, d);
            dots.addAll(d.keySet());
        }
        return new DotKernel<>(out, context.restrictTo(dots));
    }
}
