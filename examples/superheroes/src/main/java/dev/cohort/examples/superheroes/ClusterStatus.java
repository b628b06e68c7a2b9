package dev.cohort.examples.superheroes;

import dev.cohort.cluster.ClusterNode;
import dev.cohort.examples.superheroes.CityProtocol.CityStatus;
import dev.cohort.examples.superheroes.CityProtocol.GetStatus;
import dev.cohort.process.Address;
import dev.cohort.process.ProcessContext;
import dev.cohort.registry.Registry;
import dev.cohort.server.GenServer;
import dev.cohort.server.Next;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Every second: each city's status (asked from its node's {@link CityWatch}; "down" when its
 * node is unreachable) and whether all replicas agree, and since when. Sent to every tab and
 * kept for the HTTP API.
 */
public final class ClusterStatus implements GenServer<ClusterStatus.View> {
    private static final Object TICK = "status";

    /** A snapshot: statuses in city order, whether every city is up with the same replica, and since when (ms, or 0). */
    public record View(List<CityStatus> cities, boolean agree, long agreeSinceMillis) {}

    private final ClusterNode cluster;
    private final Cities cities;
    private final Registry tabs;
    private final Duration every;
    private volatile View latest = new View(List.of(), false, 0);
    private ProcessContext self;

    public ClusterStatus(ClusterNode cluster, Cities cities, Registry tabs, Duration every) {
        this.cluster = cluster;
        this.cities = cities;
        this.tabs = tabs;
        this.every = every;
    }

    /** The latest snapshot, readable from any thread. */
    public View latest() { return latest; }

    @Override
    public Next<View> init(ProcessContext self) {
        this.self = self;
        self.send(self.self(), TICK);
        return Next.ok(latest);
    }

    @Override
    public Next<View> handleInfo(Object message, View previous) {
        if (message != TICK) return Next.noReply(previous);
        self.sendAfter(self.self(), TICK, every);
        List<CityStatus> statuses = new ArrayList<>();
        for (String city : Cities.NAMES) statuses.add(statusOf(city));
        String digest = statuses.getFirst().digest();
        boolean agree = statuses.stream().allMatch(s -> "up".equals(s.state()) && !s.digest().isEmpty() && s.digest().equals(digest));
        long since = agree ? (previous.agree() ? previous.agreeSinceMillis() : System.currentTimeMillis()) : 0;
        View v = new View(List.copyOf(statuses), agree, since);
        latest = v;
        tabs.sendAll(Tabs.KEY, v);
        return Next.noReply(v);
    }

    private CityStatus statusOf(String city) {
        String node = cities.nodeOf(city);
        if (!cluster.isConnected(node)) return new CityStatus(city, "down", 0, 0, -1, "");
        try {
            return self.call(Address.remote(CityWatch.NAME, node), new GetStatus(), Duration.ofSeconds(2));
        } catch (RuntimeException e) {
            return new CityStatus(city, "unknown", 0, 0, -1, "");
        }
    }
}
