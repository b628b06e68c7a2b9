package dev.cohort.process;

/**
 * Thrown inside a process's thread to unwind it when the process has ended: it called
 * {@link ProcessContext#exit(ExitReason)}, or an exit signal ended it while it was running.
 * It is an {@link Error} so that {@code catch (Exception e)} in user code does not swallow
 * it; code that catches {@code Throwable} must rethrow it.
 */
public final class ProcessExit extends Error {
    private final transient ExitReason reason;

    ProcessExit(ExitReason reason) {
        super("process exit: " + reason, null, false, false);
        this.reason = reason;
    }

    /** Why the process ended. */
    public ExitReason reason() { return reason; }
}
