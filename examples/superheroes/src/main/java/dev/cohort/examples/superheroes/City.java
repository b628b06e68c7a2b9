package dev.cohort.examples.superheroes;

import dev.cohort.time.HybridLogicalClock;

import dev.cohort.examples.superheroes.CityProtocol.Assign;
import dev.cohort.examples.superheroes.CityProtocol.AssignResult;
import dev.cohort.examples.superheroes.CityProtocol.Bomb;
import dev.cohort.examples.superheroes.CityProtocol.Get;
import dev.cohort.examples.superheroes.CityProtocol.Update;
import dev.cohort.process.Address;
import dev.cohort.process.From;
import dev.cohort.process.ProcessContext;
import dev.cohort.server.GenServer;
import dev.cohort.server.Next;
import java.time.Duration;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The City server of one location node, registered cluster-wide under its city name. It always
 * starts empty and refills from gossip. Every patrol interval one hero here starts patrolling;
 * every fight interval one patrolling hero here takes damage.
 */
public final class City implements GenServer<Replica> {
    private static final Logger log = LoggerFactory.getLogger(City.class);
    /** Tick messages (local only). */
    private enum Tick { PATROL, FIGHT }

    /** The bomb's crash: an expected one, so the log shows its message and no stack trace. */
    static final class Bombed extends RuntimeException {
        Bombed(String city) { super(city + " has been destroyed", null, false, false); }
    }

    private final String name;
    private final HybridLogicalClock clock;
    private final RandomGenerator random;
    private final Duration patrolEvery;
    private final Duration fightEvery;
    private ProcessContext self;

    public City(String name, HybridLogicalClock clock, RandomGenerator random, Duration patrolEvery, Duration fightEvery) {
        this.name = name;
        this.clock = clock;
        this.random = random;
        this.patrolEvery = patrolEvery;
        this.fightEvery = fightEvery;
    }

    @Override
    public Next<Replica> init(ProcessContext self) {
        this.self = self;
        self.sendAfter(self.self(), Tick.PATROL, patrolEvery);
        self.sendAfter(self.self(), Tick.FIGHT, fightEvery);
        self.send(Address.name(CityWatch.NAME), new CityWatch.Started(self.self()));
        log.info("{} started with no heroes; gossip will refill it", name);
        return Next.ok(Replica.EMPTY);
    }

    @Override
    public Next<Replica> handleCall(Object request, From from, Replica data) {
        return switch (request) {
            case Get g -> Next.reply(data, data);
            case Assign a -> assign(a, data);
            default -> Next.reply(new AssignResult(null, "unknown request " + request), data);
        };
    }

    private Next<Replica> assign(Assign a, Replica data) {
        observe(a.replica());
        Replica merged = data.merge(a.replica());
        if (merged.tombstones().contains(a.heroId())) {
            return Next.reply(new AssignResult(merged, "hero " + a.heroId() + " is no longer with us"), merged);
        }
        Hero h = merged.heroes().get(a.heroId());
        if (h == null) return Next.reply(new AssignResult(merged, "no hero with id " + a.heroId()), merged);
        Replica next = merged.with(h.assignedTo(name, clock.now()));
        log.info("{}: {} assigned here, health {}", name, h.name(), next.heroes().get(h.id()).health());
        return Next.reply(new AssignResult(next, null), next);
    }

    @Override
    public Next<Replica> handleCast(Object request, Replica data) {
        return switch (request) {
            case Update u -> {
                observe(u.replica());
                Replica merged = data.merge(u.replica());
                if (!merged.equals(data)) log.info("{}: merged an update, {} heroes", name, merged.heroes().size());
                yield Next.noReply(merged);
            }
            case Bomb b -> throw new Bombed(name);
            default -> Next.noReply(data);
        };
    }

    @Override
    public Next<Replica> handleInfo(Object message, Replica data) {
        if (message == Tick.PATROL) {
            self.sendAfter(self.self(), Tick.PATROL, patrolEvery);
            CityRules.Outcome o = CityRules.patrol(data, name, random, clock);
            log.info(o.log());
            return Next.noReply(o.replica());
        }
        if (message == Tick.FIGHT) {
            self.sendAfter(self.self(), Tick.FIGHT, fightEvery);
            CityRules.Outcome o = CityRules.fight(data, name, random, clock);
            log.info(o.log());
            return Next.noReply(o.replica());
        }
        return Next.noReply(data);
    }

    private void observe(Replica r) {
        for (Hero h : r.heroes().values()) clock.observe(h.updated());
    }
}
