package dev.cohort.examples.superheroes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The superhero cluster with its four nodes as separate OS processes, driven over HTTP. */
class SuperheroClusterTest {
    private static final Pattern ID = Pattern.compile("\"id\":\"([0-9a-f-]+)\"");

    private static String create(SuperheroCluster c) throws Exception {
        var r = c.post("/api/heroes");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        Matcher m = ID.matcher(r.body());
        assertThat(m.find()).isTrue();
        return m.group(1);
    }

    private static void awaitHeroIn(SuperheroCluster c, String city, String id) {
        await().atMost(SuperheroCluster.WAIT).until(() -> c.city(city).contains(id));
    }

    @Test
    void heroesReachEveryCityABombedCityRefillsAndACityBombedTooOftenStaysDown() throws Exception {
        try (SuperheroCluster c = new SuperheroCluster(60_000, 60_000)) { // no patrols or fights: heroes stay home and alive
            for (String city : Cities.NAMES) c.startCity(city);
            c.startDispatch();
            await().atMost(SuperheroCluster.WAIT).until(() -> Cities.NAMES.stream().allMatch(n -> {
                try {
                    return c.city(n).contains("\"up\":true,\"state\":\"up\"");
                } catch (Exception e) {
                    return false;
                }
            }));

            // a hero created on dispatch reaches all three cities by gossip
            String batman = create(c);
            for (String city : Cities.NAMES) awaitHeroIn(c, city, batman);

            // a bombed city restarts empty and gets every hero back within a few gossip rounds
            assertThat(c.post("/api/cities/gotham/bomb").statusCode()).isEqualTo(202);
            c.awaitLine("gotham", l -> l.contains("gotham has been destroyed"));
            await().atMost(SuperheroCluster.WAIT).until(() -> c.count("gotham", l -> l.contains("gotham started with no heroes")) == 2);
            awaitHeroIn(c, "gotham", batman);
            await().atMost(SuperheroCluster.WAIT).until(() -> c.city("gotham").contains("\"restarts\":1"));

            // bombed more than 3 times in 5 s, its supervisor gives up: the city stays down, the rest runs on
            for (int i = 0; i < 10 && c.count("gotham", l -> l.contains("reached its restart intensity")) == 0; i++) {
                long starts = c.count("gotham", l -> l.contains("gotham started with no heroes"));
                assertThat(c.post("/api/cities/gotham/bomb").statusCode()).isEqualTo(202);
                await().atMost(SuperheroCluster.WAIT).until(() -> c.count("gotham", l -> l.contains("gotham started with no heroes")) > starts
                        || c.count("gotham", l -> l.contains("reached its restart intensity")) > 0);
            }
            c.awaitLine("gotham", l -> l.contains("reached its restart intensity"));
            await().atMost(SuperheroCluster.WAIT).until(() -> c.city("gotham").contains("\"up\":false,\"state\":\"down\""));
            String superman = create(c);
            awaitHeroIn(c, "metropolis", superman);
            awaitHeroIn(c, "capitol", superman);
            assertThat(c.city("gotham")).contains("\"heroIds\":[]");
            assertThat(c.post("/api/cities/atlantis/bomb").statusCode()).isEqualTo(404);
            assertThat(c.get("/no/such/page").statusCode()).isEqualTo(404);
        }
    }

    @Test
    void aCityStartedAfterDispatchIsPickedUp() throws Exception {
        try (SuperheroCluster c = new SuperheroCluster(60_000, 60_000)) {
            c.startCity("gotham");
            c.startCity("metropolis");
            c.startDispatch();
            await().atMost(SuperheroCluster.WAIT).until(() -> c.city("metropolis").contains("\"up\":true"));
            String hero = create(c);
            awaitHeroIn(c, "gotham", hero);
            awaitHeroIn(c, "metropolis", hero);
            c.startCity("capitol");
            await().atMost(SuperheroCluster.WAIT).until(() -> c.city("capitol").contains("\"up\":true,\"state\":\"up\""));
            awaitHeroIn(c, "capitol", hero);
        }
    }
}
