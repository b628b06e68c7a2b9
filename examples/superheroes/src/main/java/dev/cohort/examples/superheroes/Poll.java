package dev.cohort.examples.superheroes;

import dev.cohort.examples.superheroes.CityProtocol.Get;
import dev.cohort.process.ProcessContext;
import dev.cohort.registry.Registry;
import dev.cohort.server.GenServer;
import dev.cohort.server.Next;
import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Every interval, reads a random city's replica and sends it to every open page (each tab
 * merges it into its own replica). Lets it crash when it picks a city that is down.
 */
public final class Poll implements GenServer<Void> {
    private static final Object TICK = "poll";
    /** What each tab receives. */
    public record Polled(String city, Replica replica) {}

    private final Cities cities;
    private final Registry tabs;
    private final Duration every;
    private final RandomGenerator random;
    private ProcessContext self;

    public Poll(Cities cities, Registry tabs, Duration every, RandomGenerator random) {
        this.cities = cities;
        this.tabs = tabs;
        this.every = every;
        this.random = random;
    }

    @Override
    public Next<Void> init(ProcessContext self) {
        this.self = self;
        self.sendAfter(self.self(), TICK, every);
        return Next.ok(null);
    }

    @Override
    public Next<Void> handleInfo(Object message, Void state) {
        if (message != TICK) return Next.noReply(state);
        self.sendAfter(self.self(), TICK, every);
        String city = Cities.NAMES.get(random.nextInt(Cities.NAMES.size()));
        Replica data = self.call(cities.server(city), new Get(), Duration.ofSeconds(2)); // crashes if the city is down
        tabs.sendAll(Tabs.KEY, new Polled(city, data));
        return Next.noReply(state);
    }
}
