package dev.cohort.examples.superheroes;

import dev.cohort.time.HybridLogicalClock;

import dev.cohort.examples.superheroes.CityProtocol.Bomb;
import dev.cohort.examples.superheroes.CityProtocol.CityStatus;
import dev.cohort.examples.superheroes.CityProtocol.Get;
import dev.cohort.examples.superheroes.CityProtocol.Update;
import dev.cohort.process.ExitReason;
import dev.cohort.process.Node;
import dev.cohort.process.Pid;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.staticfiles.Location;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dispatch node's web server: the live page ({@code /}, pushed over the {@code /ws}
 * WebSocket by one {@link Tabs} process per open tab) and a small JSON API for scripts and
 * tests: {@code GET /api/cities}, {@code POST /api/heroes}, {@code POST /api/cities/{city}/bomb}.
 * Anything else is a 404; bad input gets a 4xx.
 */
final class DispatchWeb {
    private static final Logger log = LoggerFactory.getLogger(DispatchWeb.class);
    private static final int MAX_COMMAND = 1_000;

    private DispatchWeb() {}

    static Javalin start(String host, int port, Node node, Tabs tabs, Cities cities, ClusterStatus status,
                         HybridLogicalClock clock, RandomGenerator random) {
        Map<String, Pid> sessions = new ConcurrentHashMap<>();
        return Javalin.create(config -> {
            config.jetty.host = host;
            config.jetty.port = port;
            config.startup.showJavalinBanner = false;
            config.staticFiles.add("/public", Location.CLASSPATH);
            config.routes.get("/api/cities", ctx -> ctx.contentType("application/json").result(citiesJson(node, cities, status)));
            config.routes.post("/api/heroes", ctx -> createHero(ctx, node, cities, clock, random));
            config.routes.post("/api/cities/{city}/bomb", ctx -> {
                String city = ctx.pathParam("city");
                if (!Cities.isCity(city)) {
                    ctx.status(404).contentType("application/json").result(Json.object("error", "no city named " + city));
                    return;
                }
                node.cast(cities.server(city), new Bomb());
                ctx.status(202).contentType("application/json").result(Json.object("bombed", city));
            });
            config.routes.ws("/ws", ws -> {
                ws.onConnect(ctx -> {
                    ctx.session.setIdleTimeout(Duration.ofHours(1));
                    Pid tab = tabs.open(text -> {
                        try {
                            if (ctx.session.isOpen()) ctx.send(text);
                        } catch (RuntimeException e) {
                            log.debug("could not push to a closed tab: {}", e.toString());
                        }
                    });
                    sessions.put(ctx.sessionId(), tab);
                });
                ws.onMessage(ctx -> {
                    Pid tab = sessions.get(ctx.sessionId());
                    String text = ctx.message();
                    if (tab != null && text.length() <= MAX_COMMAND) node.send(tab, new Tabs.Command(text));
                });
                ws.onClose(ctx -> close(node, sessions.remove(ctx.sessionId())));
                ws.onError(ctx -> close(node, sessions.remove(ctx.sessionId())));
            });
        }).start();
    }

    private static void close(Node node, Pid tab) {
        if (tab != null) node.exit(tab, ExitReason.SHUTDOWN);
    }

    private static void createHero(Context ctx, Node node, Cities cities, HybridLogicalClock clock, RandomGenerator random) {
        String name = ctx.queryParam("name");
        if (name != null && (name.isBlank() || name.length() > 100)) {
            ctx.status(400).contentType("application/json").result(Json.object("error", "name must be 1..100 characters"));
            return;
        }
        String city = cities.random(random, true).orElse(null);
        if (city == null) {
            ctx.status(503).contentType("application/json").result(Json.object("error", "every city is down"));
            return;
        }
        Hero h = Hero.recruit(UUID.randomUUID().toString(), name != null ? name : SuperheroNames.random(random), clock.now());
        node.cast(cities.server(city), new Update(Replica.EMPTY.with(h)));
        ctx.status(201).contentType("application/json").result(Json.object("id", h.id(), "name", h.name(), "sentTo", city));
    }

    private static String citiesJson(Node node, Cities cities, ClusterStatus status) {
        List<String> out = new ArrayList<>();
        Map<String, CityStatus> byName = new java.util.HashMap<>();
        for (CityStatus s : status.latest().cities()) byName.put(s.city(), s);
        for (String city : Cities.NAMES) {
            List<String> ids = new ArrayList<>();
            if (cities.isUp(city)) {
                try {
                    Replica r = node.call(cities.server(city), new Get(), Duration.ofSeconds(2));
                    r.heroes().keySet().stream().sorted().forEach(id -> ids.add(Json.string(id)));
                } catch (RuntimeException e) {
                    // went down meanwhile: no heroes to list
                }
            }
            CityStatus s = byName.getOrDefault(city, new CityStatus(city, "unknown", 0, 0, -1, ""));
            out.add(Json.object("name", city, "up", cities.isUp(city), "state", s.state(), "restarts", s.restarts(),
                    "restartsInWindow", s.restartsInWindow(), "heroIds", new Json.Raw(Json.array(ids))));
        }
        return Json.array(out);
    }
}
