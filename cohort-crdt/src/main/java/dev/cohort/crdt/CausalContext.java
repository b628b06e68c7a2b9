package dev.cohort.crdt;

import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The events a replica has seen: a version vector (for each replica, every dot up to a
 * counter) plus the dots seen outside it (the "dot cloud"). Immutable; kept compact (a cloud
 * dot that extends the vector is folded into it), so two contexts holding the same dots are
 * equal.
 *
 * <p>A context says what its holder has <em>observed</em>: a dot in the context but not in the
 * holder's state was removed or overwritten. So a context must never claim more than the state
 * it travels with accounts for: shipping a context with only part of the state is exactly how
 * DeltaCrdt lost keys. Use {@link #restrictTo} to ship only the dots that matter.
 */
public final class CausalContext {
    public static final CausalContext EMPTY = new CausalContext(Map.of(), Set.of());

    private final Map<String, Long> vector;
    private final Set<Dot> cloud;

    private CausalContext(Map<String, Long> vector, Set<Dot> cloud) {
        this.vector = vector;
        this.cloud = cloud;
    }

    /** A context holding exactly these dots. */
    public static CausalContext of(Collection<Dot> dots) {
        if (dots.isEmpty()) return EMPTY;
        return compact(new HashMap<>(), new HashSet<>(dots));
    }

    /** A context from a vector and a cloud (compacted). */
    static CausalContext from(Map<String, Long> vector, Set<Dot> cloud) {
        checkCounters(vector);
        Map<String, Long> v = new HashMap<>(vector);
        v.values().removeIf(c -> c == 0);
        return compact(v, new HashSet<>(cloud));
    }

    private static void checkCounters(Map<String, Long> vector) {
        for (Long c : vector.values()) {
            if (c < 0 || c > Dot.MAX_COUNTER) throw new IllegalArgumentException("a counter out of 0..2^53 in " + vector);
        }
    }

    /** A context from a version vector alone. */
    public static CausalContext ofVector(Map<String, Long> vector) {
        checkCounters(vector);
        Map<String, Long> v = new HashMap<>(vector);
        v.values().removeIf(c -> c == 0);
        return new CausalContext(Map.copyOf(v), Set.of());
    }

    /** Whether this context has seen {@code dot}. */
    public boolean contains(Dot dot) {
        return dot.counter() <= vector.getOrDefault(dot.replica(), 0L) || cloud.contains(dot);
    }

    /** The highest counter seen from {@code replica}. */
    public long max(String replica) {
        long m = vector.getOrDefault(replica, 0L);
        for (Dot d : cloud) if (d.replica().equals(replica) && d.counter() > m) m = d.counter();
        return m;
    }

    /** The next dot {@code replica} should use: one past everything seen from it. */
    public Dot next(String replica) {
        return new Dot(replica, max(replica) + 1);
    }

    /** This context with one more dot. */
    public CausalContext with(Dot dot) {
        if (contains(dot)) return this;
        Set<Dot> c = new HashSet<>(cloud);
        c.add(dot);
        return compact(new HashMap<>(vector), c);
    }

    /** Everything either context has seen. */
    public CausalContext join(CausalContext other) {
        if (other == this || other.isEmpty()) return this;
        if (isEmpty()) return other;
        Map<String, Long> v = new HashMap<>(vector);
        other.vector.forEach((r, c) -> v.merge(r, c, Math::max));
        Set<Dot> c = new HashSet<>(cloud);
        c.addAll(other.cloud);
        return compact(v, c);
    }

    /** Only the dots of this context that are among {@code dots}: what to ship with part of a state. */
    public CausalContext restrictTo(Collection<Dot> dots) {
        Set<Dot> kept = new HashSet<>();
        for (Dot d : dots) if (contains(d)) kept.add(d);
        return of(kept);
    }

    /** This context without any dot of {@code replica}: for a replica that left and whose dots are gone everywhere. */
    public CausalContext forget(String replica) {
        if (!vector.containsKey(replica) && cloud.stream().noneMatch(d -> d.replica().equals(replica))) return this;
        Map<String, Long> v = new HashMap<>(vector);
        v.remove(replica);
        Set<Dot> c = new HashSet<>(cloud);
        c.removeIf(d -> d.replica().equals(replica));
        return new CausalContext(Map.copyOf(v), Set.copyOf(c));
    }

    /** The replicas this context knows of. */
    public Set<String> replicas() {
        Set<String> out = new HashSet<>(vector.keySet());
        for (Dot d : cloud) out.add(d.replica());
        return Collections.unmodifiableSet(out);
    }

    /** The version vector part (replica to contiguous counter). */
    public Map<String, Long> vector() { return vector; }

    /** The dots outside the vector. */
    public Set<Dot> cloud() { return cloud; }

    public boolean isEmpty() { return vector.isEmpty() && cloud.isEmpty(); }

    /** How many dots this context holds ({@link Long#MAX_VALUE} if more than that). */
    public long dotCount() {
        long n = cloud.size();
        for (long c : vector.values()) {
            n += c;
            if (n < 0) return Long.MAX_VALUE;
        }
        return n;
    }

    /** Calls {@code action} for every dot this context holds (as many as {@link #dotCount()}). */
    public void forEachDot(java.util.function.Consumer<Dot> action) {
        vector.forEach((r, max) -> { for (long i = 1; i <= max; i++) action.accept(new Dot(r, i)); });
        cloud.forEach(action);
    }

    private static CausalContext compact(Map<String, Long> v, Set<Dot> c) {
        boolean moved = true;
        while (moved && !c.isEmpty()) {
            moved = false;
            for (java.util.Iterator<Dot> it = c.iterator(); it.hasNext(); ) {
                Dot d = it.next();
                long have = v.getOrDefault(d.replica(), 0L);
                if (d.counter() <= have) {
                    it.remove();
                } else if (d.counter() == have + 1) {
                    v.put(d.replica(), d.counter());
                    it.remove();
                    moved = true;
                }
            }
        }
        return new CausalContext(Map.copyOf(v), Set.copyOf(c));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CausalContext c && vector.equals(c.vector) && cloud.equals(c.cloud);
    }

    @Override
    public int hashCode() { return vector.hashCode() * 31 + cloud.hashCode(); }

    @Override
    public String toString() { return "CausalContext" + new TreeMap<>(vector) + (cloud.isEmpty() ? "" : "+" + cloud); }
}
