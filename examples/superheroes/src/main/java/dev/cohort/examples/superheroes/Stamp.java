package dev.cohort.examples.superheroes;

import java.util.Comparator;
import java.util.Objects;

/**
 * When a hero record was last written: a hybrid logical clock reading (wall-clock
 * milliseconds, a counter for writes within one millisecond or behind a faster clock), and the
 * writing node as the last tie-breaker. Stamps are totally ordered, so two concurrent writes
 * never tie: the seed's whole-second timestamps let the incoming record win ties, which lost
 * updates silently.
 */
public record Stamp(long millis, long counter, String node) implements Comparable<Stamp> {
    private static final Comparator<Stamp> ORDER = Comparator.comparingLong(Stamp::millis)
            .thenComparingLong(Stamp::counter).thenComparing(Stamp::node);

    public Stamp {
        Objects.requireNonNull(node, "node");
    }

    @Override
    public int compareTo(Stamp o) { return ORDER.compare(this, o); }
}
