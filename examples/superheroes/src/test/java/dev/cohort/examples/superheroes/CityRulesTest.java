package dev.cohort.examples.superheroes;

import dev.cohort.time.HybridLogicalClock;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Patrol and fight rules with a controlled clock and random source. */
class CityRulesTest {
    private final AtomicLong wall = new AtomicLong(10_000);
    private final HybridLogicalClock clock = new HybridLogicalClock("gotham@h", wall::get);

    @Test
    void patrolPicksAHeroInTheCityAndIdleCitiesSaySo() {
        Replica r = Replica.EMPTY.with(Hero.recruit("a", "Batman", clock.now()).assignedTo("gotham", clock.now()))
                .with(Hero.recruit("b", "Superman", clock.now()));
        CityRules.Outcome o = CityRules.patrol(r, "gotham", new Random(1), clock);
        assertThat(o.replica().heroes().get("a").patrolling()).isTrue();
        assertThat(o.replica().heroes().get("b").patrolling()).as("at home: not patrolling").isFalse();
        assertThat(o.log()).isEqualTo("gotham: Batman is patrolling");
        assertThat(CityRules.patrol(r, "capitol", new Random(1), clock).log()).isEqualTo("capitol: no hero available to patrol");
    }

    @Test
    void fightsHurtOnlyPatrollingHeroesBy5To15AndRemoveThemForGoodAt0() {
        Replica r = Replica.EMPTY.with(Hero.recruit("a", "Batman", clock.now()).assignedTo("gotham", clock.now()).patrolling(clock.now()))
                .with(Hero.recruit("b", "Robin", clock.now()).assignedTo("gotham", clock.now()));
        Random random = new Random(7);
        int health = r.heroes().get("a").health();
        assertThat(health).isEqualTo(100);
        int fights = 0;
        while (r.heroes().containsKey("a")) {
            CityRules.Outcome o = CityRules.fight(r, "gotham", random, clock);
            if (o.replica().heroes().containsKey("a")) {
                int damage = health - o.replica().heroes().get("a").health();
                assertThat(damage).isBetween(CityRules.MIN_DAMAGE, CityRules.MAX_DAMAGE);
                health -= damage;
            } else {
                assertThat(o.log()).contains("Batman took").endsWith("and fell");
            }
            r = o.replica();
            assertThat(r.heroes().get("b").health()).as("Robin is not patrolling").isEqualTo(100);
            fights++;
        }
        assertThat(fights).isBetween(7, 20);
        assertThat(r.tombstones()).contains("a");
        assertThat(CityRules.fight(Replica.EMPTY, "gotham", random, clock).log()).isEqualTo("gotham: no patrolling hero to fight");
    }

    @Test
    void assigningHealsBy20CappedAt100AndMakesTheHeroIdle() {
        Hero h = Hero.recruit("a", "Batman", clock.now()).assignedTo("gotham", clock.now()).patrolling(clock.now()).hurt(50, clock.now());
        Hero moved = h.assignedTo("capitol", clock.now());
        assertThat(moved.health()).isEqualTo(70);
        assertThat(moved.patrolling()).isFalse();
        assertThat(moved.assignedTo("gotham", clock.now()).assignedTo("home", clock.now()).health()).isEqualTo(100);
    }
}
