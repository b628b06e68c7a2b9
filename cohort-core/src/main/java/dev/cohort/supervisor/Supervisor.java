package dev.cohort.supervisor;

import dev.cohort.process.Address;
import dev.cohort.process.Messenger;
import dev.cohort.process.Node;
import dev.cohort.process.Pid;
import dev.cohort.process.ProcessContext;
import dev.cohort.server.GenServer;
import dev.cohort.server.StartOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A supervisor in OTP's sense: it starts its children in order, restarts them by a
 * {@link Strategy} when they end, and stops them in reverse order.
 *
 * <p>Restart intensity: if more than {@code maxRestarts} restarts happen within
 * {@code period} (default 3 in 5 s), the supervisor stops all its children and exits with
 * reason {@code shutdown}, leaving the decision to its own supervisor. A child whose restart
 * fails counts as another restart. Time is read from the node's {@link dev.cohort.time.Clock}.
 *
 * <p>Children must link to the supervisor (their {@link ChildStart} runs in it). The
 * supervisor traps exits; when its parent shuts it down it stops every child first.
 */
public final class Supervisor {
    /** The label ({@link dev.cohort.process.ProcessInfo#label}) of every supervisor process. */
    public static final String LABEL = "supervisor";

    private Supervisor() {}

    /** A supervisor's configuration. Build with {@link #builder()}. */
    public record Spec(Strategy strategy, int maxRestarts, Duration period, List<ChildSpec> children) {
        public Spec {
            Objects.requireNonNull(strategy, "strategy");
            if (maxRestarts < 0) throw new IllegalArgumentException("maxRestarts must be >= 0");
            if (period == null || period.isNegative() || period.isZero()) throw new IllegalArgumentException("period must be > 0");
            children = List.copyOf(children);
            long distinct = children.stream().map(ChildSpec::id).distinct().count();
            if (distinct != children.size()) throw new IllegalArgumentException("child ids must be unique: " + children.stream().map(ChildSpec::id).toList());
        }
    }

    /** Builds a {@link Spec}: one-for-one, 3 restarts in 5 s, no children. */
    public static Builder builder() { return new Builder(); }

    /** Starts a supervisor, not linked. */
    public static Pid start(Node node, Spec spec) {
        return GenServer.start(node, new SupervisorServer(spec));
    }

    /** Starts a supervisor under a name or registry key, not linked. */
    public static Pid start(Node node, Spec spec, StartOptions options) {
        return GenServer.start(node, new SupervisorServer(spec), options);
    }

    /** Starts a supervisor linked to {@code parent} (a supervisor of supervisors). */
    public static Pid startLink(ProcessContext parent, Spec spec) {
        return GenServer.startLink(parent, new SupervisorServer(spec));
    }

    /** The children, in start order. */
    public static List<ChildInfo> whichChildren(Messenger via, Address supervisor) {
        return via.call(supervisor, SupervisorServer.Request.WHICH_CHILDREN);
    }

    /** Counts of children. */
    public static ChildCounts countChildren(Messenger via, Address supervisor) {
        return via.call(supervisor, SupervisorServer.Request.COUNT_CHILDREN);
    }

    /** Adds and starts a child at the end; throws {@link dev.cohort.server.StartException} if it fails to start. */
    public static Pid startChild(Messenger via, Address supervisor, ChildSpec spec) {
        return unwrap(via.call(supervisor, new SupervisorServer.StartChild(spec)));
    }

    /** Stops a child by id; its spec stays (restart it with {@link #restartChild}). {@code false} if no such child. */
    public static boolean terminateChild(Messenger via, Address supervisor, Object id) {
        return via.call(supervisor, new SupervisorServer.TerminateChild(id));
    }

    /** Starts a stopped child again. */
    public static Pid restartChild(Messenger via, Address supervisor, Object id) {
        return unwrap(via.call(supervisor, new SupervisorServer.RestartChild(id)));
    }

    /** Removes a stopped child's spec; {@code false} if it is running or unknown. */
    public static boolean deleteChild(Messenger via, Address supervisor, Object id) {
        return via.call(supervisor, new SupervisorServer.DeleteChild(id));
    }

    static Pid unwrap(Object result) {
        if (result instanceof RuntimeException e) throw e;
        return (Pid) result;
    }

    /** Builds a {@link Spec}. */
    public static final class Builder {
        private Strategy strategy = Strategy.ONE_FOR_ONE;
        private int maxRestarts = 3;
        private Duration period = Duration.ofSeconds(5);
        private final List<ChildSpec> children = new ArrayList<>();

        private Builder() {}

        public Builder strategy(Strategy strategy) { this.strategy = strategy; return this; }

        /** At most {@code maxRestarts} restarts within {@code period}. */
        public Builder intensity(int maxRestarts, Duration period) {
            this.maxRestarts = maxRestarts;
            this.period = period;
            return this;
        }

        /** Adds a child; children start in the order added. */
        public Builder child(ChildSpec child) { children.add(child); return this; }

        public Spec build() { return new Spec(strategy, maxRestarts, period, children); }
    }
}
