package dev.cohort.server;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.LoggerFactory;

/** The bounded log of {@link TolerantServer}: the first dropped cast per server class, then one line per 1024. */
final class DroppedCasts {
    private static final ConcurrentHashMap<Class<?>, AtomicLong> COUNTS = new ConcurrentHashMap<>();

    private DroppedCasts() {}

    static void dropped(Class<?> server, Object request) {
        long n = COUNTS.computeIfAbsent(server, c -> new AtomicLong()).incrementAndGet();
        if (n != 1 && n % 1024 != 0) return;
        String shown = String.valueOf(request);
        if (shown.length() > 200) shown = shown.substring(0, 200) + "...";
        LoggerFactory.getLogger(server).warn("{} dropped a cast it does not handle ({} so far): {}", server.getSimpleName(), n, shown);
    }

    /** How many casts servers of {@code server}'s class dropped (for tests). */
    static long count(Class<?> server) {
        AtomicLong n = COUNTS.get(server);
        return n == null ? 0 : n.get();
    }
}
