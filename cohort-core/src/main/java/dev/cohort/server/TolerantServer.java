package dev.cohort.server;

/**
 * A {@link GenServer} that outlives casts it does not understand: where a plain server crashes
 * on a cast it has no clause for (as Elixir's does), this one logs and drops it, as
 * {@code gen_server} does with an unexpected {@code handle_info}. Cohort's own servers, which
 * any member of the cluster can reach by name, are of this kind: a stray or hostile cast must
 * not take a service down. The log is bounded: the first such cast of each server class, then
 * one line per 1024 more, with the count.
 *
 * <p>Calls are the implementation's to answer: an unknown request should get an error reply
 * (a caller waits for one), not a crash.
 */
public interface TolerantServer<S> extends GenServer<S> {
    /** Logs (bounded) and drops the cast. */
    @Override
    default Next<S> handleCast(Object request, S state) {
        DroppedCasts.dropped(getClass(), request);
        return Next.noReply(state);
    }
}
