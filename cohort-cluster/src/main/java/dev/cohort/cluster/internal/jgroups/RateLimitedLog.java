package dev.cohort.cluster.internal.jgroups;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decides whether a log line about one source may be written now: at most one per source per
 * interval, so a hostile or broken peer cannot fill the log. Remembers at most
 * {@link #MAX_SOURCES} sources; past that, the oldest are forgotten.
 */
final class RateLimitedLog {
    static final int MAX_SOURCES = 1024;
    private final long intervalMs;
    private final Map<String, Long> last = new ConcurrentHashMap<>();

    RateLimitedLog(long intervalMs) {
        this.intervalMs = intervalMs;
    }

    boolean shouldLog(String source) {
        long now = System.currentTimeMillis();
        Long before = last.get(source);
        if (before != null && now - before < intervalMs) return false;
        if (last.size() >= MAX_SOURCES) last.values().removeIf(t -> now - t >= intervalMs);
        if (last.size() >= MAX_SOURCES) return false;
        last.put(source, now);
        return true;
    }
}
