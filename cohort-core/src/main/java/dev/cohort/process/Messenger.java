package dev.cohort.process;

import java.time.Duration;

/**
 * Sending and calling, the same from a process ({@link ProcessContext}) and from any other
 * thread ({@link Node}).
 */
public interface Messenger {
    /** The default call timeout, as OTP's: 5 seconds. */
    Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(5);

    /**
     * Sends {@code message} to {@code to}. Never blocks and never throws for a dead or unknown
     * target: like Erlang's {@code !}, a message to nobody is dropped.
     *
     * @throws NullPointerException if {@code message} is null
     */
    void send(Address to, Object message);

    /**
     * Sends a request and waits for the reply (the {@code gen_server:call} protocol: the
     * server receives a {@link Call} and answers through its {@link From}).
     *
     * @return the reply
     * @throws CallTimeoutException when no reply comes within {@code timeout}; a reply that
     *         comes later is dropped and never reaches the caller's mailbox
     * @throws CallException when the server does not exist ({@code noproc}), ends before
     *         replying (its exit reason), or its node is lost ({@code noconnection}): at once,
     *         not after the timeout
     */
    <R> R call(Address server, Object request, Duration timeout);

    /** {@link #call(Address, Object, Duration)} with the default 5 s timeout. */
    default <R> R call(Address server, Object request) {
        return call(server, request, DEFAULT_CALL_TIMEOUT);
    }

    /** Sends a request that expects no reply (a {@link Cast}); never blocks. */
    default void cast(Address server, Object request) {
        send(server, new Cast(request));
    }
}
