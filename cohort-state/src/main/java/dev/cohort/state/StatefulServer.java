package dev.cohort.state;

import dev.cohort.process.ExitReason;
import dev.cohort.process.From;
import dev.cohort.process.ProcessContext;
import dev.cohort.server.GenServer;
import dev.cohort.server.Next;

/**
 * The logic of a server whose state outlives its process and its node: a {@link GenServer}
 * whose {@code init} receives the state restored from the store. Run it with
 * {@link Persistence#server}, which restores, persists and fences around these callbacks.
 *
 * <p>State is a value: a callback records a change by returning a <em>different</em> state
 * object (a new record, say). A callback that mutates its state in place and returns the same
 * object is not seen as a change and is not written.
 *
 * @param <S> the state type; it must be allowed by the persistence's serializer
 */
public interface StatefulServer<S> {

    /** The state of a key that has none stored yet (never null). */
    S initial(String key);

    /**
     * Runs first, before the key is acquired: claim the process's name here (in a distributed
     * registry, say). A start that fails here has acquired nothing, so it has fenced no running
     * incarnation. Default: nothing.
     */
    default void beforeRestore(ProcessContext self) throws Exception {}

    /**
     * Runs after the state was restored (or made {@link #initial}) and before any message;
     * register a name or start timers here. Default: keep the state.
     *
     * @param restored true if the state came from the store
     */
    default Next<S> init(ProcessContext self, S state, boolean restored) throws Exception {
        return Next.ok(state);
    }

    /** As {@link GenServer#handleCall}; a changed state is persisted per the policy before the reply goes out. */
    default Next<S> handleCall(Object request, From from, S state) throws Exception {
        throw new UnsupportedOperationException(getClass().getName() + " does not handle call " + request);
    }

    /** As {@link GenServer#handleCast}. */
    default Next<S> handleCast(Object request, S state) throws Exception {
        throw new UnsupportedOperationException(getClass().getName() + " does not handle cast " + request);
    }

    /** As {@link GenServer#handleInfo}. Default: ignore. */
    default Next<S> handleInfo(Object message, S state) throws Exception {
        return Next.noReply(state);
    }

    /** As {@link GenServer#handleContinue}. */
    default Next<S> handleContinue(Object continuation, S state) throws Exception {
        throw new UnsupportedOperationException(getClass().getName() + " does not handle continue " + continuation);
    }

    /** Last words, after the final flush (if the policy has one); {@code reason} is {@code {shutdown, Fenced}} for a fenced server. Not run on kill. */
    default void terminate(ExitReason reason, S state) {}

}
