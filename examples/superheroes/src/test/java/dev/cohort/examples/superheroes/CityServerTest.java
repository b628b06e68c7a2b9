package dev.cohort.examples.superheroes;

import dev.cohort.time.HybridLogicalClock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.examples.superheroes.CityProtocol.Assign;
import dev.cohort.examples.superheroes.CityProtocol.AssignResult;
import dev.cohort.examples.superheroes.CityProtocol.Get;
import dev.cohort.examples.superheroes.CityProtocol.Update;
import dev.cohort.process.Node;
import dev.cohort.process.Pid;
import dev.cohort.server.GenServer;
import dev.cohort.time.ManualTime;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The City server's requests, on one node with a manual clock (its ticks never fire here). */
class CityServerTest {
    private final ManualTime time = new ManualTime();
    private final Node node = Node.builder().name("gotham@127.0.0.1").clock(time).scheduler(time).build();
    private final HybridLogicalClock clock = new HybridLogicalClock("gotham@127.0.0.1", () -> 1_000);
    private final Pid city = GenServer.start(node, new City("gotham", clock, new Random(3), Duration.ofSeconds(5), Duration.ofSeconds(5)));

    @AfterEach
    void stop() {
        node.shutdown(Duration.ofSeconds(5));
    }

    @Test
    void assignMergesTheCallersReplicaMovesHealsAndAnswersClearlyForUnknownOrDeadHeroes() {
        HybridLogicalClock dispatch = new HybridLogicalClock("dispatch@127.0.0.1", () -> 1_000);
        Hero batman = Hero.recruit("b", "Batman", dispatch.now()).hurt(50, dispatch.now());
        Replica mine = Replica.EMPTY.with(batman);

        AssignResult ok = node.call(city, new Assign("b", mine));
        assertThat(ok.error()).isNull();
        Hero moved = ok.replica().heroes().get("b");
        assertThat(moved.location()).isEqualTo("gotham");
        assertThat(moved.health()).isEqualTo(70);
        assertThat(moved.updated()).as("the city's write orders after the caller's").isGreaterThan(batman.updated());

        AssignResult unknown = node.call(city, new Assign("nobody", Replica.EMPTY));
        assertThat(unknown.error()).isEqualTo("no hero with id nobody");

        node.cast(city, new Update(ok.replica().without("b")));
        AssignResult dead = node.call(city, new Assign("b", mine));
        assertThat(dead.error()).isEqualTo("hero b is no longer with us");
        Replica now = node.call(city, new Get());
        assertThat(now.heroes()).isEmpty();
        assertThat(now.tombstones()).containsExactly("b");
    }

    @Test
    void ticksPatrolAndFightOnTheInjectedClock() {
        HybridLogicalClock dispatch = new HybridLogicalClock("dispatch@127.0.0.1", () -> 1_000);
        node.call(city, new Assign("b", Replica.EMPTY.with(Hero.recruit("b", "Batman", dispatch.now()))));
        time.advance(Duration.ofSeconds(5)); // patrol, then fight
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
            Replica r = node.call(city, new Get());
            Hero h = r.heroes().get("b");
            return h != null && h.patrolling() && h.health() < 100;
        });
    }
}
