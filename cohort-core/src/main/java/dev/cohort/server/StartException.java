package dev.cohort.server;

import dev.cohort.process.ExitReason;

/** A process could not be started: its {@code init} failed or stopped, or it did not finish in time. */
public class StartException extends RuntimeException {
    private final transient ExitReason reason;

    public StartException(ExitReason reason, String message) {
        super(message, reason instanceof ExitReason.Crashed c ? c.exception() : null);
        this.reason = reason;
    }

    /** Why the start failed. */
    public ExitReason reason() { return reason; }
}
