package dev.cohort.process;

/**
 * A call failed without a reply: the server did not exist ({@link ExitReason.NoProc}), ended
 * while the call was pending (its exit reason), or its node was lost
 * ({@link ExitReason.NoConnection}). Thrown at once when the cause is known.
 */
public class CallException extends RuntimeException {
    private final transient Address server;
    private final transient ExitReason reason;

    public CallException(Address server, ExitReason reason, String message) {
        super(message);
        this.server = server;
        this.reason = reason;
    }

    /** The address that was called. */
    public Address server() { return server; }

    /** Why there is no reply. */
    public ExitReason reason() { return reason; }
}
