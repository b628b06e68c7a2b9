package dev.cohort.examples.superheroes;

import dev.cohort.cluster.ClusterNode;
import dev.cohort.process.Address;
import java.util.List;
import java.util.random.RandomGenerator;

/** The three cities, how to reach each from any node, and which are up. */
public final class Cities {
    public static final List<String> NAMES = List.of("gotham", "metropolis", "capitol");

    private final ClusterNode cluster;
    private final String host;

    public Cities(ClusterNode cluster, String host) {
        this.cluster = cluster;
        this.host = host;
    }

    /** The city server of {@code city}, by its global name. */
    public Address server(String city) {
        return cluster.global().address(city);
    }

    /** The node a city runs on. */
    public String nodeOf(String city) {
        return city + "@" + host;
    }

    /** Whether the city's server is registered now. */
    public boolean isUp(String city) {
        return cluster.global().whereis(city) != null;
    }

    /** A random city; with {@code onlyUp}, among those up (empty if none). */
    public java.util.Optional<String> random(RandomGenerator random, boolean onlyUp) {
        List<String> candidates = onlyUp ? NAMES.stream().filter(this::isUp).toList() : NAMES;
        if (candidates.isEmpty()) return java.util.Optional.empty();
        return java.util.Optional.of(candidates.get(random.nextInt(candidates.size())));
    }

    public static boolean isCity(String name) {
        return NAMES.contains(name);
    }
}
