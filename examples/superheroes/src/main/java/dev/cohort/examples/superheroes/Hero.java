package dev.cohort.examples.superheroes;

import dev.cohort.time.Timestamp;

import java.util.Objects;

/** One superhero, as every replica holds it. Immutable; a change is a new record with a new stamp. */
public record Hero(String id, String name, String location, boolean patrolling, int health, Timestamp updated) {
    public static final String HOME = "home";

    public Hero {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(updated, "updated");
        if (health < 0 || health > 100) throw new IllegalArgumentException("health must be 0..100, got " + health);
    }

    /** A new hero: at home, idle, health 100. */
    public static Hero recruit(String id, String name, Timestamp now) {
        return new Hero(id, name, HOME, false, 100, now);
    }

    /** Sent to {@code place}: idle there, healed by 20 (at most 100). */
    public Hero assignedTo(String place, Timestamp now) {
        return new Hero(id, name, place, false, Math.min(100, health + 20), now);
    }

    public Hero patrolling(Timestamp now) {
        return new Hero(id, name, location, true, health, now);
    }

    /** Hurt by {@code damage}; health floors at 0. */
    public Hero hurt(int damage, Timestamp now) {
        return new Hero(id, name, location, patrolling, Math.max(0, health - damage), now);
    }
}
