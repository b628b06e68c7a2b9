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
 * reason {@code shutdown}, leaving the decision to its own supervisor; it logs an ERROR naming
 * itself and reports {@link dev.cohort.process.Telemetry#supervisorGaveUp}. A child whose restart
 * fails counts as another restart; an exit whose reason is a {@link RoutineExit} (normal cluster
 * operation, such as a registry-conflict loser) does not. Time is read from the node's
 * {@link dev.cohort.time.Clock}.
 *
 * <p>Children must link to the supervisor (their {@link ChildStart} runs in it). The
 * supervisor traps exits; when its parent shuts it down it stops every child first.
 */
public final class Supervisor {
    /** The label ({@link dev.cohort.process.ProcessInfo#label}) of every supervisor process. */
    public static final String LABEL = "supervisor";

    private Supervisor() {}

    /**
     * A supervisor's configuration. Build with {@link #builder()}.
     *
     * @param name the node-local name it registers under and logs and reports by (null: none);
     *             a service of Cohort's system tree names its supervisor after the service
     */
    public record Spec(String name, Strategy strategy, int maxRestarts, Duration period, List<ChildSpec> children) {
        public Spec {
            if (name != null) Node.checkName(name, "a supervisor name");
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
        return spec.name() == null ? GenServer.start(node, new SupervisorServer(spec))
                : GenServer.start(node, new SupervisorServer(spec), StartOptions.named(spec.name()));
    }

    /** Starts a supervisor under a name or registry key, not linked. */
    public static Pid start(Node node, Spec spec, StartOptions options) {
        return GenServer.start(node, new SupervisorServer(spec), options);
    }

    /** Starts a supervisor linked to {@code parent} (a supervisor of supervisors). */
    public static Pid startLink(ProcessContext parent, Spec spec) {
        return spec.name() == null ? GenServer.startLink(parent, new SupervisorServer(spec))
                : GenServer.startLink(parent, new SupervisorServer(spec), StartOptions.named(spec.name()));
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

    /**
     * For a child's start function, run in its supervisor: waits up to {@code timeout} until no
     * live process of this node holds {@code name}. After a supervisor is killed, its children
     * that trap exits may still be stopping (flushing, stopping children of their own) when the
     * supervisor's parent starts its successor; a successor child that registered the same name
     * at once would fail with {@code already_started}. Returns whether the name is free.
     */
    public static boolean awaitNameFree(ProcessContext self, String name, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (;;) {
            Pid holder = self.node().whereis(name);
            if (holder == null) return true;
            long left = deadline - System.nanoTime();
            if (left <= 0) return false;
            dev.cohort.process.Ref ref = self.monitor(holder);
            boolean ended = self.receive(m -> m instanceof dev.cohort.process.Down d && d.ref().equals(ref), Duration.ofNanos(left)).isPresent();
            if (!ended) self.demonitorFlush(ref);
        }
    }

    static Pid unwrap(Object result) {
        if (result instanceof RuntimeException e) throw e;
        return (Pid) result;
    }

    /** Builds a {@link Spec}. */
    public static final class Builder {
        private String name;
        private Strategy strategy = Strategy.ONE_FOR_ONE;
        private int maxRestarts = 3;
        private Duration period = Duration.ofSeconds(5);
        private final List<ChildSpec> children = new ArrayList<>();

        private Builder() {}

        public Builder strategy(Strategy strategy) { this.strategy = strategy; return this; }

        /** Registers the supervisor under {@code name} on its node; logs and telemetry name it so. */
        public Builder name(String name) { this.name = name; return this; }

        /** At most {@code maxRestarts} restarts within {@code period}. */
        public Builder intensity(int maxRestarts, Duration period) {
            this.maxRestarts = maxRestarts;
            this.period = period;
            return this;
        }

        /** Adds a child; children start in the order added. */
        public Builder child(ChildSpec child) { children.add(child); return this; }

        public Spec build() { return new Spec(name, strategy, maxRestarts, period, children); }
    }
}
