package dev.cohort.supervisor;

import dev.cohort.process.Address;
import dev.cohort.process.Messenger;
import dev.cohort.process.Node;
import dev.cohort.process.Pid;
import dev.cohort.process.ProcessContext;
import dev.cohort.server.GenServer;
import dev.cohort.server.StartOptions;
import java.time.Duration;
import java.util.List;

/**
 * A supervisor that starts with no children and gets them on demand (Elixir's
 * {@code DynamicSupervisor}): one-for-one, children identified by pid, an optional
 * {@code maxChildren}, and {@code extraArgs} passed to every child's {@link ChildStart}.
 * Restart intensity as {@link Supervisor}. On shutdown all children are stopped at once
 * (each honouring its shutdown policy), not one after another.
 */
public final class DynamicSupervisor {
    /** The label ({@link dev.cohort.process.ProcessInfo#label}) of every dynamic supervisor process. */
    public static final String LABEL = "dynamic_supervisor";

    private DynamicSupervisor() {}

    /**
     * Configuration.
     *
     * @param maxRestarts restarts allowed within {@code period}
     * @param period the intensity window
     * @param maxChildren the most children at once ({@link Integer#MAX_VALUE}: no limit)
     * @param extraArgs passed to every child's start
     */
    public record Spec(int maxRestarts, Duration period, int maxChildren, List<Object> extraArgs) {
        public Spec {
            if (maxRestarts < 0) throw new IllegalArgumentException("maxRestarts must be >= 0");
            if (period == null || period.isNegative() || period.isZero()) throw new IllegalArgumentException("period must be > 0");
            if (maxChildren < 0) throw new IllegalArgumentException("maxChildren must be >= 0");
            extraArgs = List.copyOf(extraArgs);
        }

        /** 3 restarts in 5 s, no child limit, no extra arguments. */
        public static Spec defaults() { return new Spec(3, Duration.ofSeconds(5), Integer.MAX_VALUE, List.of()); }

        public Spec withIntensity(int maxRestarts, Duration period) { return new Spec(maxRestarts, period, maxChildren, extraArgs); }

        public Spec withMaxChildren(int max) { return new Spec(maxRestarts, period, max, extraArgs); }

        public Spec withExtraArgs(List<Object> args) { return new Spec(maxRestarts, period, maxChildren, args); }
    }

    /** Starts one, not linked. */
    public static Pid start(Node node, Spec spec) {
        return GenServer.start(node, new DynamicSupervisorServer(spec));
    }

    /** Starts one under a name or registry key, not linked. */
    public static Pid start(Node node, Spec spec, StartOptions options) {
        return GenServer.start(node, new DynamicSupervisorServer(spec), options);
    }

    /** Starts one linked to {@code parent}. */
    public static Pid startLink(ProcessContext parent, Spec spec) {
        return GenServer.startLink(parent, new DynamicSupervisorServer(spec));
    }

    /**
     * Starts a child.
     *
     * @throws dev.cohort.server.StartException if it fails to start, or with reason
     *         {@code max_children} when the limit is reached
     */
    public static Pid startChild(Messenger via, Address supervisor, ChildSpec spec) {
        return Supervisor.unwrap(via.call(supervisor, new DynamicSupervisorServer.StartChild(spec)));
    }

    /** Stops a child by pid and forgets it; {@code false} if it is not a child. */
    public static boolean terminateChild(Messenger via, Address supervisor, Pid child) {
        return via.call(supervisor, new DynamicSupervisorServer.TerminateChild(child));
    }

    /** The running children. */
    public static List<ChildInfo> whichChildren(Messenger via, Address supervisor) {
        return via.call(supervisor, DynamicSupervisorServer.Request.WHICH_CHILDREN);
    }

    /** Counts of children. */
    public static ChildCounts countChildren(Messenger via, Address supervisor) {
        return via.call(supervisor, DynamicSupervisorServer.Request.COUNT_CHILDREN);
    }
}
