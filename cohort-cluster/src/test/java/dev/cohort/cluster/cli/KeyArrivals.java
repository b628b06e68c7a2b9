package dev.cohort.cluster.cli;

import dev.cohort.cluster.ClusterNode;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * For benchmark fixtures: reports keys as they arrive on this node to the process registered
 * globally as {@code bench-driver}. A key {@code probe:*} is reported at once
 * ({@code "SEEN <key> <node>"}); keys of any other prefix are counted, and the {@code expect}-th
 * new one of a prefix is reported ({@code "DONE <prefix> <node>"}). Thread-safe.
 */
public final class KeyArrivals {
    private final ClusterNode cluster;
    private final int expect;
    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();

    public KeyArrivals(ClusterNode cluster, int expect) {
        this.cluster = cluster;
        this.expect = expect;
    }

    /** {@code key} arrived here ({@code isNew}: it was absent before). */
    public void arrived(String key, boolean isNew) {
        int colon = key.indexOf(':');
        String prefix = colon < 0 ? "" : key.substring(0, colon);
        if (prefix.equals("probe")) {
            cluster.global().send("bench-driver", "SEEN " + key + " " + cluster.name());
        } else if (isNew && !prefix.isEmpty() && counts.computeIfAbsent(prefix, x -> new AtomicInteger()).incrementAndGet() == expect) {
            cluster.global().send("bench-driver", "DONE " + prefix + " " + cluster.name());
        }
    }
}
