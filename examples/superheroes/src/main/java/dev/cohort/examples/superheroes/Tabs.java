package dev.cohort.examples.superheroes;

import dev.cohort.time.HybridLogicalClock;

import dev.cohort.examples.superheroes.CityProtocol.Assign;
import dev.cohort.examples.superheroes.CityProtocol.AssignResult;
import dev.cohort.examples.superheroes.CityProtocol.Bomb;
import dev.cohort.examples.superheroes.CityProtocol.CityStatus;
import dev.cohort.examples.superheroes.CityProtocol.Update;
import dev.cohort.process.Node;
import dev.cohort.process.Pid;
import dev.cohort.process.ProcessContext;
import dev.cohort.registry.Registry;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * One process per open page (what a LiveView process is in the seed): it holds that tab's own
 * replica, merges every poll into it, carries out the tab's commands, and pushes the rendered
 * state to the browser. Registered under {@value #KEY} in the dispatch node's duplicate registry.
 *
 * <p>Commands (one text message each): {@code create}, {@code terminate ID},
 * {@code assign ID PLACE} (home or a city), {@code bomb} (a random city that is up) or
 * {@code bomb CITY}. Anything else gets a flash message, never a crash.
 */
public final class Tabs {
    public static final String KEY = "tabs";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());

    /** A command typed into the page. */
    public record Command(String text) {}

    private final Node node;
    private final Registry registry;
    private final Cities cities;
    private final HybridLogicalClock clock;
    private final RandomGenerator random;
    private final ClusterStatus status;

    public Tabs(Node node, Registry registry, Cities cities, HybridLogicalClock clock, RandomGenerator random, ClusterStatus status) {
        this.node = node;
        this.registry = registry;
        this.cities = cities;
        this.clock = clock;
        this.random = random;
        this.status = status;
    }

    /** Starts the process of a new tab; {@code push} sends text to its browser. */
    public Pid open(Consumer<String> push) {
        return node.spawn(self -> new Tab(self, push).run());
    }

    private final class Tab {
        private final ProcessContext self;
        private final Consumer<String> push;
        private Replica replica = Replica.EMPTY;
        private ClusterStatus.View view;
        private String flash;

        Tab(ProcessContext self, Consumer<String> push) {
            this.self = self;
            this.push = push;
            this.view = status.latest();
        }

        void run() {
            registry.register(self, KEY, null);
            render();
            for (;;) {
                switch (self.receive()) {
                    case Command c -> command(c.text().trim());
                    case Poll.Polled p -> {
                        observe(p.replica());
                        replica = replica.merge(p.replica());
                    }
                    case ClusterStatus.View v -> view = v;
                    default -> { continue; }
                }
                render();
                flash = null;
            }
        }

        private void command(String text) {
            String[] w = text.split("\\s+");
            try {
                switch (w[0]) {
                    case "create" -> {
                        Hero h = Hero.recruit(UUID.randomUUID().toString(), SuperheroNames.random(random), clock.now());
                        replica = replica.with(h);
                        pushToRandomCity();
                        flash = h.name() + " has joined";
                    }
                    case "terminate" -> {
                        need(w, 2);
                        Hero h = replica.heroes().get(w[1]);
                        replica = replica.without(w[1]);
                        pushToRandomCity();
                        flash = (h == null ? "that hero" : h.name()) + " has been terminated";
                    }
                    case "assign" -> {
                        need(w, 3);
                        assign(w[1], w[2]);
                    }
                    case "bomb" -> {
                        String city = w.length > 1 ? w[1] : cities.random(random, true).orElse(null);
                        if (city == null || !Cities.isCity(city)) {
                            flash = city == null ? "every city is down already" : "no city named " + city;
                            return;
                        }
                        self.cast(cities.server(city), new Bomb());
                        flash = city + " has been destroyed";
                    }
                    default -> flash = "unknown command: " + text;
                }
            } catch (IllegalArgumentException e) {
                flash = e.getMessage();
            } catch (RuntimeException e) {
                flash = "failed: " + e.getMessage();
            }
        }

        private void assign(String id, String place) {
            Hero h = replica.heroes().get(id);
            if (h == null) throw new IllegalArgumentException(replica.tombstones().contains(id) ? "that hero is no longer with us" : "no hero with id " + id);
            if (place.equals(Hero.HOME)) {
                replica = replica.with(h.assignedTo(Hero.HOME, clock.now()));
                pushToRandomCity();
                flash = h.name() + " went home";
                return;
            }
            if (!Cities.isCity(place)) throw new IllegalArgumentException("no place named " + place);
            if (!cities.isUp(place)) throw new IllegalArgumentException(place + " is down; try another city");
            AssignResult r = self.call(cities.server(place), new Assign(id, replica), Duration.ofSeconds(5));
            if (r.replica() != null) {
                observe(r.replica());
                replica = replica.merge(r.replica());
            }
            flash = r.error() != null ? r.error() : h.name() + " was sent to " + place;
        }

        private void pushToRandomCity() {
            cities.random(random, true).ifPresent(c -> self.cast(cities.server(c), new Update(replica)));
        }

        private void observe(Replica r) {
            for (Hero h : r.heroes().values()) clock.observe(h.updated());
        }

        private void render() {
            List<String> heroes = new ArrayList<>();
            replica.heroes().values().stream().sorted(Comparator.comparing(Hero::name).thenComparing(Hero::id)).forEach(h ->
                    heroes.add(Json.object("id", h.id(), "name", h.name(), "location", h.location(),
                            "patrolling", h.patrolling(), "health", h.health())));
            List<String> cityJson = new ArrayList<>();
            for (CityStatus s : view.cities()) {
                cityJson.add(Json.object("name", s.city(), "state", s.state(), "restartsInWindow", s.restartsInWindow(),
                        "restarts", s.restarts(), "heroes", s.heroes()));
            }
            push.accept(Json.object("heroes", new Json.Raw(Json.array(heroes)), "cities", new Json.Raw(Json.array(cityJson)),
                    "agree", view.agree(), "agreeSince", view.agree() ? TIME.format(Instant.ofEpochMilli(view.agreeSinceMillis())) : null,
                    "flash", flash));
        }
    }

    private static void need(String[] words, int n) {
        if (words.length < n) throw new IllegalArgumentException("'" + words[0] + "' needs " + (n - 1) + " argument(s)");
    }
}
