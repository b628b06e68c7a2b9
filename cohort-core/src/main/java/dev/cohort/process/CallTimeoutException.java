package dev.cohort.process;

import java.time.Duration;

/** No reply came within the call's timeout. The server may still be working on it. */
public final class CallTimeoutException extends CallException {
    private final transient Duration timeout;

    public CallTimeoutException(Address server, Duration timeout) {
        super(server, ExitReason.of("timeout"), "call to " + server + " timed out after " + timeout.toMillis() + " ms");
        this.timeout = timeout;
    }

    /** The timeout that passed. */
    public Duration timeout() { return timeout; }
}
