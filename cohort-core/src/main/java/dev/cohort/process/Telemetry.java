package dev.cohort.process;

/**
 * Hooks the runtime calls on events worth counting: completed calls, supervisor restarts and supervisors that give up.
 * An observer installs one with {@link Node#telemetry(Telemetry)}; without one the runtime
 * pays a single field read per call.
 *
 * <p>Implementations are called on the process that saw the event, so they must be fast
 * (a counter or a histogram update), must not block and must not throw.
 */
public interface Telemetry {
    /** One call in this many (per calling process) is timed and reported; a power of two. */
    int SAMPLE = 16;

    /** Does nothing; the default. */
    Telemetry NONE = new Telemetry() {};

    /**
     * A call got its reply {@code nanos} after it was sent; {@code remote}: the server was on
     * another node. A sample: each process reports its first call and then one in
     * {@link #SAMPLE} (a call from outside any process is always reported). Calls that time out
     * or whose server is down are not reported.
     */
    default void callCompleted(long nanos, boolean remote) {}

    /** A supervisor restarted one of its children (reported once per restarted child). */
    default void childRestarted(Pid supervisor, Object childId) {}

    /**
     * A supervisor reached its restart intensity and is stopping with its children; {@code name}
     * is the name it was given (a service of Cohort's system tree is named after the service),
     * or null.
     */
    default void supervisorGaveUp(Pid supervisor, String name) {}
}
