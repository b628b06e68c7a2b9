package dev.cohort.examples.superheroes;

import dev.cohort.time.Timestamp;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One replica of the dispatch data: heroes by id and the tombstones of removed heroes. A
 * state-based CRDT: {@link #merge} keeps, per hero, the whole record with the later
 * {@link Timestamp}, unions the tombstones, and drops every tombstoned hero. Merge is commutative,
 * associative and idempotent, so replicas that have seen the same updates agree, whatever the
 * order of gossip. Tombstones are never removed (as in the seed), so a removed hero never comes
 * back. Immutable.
 */
public record Replica(Map<String, Hero> heroes, Set<String> tombstones) {
    public static final Replica EMPTY = new Replica(Map.of(), Set.of());

    /**
     * Which of two records of one hero wins: the later stamp. One stamp is one write, so equal
     * stamps mean equal records; the content comparison after it only keeps the merge a join
     * even for input that breaks that rule.
     */
    private static final java.util.Comparator<Hero> LATER = java.util.Comparator.comparing(Hero::updated, Timestamp::compareTo)
            .thenComparing(Hero::location, String::compareTo).thenComparing(Hero::patrolling, Boolean::compare).thenComparingInt(Hero::health).thenComparing(Hero::name, String::compareTo);

    public Replica {
        heroes = Map.copyOf(heroes);
        tombstones = Set.copyOf(tombstones);
    }

    /** The join of two replicas. */
    public Replica merge(Replica other) {
        if (other == this || other.equals(EMPTY)) return this;
        Set<String> dead = new HashSet<>(tombstones);
        dead.addAll(other.tombstones);
        Map<String, Hero> out = new HashMap<>();
        for (Map<String, Hero> side : java.util.List.of(heroes, other.heroes)) {
            for (Hero h : side.values()) {
                if (dead.contains(h.id())) continue;
                out.merge(h.id(), h, (a, b) -> LATER.compare(a, b) >= 0 ? a : b);
            }
        }
        return new Replica(out, dead);
    }

    /** This replica with {@code hero} written (it wins over the stored record if its stamp is later). */
    public Replica with(Hero hero) {
        return merge(new Replica(Map.of(hero.id(), hero), Set.of()));
    }

    /** This replica with the hero removed for good. */
    public Replica without(String id) {
        return merge(new Replica(Map.of(), Set.of(id)));
    }

    /** A short fingerprint of the content, to compare replicas cheaply. */
    public String digest() {
        return Integer.toHexString(new TreeMap<>(heroes).hashCode() * 31 + new java.util.TreeSet<>(tombstones).hashCode());
    }
}
