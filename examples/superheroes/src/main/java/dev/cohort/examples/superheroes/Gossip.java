package dev.cohort.examples.superheroes;

import dev.cohort.examples.superheroes.CityProtocol.Get;
import dev.cohort.examples.superheroes.CityProtocol.Update;
import dev.cohort.process.ProcessContext;
import dev.cohort.server.GenServer;
import dev.cohort.server.Next;
import java.time.Duration;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every interval, reads a random city's replica and sends it to another random city, so the
 * replicas converge. Lets it crash when it picks a city that is down: its supervisor restarts it.
 */
public final class Gossip implements GenServer<Void> {
    private static final Logger log = LoggerFactory.getLogger(Gossip.class);
    private static final Object TICK = "gossip";
    private final Cities cities;
    private final Duration every;
    private final RandomGenerator random;
    private ProcessContext self;

    public Gossip(Cities cities, Duration every, RandomGenerator random) {
        this.cities = cities;
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
        String from = Cities.NAMES.get(random.nextInt(Cities.NAMES.size()));
        String to = Cities.NAMES.get(random.nextInt(Cities.NAMES.size()));
        if (to.equals(from)) return Next.noReply(state);
        Replica data = self.call(cities.server(from), new Get(), Duration.ofSeconds(2)); // crashes if `from` is down
        if (!cities.isUp(to)) throw new IllegalStateException("gossip to " + to + ": it is down");
        self.cast(cities.server(to), new Update(data));
        log.debug("gossip: {} -> {} ({} heroes)", from, to, data.heroes().size());
        return Next.noReply(state);
    }
}
