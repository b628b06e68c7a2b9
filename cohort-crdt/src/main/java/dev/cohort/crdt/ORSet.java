package dev.cohort.crdt;

import java.util.Set;

/**
 * An add-wins observed-remove set as a delta-state CRDT: a remove removes the adds it has seen,
 * so an add concurrent with a remove survives. Immutable; mutators return deltas (see
 * {@link AWLWWMap}).
 */
public final class ORSet<E> {
    private static final ORSet<?> EMPTY = new ORSet<>(DotKernel.empty());
    private final DotKernel<E, Boolean> kernel;

    private ORSet(DotKernel<E, Boolean> kernel) {
        this.kernel = kernel;
    }

    @SuppressWarnings("unchecked")
    public static <E> ORSet<E> empty() { return (ORSet<E>) EMPTY; }

    /** The delta of adding {@code element}, as an event of {@code replica}. */
    public ORSet<E> addDelta(String replica, E element) {
        return new ORSet<>(kernel.addDelta(replica, element, Boolean.TRUE));
    }

    /** The delta of removing {@code element} (the adds of it seen here). */
    public ORSet<E> removeDelta(E element) {
        return new ORSet<>(kernel.removeDelta(element));
    }

    public ORSet<E> join(ORSet<E> other) {
        return new ORSet<>(kernel.join(other.kernel));
    }

    public boolean contains(E element) { return kernel.entries().containsKey(element); }

    public Set<E> elements() { return kernel.entries().keySet(); }

    public CausalContext context() { return kernel.context(); }

    @Override
    public boolean equals(Object o) { return o instanceof ORSet<?> s && kernel.equals(s.kernel); }

    @Override
    public int hashCode() { return kernel.hashCode(); }

    @Override
    public String toString() { return "ORSet" + elements(); }
}
