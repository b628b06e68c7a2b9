package dev.cohort.server;

import dev.cohort.process.Address;
import dev.cohort.process.ExitReason;
import dev.cohort.process.From;
import dev.cohort.process.Messenger;
import dev.cohort.process.Node;
import dev.cohort.process.Pid;
import dev.cohort.process.ProcessContext;
import java.time.Duration;
import org.slf4j.LoggerFactory;

/**
 * A server process in OTP's {@code gen_server} shape: state passed from callback to
 * callback, requests answered by {@link Messenger#call} (synchronous, with a timeout) and
 * {@link Messenger#cast} (asynchronous), other messages handled by {@link #handleInfo}.
 *
 * <p>Guarantees, as OTP's:
 * <ul>
 *   <li>{@link #start} returns only after {@link #init} returned; if {@code init} throws or
 *       stops, start throws {@link StartException} and the caller is not linked to the dead
 *       process.</li>
 *   <li>Callbacks run one at a time on the server's own process.</li>
 *   <li>{@link #terminate} runs when a callback returns a stop, when a callback throws, and
 *       when the server traps exits and its parent sends an exit signal, as a supervisor
 *       does on shutdown. The parent is the process that started it with {@code startLink},
 *       or, for {@code start}, the node's {@link Node#systemPid()}, so
 *       {@code node.exit(server, shutdown)} stops it in order. It does <em>not</em> run when
 *       the server is killed, or ended by a signal while not trapping exits.</li>
 * </ul>
 *
 * @param <S> the state type
 */
public interface GenServer<S> {

    /** Delivered to {@link #handleInfo} when a {@link Next#withTimeout} passes with no message. */
    Object TIMEOUT = new Object() {
        @Override public String toString() { return "timeout"; }
    };

    /** Sets up the state. Runs in the new process before {@code start} returns. */
    Next<S> init(ProcessContext self) throws Exception;

    /** A {@code call}; return a reply, a no-reply (then answer through {@code from}), or a stop. Default: crash. */
    default Next<S> handleCall(Object request, From from, S state) throws Exception {
        throw new UnsupportedOperationException(getClass().getName() + " does not handle call " + request);
    }

    /** A {@code cast}. Default: crash. */
    default Next<S> handleCast(Object request, S state) throws Exception {
        throw new UnsupportedOperationException(getClass().getName() + " does not handle cast " + request);
    }

    /** Any other message. Default: log it and keep going. */
    default Next<S> handleInfo(Object message, S state) throws Exception {
        LoggerFactory.getLogger(getClass()).warn("{} received an unexpected message: {}", getClass().getSimpleName(), message);
        return Next.noReply(state);
    }

    /** A continuation asked for with {@link Next#thenContinue}. Default: crash. */
    default Next<S> handleContinue(Object continuation, S state) throws Exception {
        throw new UnsupportedOperationException(getClass().getName() + " does not handle continue " + continuation);
    }

    /** Last words: see the class comment for when this runs. Exceptions are logged and ignored. */
    default void terminate(ExitReason reason, S state) {}

    /** Starts {@code server}, not linked to anyone. */
    static <S> Pid start(Node node, GenServer<S> server) {
        return start(node, server, StartOptions.defaults());
    }

    /** Starts {@code server} with options (a name, an init timeout), not linked. */
    static <S> Pid start(Node node, GenServer<S> server, StartOptions options) {
        return ServerLoop.start(node, null, server, options);
    }

    /** Starts {@code server} linked to {@code parent} (how supervisors start children). */
    static <S> Pid startLink(ProcessContext parent, GenServer<S> server) {
        return startLink(parent, server, StartOptions.defaults());
    }

    /** Starts {@code server} linked to {@code parent}, with options. */
    static <S> Pid startLink(ProcessContext parent, GenServer<S> server, StartOptions options) {
        return ServerLoop.start(parent.node(), parent, server, options);
    }

    /**
     * Stops a server synchronously: it runs {@code terminate(reason)} and exits with
     * {@code reason}; returns once the process has ended (OTP's {@code gen_server:stop}).
     *
     * @throws dev.cohort.process.CallException with {@code noproc} if it does not exist, or
     *         {@link dev.cohort.process.CallTimeoutException} if it has not ended in time
     */
    static void stop(Node node, Address server, ExitReason reason, Duration timeout) {
        ServerLoop.stop(node, server, reason, timeout);
    }
}
