package dev.cohort.cluster.wire;

/**
 * Stands in for an exception that ended a process on another node: exceptions do not
 * travel, their class name and message do. Found inside {@code ExitReason.Crashed}.
 */
public final class RemoteException extends RuntimeException {
    private final String className;

    public RemoteException(String className, String message) {
        super(className + (message == null ? "" : ": " + message), null, false, false);
        this.className = className;
    }

    /** The class name of the original exception. */
    public String className() { return className; }

    /** The original message, or null. */
    public String originalMessage() {
        String m = getMessage();
        return m.length() > className.length() ? m.substring(className.length() + 2) : null;
    }
}
