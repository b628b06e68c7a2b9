package dev.cohort.server;

import dev.cohort.process.ExitReason;
import java.time.Duration;
import java.util.Objects;

/**
 * What a {@link GenServer} callback returns: OTP's {@code {reply, ...}}, {@code {noreply, ...}}
 * and {@code {stop, ...}} tuples. A reply or no-reply may be followed by a continuation
 * ({@link #thenContinue}: {@code handleContinue} runs before the next message) or a timeout
 * ({@link #withTimeout}: {@code handleInfo(GenServer.TIMEOUT)} runs if no message arrives in time).
 */
public sealed interface Next<S> {

    /** Keep going with {@code state} (from {@code init}, OTP's {@code {ok, State}}). */
    static <S> Next<S> ok(S state) { return new NoReply<>(state, After.NONE); }

    /** Reply {@code reply} to the caller and keep going with {@code state}. Only from {@code handleCall}. */
    static <S> Next<S> reply(Object reply, S state) { return new Reply<>(reply, state, After.NONE); }

    /** Keep going with {@code state} without replying now (reply later through the {@code From}). */
    static <S> Next<S> noReply(S state) { return new NoReply<>(state, After.NONE); }

    /** Stop with {@code reason}; {@code terminate} runs first. */
    static <S> Next<S> stop(ExitReason reason, S state) { return new Stop<>(reason, false, null, state); }

    /** Reply to the caller, then stop with {@code reason}. Only from {@code handleCall}. */
    static <S> Next<S> stopAndReply(ExitReason reason, Object reply, S state) { return new Stop<>(reason, true, reply, state); }

    /** The state to keep going with. */
    S state();

    /** Run {@code handleContinue(continuation, state)} before the next message. */
    default Next<S> thenContinue(Object continuation) {
        return withAfter(new After.Continue(Objects.requireNonNull(continuation)));
    }

    /** If no message arrives within {@code timeout}, {@code handleInfo(GenServer.TIMEOUT, state)} runs. */
    default Next<S> withTimeout(Duration timeout) {
        return withAfter(new After.Timeout(Objects.requireNonNull(timeout)));
    }

    private Next<S> withAfter(After after) {
        return switch (this) {
            case Reply<S> r -> new Reply<>(r.reply(), r.state(), after);
            case NoReply<S> n -> new NoReply<>(n.state(), after);
            case Stop<S> s -> throw new IllegalStateException("a stop cannot be followed by a continuation or timeout");
        };
    }

    /** Reply and keep going. */
    record Reply<S>(Object reply, S state, After after) implements Next<S> {}

    /** Keep going. */
    record NoReply<S>(S state, After after) implements Next<S> {}

    /** Stop, after replying if {@code hasReply}. */
    record Stop<S>(ExitReason reason, boolean hasReply, Object reply, S state) implements Next<S> {}

    /** What happens after a callback returns. */
    sealed interface After {
        After NONE = new Nothing();

        /** Wait for the next message. */
        record Nothing() implements After {}

        /** Run {@code handleContinue(value, state)} first. */
        record Continue(Object value) implements After {}

        /** Deliver {@link GenServer#TIMEOUT} if nothing arrives within {@code duration}. */
        record Timeout(Duration duration) implements After {}
    }
}
