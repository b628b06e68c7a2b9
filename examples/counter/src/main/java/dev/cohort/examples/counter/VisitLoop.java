package dev.cohort.examples.counter;

import dev.cohort.process.Messenger;
import dev.cohort.process.Pid;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/**
 * The visit and dashboard logic both kinds of {@link Sessions} share: find the session by name,
 * start it if missing, call it, and try again (same visit id) when it ended or its node died.
 */
final class VisitLoop {
    static final Duration CALL = Duration.ofSeconds(5), GIVE_UP = Duration.ofSeconds(10);

    private VisitLoop() {}

    /**
     * @param whereis the session of a user, or null
     * @param start starts the user's session and returns it, or null if another start won (then it is looked up again)
     */
    static Sessions.Visited visit(Messenger via, String user, Function<String, Pid> whereis, Function<String, Pid> start) {
        // 64 random bits: two visits among a session's last 64 share an id with odds of 1 in 2^58
        Session.Visit visit = new Session.Visit(java.util.concurrent.ThreadLocalRandom.current().nextLong());
        long deadline = System.nanoTime() + GIVE_UP.toNanos();
        long backoffMs = 1;
        RuntimeException last = null;
        while (System.nanoTime() < deadline) {
            Pid pid = whereis.apply(user);
            if (pid == null) {
                try {
                    pid = start.apply(user);
                } catch (RuntimeException e) {
                    last = e; // lost a race with another start, or the cluster is moving the session: look again
                }
            }
            if (pid != null) {
                try {
                    long visits = via.<Long>call(pid, visit, CALL);
                    return new Sessions.Visited(visits, pid.node());
                } catch (RuntimeException e) {
                    last = e; // it ended or its node died: the next incarnation counts this visit (same id)
                }
            }
            LockSupport.parkNanos(backoffMs * 1_000_000);
            backoffMs = Math.min(100, backoffMs * 2);
        }
        throw new IllegalStateException("the session of " + user + " could not be reached within " + GIVE_UP.toSeconds() + " s", last);
    }

    /** Asks every session of {@code sessions} (user to pid) for its visits, in parallel, 2 s at most each. */
    static List<Sessions.SessionInfo> list(Messenger via, Map<String, Pid> sessions) {
        List<Thread> threads = new ArrayList<>();
        List<Sessions.SessionInfo> out = java.util.Collections.synchronizedList(new ArrayList<>());
        sessions.forEach((user, pid) -> threads.add(Thread.ofVirtual().start(() -> {
            long visits;
            try {
                visits = via.<Long>call(pid, Session.GET, Duration.ofSeconds(2));
            } catch (RuntimeException e) {
                visits = -1;
            }
            out.add(new Sessions.SessionInfo(user, visits, pid.node()));
        })));
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        List<Sessions.SessionInfo> sorted = new ArrayList<>(out);
        sorted.sort(Comparator.comparing(Sessions.SessionInfo::user));
        return sorted;
    }

    /** The user of a session key, or null for other keys. */
    static String userOf(Object key) {
        return key instanceof String s && s.startsWith("session:") ? s.substring("session:".length()) : null;
    }
}
