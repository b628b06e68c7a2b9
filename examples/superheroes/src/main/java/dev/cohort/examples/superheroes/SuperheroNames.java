package dev.cohort.examples.superheroes;

import java.util.List;
import java.util.random.RandomGenerator;

/** Names for new heroes. */
final class SuperheroNames {
    private SuperheroNames() {}

    private static final List<String> NAMES = List.of("Batman", "Superman", "Wonder Woman", "The Flash", "Aquaman",
            "Green Lantern", "Martian Manhunter", "Cyborg", "Zatanna", "Black Canary", "Green Arrow", "Hawkgirl",
            "Supergirl", "Nightwing", "Batgirl", "Raven", "Starfire", "Beast Boy", "Blue Beetle", "Booster Gold",
            "Captain Marvel", "Plastic Man", "Huntress", "Vixen", "Firestorm", "The Atom", "Static", "Mister Miracle",
            "Big Barda", "Doctor Fate");

    static String random(RandomGenerator random) {
        return NAMES.get(random.nextInt(NAMES.size()));
    }
}
