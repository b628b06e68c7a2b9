package dev.cohort.examples.superheroes;

import dev.cohort.examples.superheroes.CityProtocol.CityStatus;
import dev.cohort.examples.superheroes.CityProtocol.Get;
import dev.cohort.examples.superheroes.CityProtocol.GetStatus;
import dev.cohort.process.Down;
import dev.cohort.process.From;
import dev.cohort.process.Pid;
import dev.cohort.process.ProcessContext;
import dev.cohort.process.Ref;
import dev.cohort.server.GenServer;
import dev.cohort.server.Next;
import dev.cohort.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Watches the city of its node for the dispatch UI's status strip: up, restarting (between a
 * crash and the restart), or down (its supervisor gave up); and the restarts used in the
 * supervisor's window. Registered locally as {@value #NAME}.
 */
public final class CityWatch implements GenServer<CityWatch.State> {
    public static final String NAME = "citywatch";

    /** Sent by a City when it starts. */
    public record Started(Pid city) {}

    /** Sent once by the node: the city's supervisor, to watch for giving up. */
    public record Supervising(Pid supervisor) {}

    static final class State {
        Pid city;
        Ref cityRef;
        String state = "starting";
        int restarts;
        int starts;
        final Deque<Long> crashes = new ArrayDeque<>();
    }

    private final String city;
    private Pid supervisor;
    private final Duration window;
    private final Clock clock;
    private ProcessContext self;

    public CityWatch(String city, Duration window, Clock clock) {
        this.city = city;
        this.window = window;
        this.clock = clock;
    }

    @Override
    public Next<State> init(ProcessContext self) {
        this.self = self;
        return Next.ok(new State());
    }

    @Override
    public Next<State> handleCall(Object request, From from, State s) {
        if (!(request instanceof GetStatus)) return Next.reply("unknown request", s);
        long now = clock.nanoTime();
        while (!s.crashes.isEmpty() && now - s.crashes.peekFirst() > window.toNanos()) s.crashes.removeFirst();
        int heroes = -1;
        String digest = "";
        if (s.city != null && "up".equals(s.state)) {
            try {
                Replica r = self.call(s.city, new Get(), Duration.ofSeconds(1));
                heroes = r.heroes().size();
                digest = r.digest();
            } catch (RuntimeException e) {
                // it is being bombed right now: report what we know
            }
        }
        return Next.reply(new CityStatus(city, s.state, s.crashes.size(), s.restarts, heroes, digest), s);
    }

    @Override
    public Next<State> handleInfo(Object message, State s) {
        switch (message) {
            case Started st -> {
                if (s.starts++ > 0) s.restarts++;
                s.city = st.city();
                s.cityRef = self.monitor(st.city());
                s.state = "up";
            }
            case Supervising sv -> {
                supervisor = sv.supervisor();
                self.monitor(supervisor);
            }
            case Down d when d.pid().equals(supervisor) -> s.state = "down";
            case Down d when d.ref().equals(s.cityRef) -> {
                s.crashes.addLast(clock.nanoTime());
                if (!"down".equals(s.state)) s.state = "restarting";
            }
            default -> { }
        }
        return Next.noReply(s);
    }
}
