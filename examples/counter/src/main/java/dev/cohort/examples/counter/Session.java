package dev.cohort.examples.counter;

import dev.cohort.process.From;
import dev.cohort.process.ProcessContext;
import dev.cohort.registry.Registry;
import dev.cohort.server.Next;
import dev.cohort.server.StartException;
import dev.cohort.process.ExitReason;
import dev.cohort.process.Pid;
import dev.cohort.distributed.registry.DistributedRegistry;
import dev.cohort.state.StatefulServer;

/**
 * One user's session: counts visits. Registered as {@code session:NAME} before anything else
 * (so a second start for the same user fails without touching state), in the local
 * {@link Registry} or the {@link DistributedRegistry} depending on the stage.
 *
 * <p>A visit carries an id; the session remembers the last {@link #REMEMBERED} ids, so a visit
 * the web layer retries after a lost answer (the node hosting the session died mid-call) is
 * counted once.
 */
final class Session implements StatefulServer<Session.State> {
    static final int REMEMBERED = 64;

    /**
     * The durable state: the user, the visits, the ids of the latest visits (oldest first). Ids
     * are longs in one primitive array: a visit replaces a 0.5 KB array, where a list of id
     * strings cost 64 objects per session that the young collector copied on every pause.
     */
    record State(String user, long visits, long[] recent) {}

    /** Call: count a visit (once per id, 64 random bits); answers the visits. */
    record Visit(long id) {}

    /** Call "get" answers the visits without counting. */
    static final String GET = "get";

    /** How a session claims its name: returns the holder if the name is taken. */
    interface Naming {
        Pid claim(ProcessContext self, String key);

        static Naming local(Registry registry) { return registry::registerSelf; }

        static Naming distributed(DistributedRegistry registry) { return registry::registerSelf; }
    }

    static String key(String user) { return "session:" + user; }

    private final String user;
    private final Naming naming;

    Session(String user, Naming naming) {
        this.user = user;
        this.naming = naming;
    }

    @Override public State initial(String key) { return new State(user, 0, new long[0]); }

    @Override
    public void beforeRestore(ProcessContext self) {
        Pid holder = naming.claim(self, key(user));
        if (holder != null) throw new StartException(ExitReason.of("already_started"), key(user) + " runs as " + holder);
    }

    @Override
    public Next<State> handleCall(Object request, From from, State state) {
        if (request instanceof Visit v) {
            long[] seen = state.recent();
            for (long id : seen) if (id == v.id()) return Next.reply(state.visits(), state); // a retry: counted already
            int keep = Math.min(seen.length, REMEMBERED - 1);
            long[] recent = new long[keep + 1];
            System.arraycopy(seen, seen.length - keep, recent, 0, keep);
            recent[keep] = v.id();
            State next = new State(state.user(), state.visits() + 1, recent);
            return Next.reply(next.visits(), next);
        }
        if (GET.equals(request)) return Next.reply(state.visits(), state);
        throw new IllegalArgumentException("a session does not handle " + request);
    }
}
