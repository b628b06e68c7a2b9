package dev.cohort.supervisor;

/** When a supervisor restarts a child that ended (OTP's restart types). */
public enum Restart {
    /** Always restarted. */
    PERMANENT,
    /** Restarted only after an abnormal exit (any reason but normal and shutdown). */
    TRANSIENT,
    /** Never restarted; removed from the supervisor when it ends. */
    TEMPORARY;

    boolean restartsAfter(dev.cohort.process.ExitReason reason) {
        return switch (this) {
            case PERMANENT -> true;
            case TRANSIENT -> !reason.isOrderly();
            case TEMPORARY -> false;
        };
    }
}
