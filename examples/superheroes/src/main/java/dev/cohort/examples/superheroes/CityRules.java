package dev.cohort.examples.superheroes;

import dev.cohort.time.HybridLogicalClock;

import java.util.Comparator;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * What a city does on its ticks, as pure functions of a replica, a random source and a clock,
 * so tests drive them without timers.
 */
public final class CityRules {
    /** Damage of one fight: uniform in 5..15. */
    public static final int MIN_DAMAGE = 5, MAX_DAMAGE = 15;

    private CityRules() {}

    /** A new replica and what happened, for the log. */
    public record Outcome(Replica replica, String log) {}

    /** Patrol: one random hero located in {@code city} (patrolling or not) starts patrolling. */
    public static Outcome patrol(Replica r, String city, RandomGenerator random, HybridLogicalClock clock) {
        List<Hero> here = r.heroes().values().stream().filter(h -> h.location().equals(city))
                .sorted(Comparator.comparing(Hero::id)).toList();
        if (here.isEmpty()) return new Outcome(r, city + ": no hero available to patrol");
        Hero h = here.get(random.nextInt(here.size()));
        return new Outcome(r.with(h.patrolling(clock.now())), city + ": " + h.name() + " is patrolling");
    }

    /** Fight: one random patrolling hero in {@code city} takes 5..15 damage; at 0 it is removed for good. */
    public static Outcome fight(Replica r, String city, RandomGenerator random, HybridLogicalClock clock) {
        List<Hero> patrolling = r.heroes().values().stream().filter(h -> h.location().equals(city) && h.patrolling())
                .sorted(Comparator.comparing(Hero::id)).toList();
        if (patrolling.isEmpty()) return new Outcome(r, city + ": no patrolling hero to fight");
        Hero h = patrolling.get(random.nextInt(patrolling.size()));
        int damage = MIN_DAMAGE + random.nextInt(MAX_DAMAGE - MIN_DAMAGE + 1);
        Hero hurt = h.hurt(damage, clock.now());
        if (hurt.health() == 0) {
            return new Outcome(r.without(h.id()), city + ": " + h.name() + " took " + damage + " damage and fell");
        }
        return new Outcome(r.with(hurt), city + ": " + h.name() + " took " + damage + " damage, health " + hurt.health());
    }
}
