package dev.cohort.distributed.supervisor;

import dev.cohort.cluster.ClusterNode;
import dev.cohort.crdt.DeltaCodec;
import dev.cohort.crdt.replicator.ReplicatedMap;
import dev.cohort.process.Down;
import dev.cohort.process.Exit;
import dev.cohort.process.ExitReason;
import dev.cohort.process.From;
import dev.cohort.process.Pid;
import dev.cohort.process.ProcessContext;
import dev.cohort.process.Ref;
import dev.cohort.server.GenServer;
import dev.cohort.server.Next;
import dev.cohort.supervisor.ChildSpec;
import dev.cohort.supervisor.Restart;
import dev.cohort.supervisor.Shutdown;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process behind a {@link DistributedSupervisor} on one node. It starts, restarts and stops
 * the children this node owns, and keeps the rule that makes every child run exactly once once
 * the map and the membership have settled: <em>a node runs child c if and only if c's record
 * names it as owner</em>. Each change of a record, each membership change and a periodic tick
 * re-apply the rule ({@link #settle}): an owned child that does not run here starts; a child
 * running here whose record names another owner (a hand-over, or a conflict this node lost
 * after a partition) stops; a record whose owner is gone is taken over by the member the
 * strategy names, which every survivor computes alike.
 *
 * <p>Stopping a child (terminate, hand-over, lost conflict) honours its shutdown: an exit
 * signal {@code shutdown}, then, after the timeout, {@code kill}. The server blocks meanwhile.
 */
final class SupervisorServer implements dev.cohort.server.TolerantServer<Void> {
    private static final Logger log = LoggerFactory.getLogger(SupervisorServer.class);
    static final Duration TICK = Duration.ofSeconds(1);
    /** Longest wait for a child whose shutdown is infinity, so that nothing blocks forever. */
    static final Duration LONGEST_SHUTDOWN = Duration.ofSeconds(60);
    private static final Duration KILL_WAIT = Duration.ofSeconds(5);


    /** Asks to start a child here (the record names this node as owner). Replies its pid, or a String saying why not. */
    record StartChild(ChildRecord record) {}
    /** Stops the local child {@code pid} and forgets it; replies whether it was one. */
    record TerminateChild(Pid pid) {}
    enum Query { WHICH, COUNT }
    /** Marks this member leaving, stops its children and hands them over; replies the ids handed over and their new owners. */
    record Leave() {}
    /** A record or member changed in the map (sent by the map's subscriber). */
    record Changed(String key) {}
    /** Membership may have changed: settle every child. Sent at most once until handled. */
    record SettleAll() {}
    record Tick() {}
    record Retry(String id) {}

    private record Running(ChildRecord record, Pid pid, Shutdown shutdown) {}

    private final SupervisorCore core;
    private final Map<String, Running> local = new HashMap<>();
    private final Map<Pid, String> idOf = new HashMap<>();
    private final ArrayDeque<Long> restarts = new ArrayDeque<>();
    private final Map<Pid, Ref> watched = new HashMap<>();
    /** Monitors on children being stopped, by pid. */
    private final Map<Pid, Ref> watchedChildren = new HashMap<>();
    /** Failed starts in a row, by child id. */
    private final Map<String, Integer> failures = new HashMap<>();
    /** Ids with a {@link Retry} on its way. */
    private final java.util.Set<String> retrying = new java.util.HashSet<>();
    private ProcessContext self;
    private boolean leaving;
    private boolean settleAllQueued;

    SupervisorServer(SupervisorCore core) {
        this.core = core;
    }

    @Override
    public Next<Void> init(ProcessContext self) {
        this.self = self;
        self.trapExit(true);
        self.setLabel(DistributedSupervisor.LABEL + " " + core.name);
        core.cluster.monitorNodes(self.self()); // node events as messages, ending with this member
        core.map.put(Member.PREFIX + core.me, new Member(core.me, self.self(), false));
        self.sendAfter(self.self(), new Tick(), TICK);
        settleAll();
        return Next.ok(null);
    }

    @Override
    public Next<Void> handleCall(Object request, From from, Void state) {
        return switch (request) {
            case StartChild s -> Next.reply(startRequested(s.record()), state);
            case TerminateChild t -> Next.reply(terminate(t.pid()), state);
            case Query q -> Next.reply(q == Query.WHICH ? which() : local.size(), state);
            case Leave l -> Next.reply(leave(), state);
            case MemberRequest remote -> Next.reply(remote(remote), state);
            case null, default -> Next.reply(new IllegalArgumentException("unknown request " + request), state);
        };
    }

    /** A request from another member. Replies are JDK values or our own byte encodings. */
    private Object remote(MemberRequest r) {
        try {
            return switch (r) {
                case MemberRequest.Start s -> {
                    if (s.record() == null) yield "a start request without a record";
                    Object item = core.codec.decode(s.record());
                    if (!(item instanceof ChildRecord c)) yield "not a child record";
                    Object answer = startRequested(c);
                    yield answer instanceof RuntimeException e ? e.getMessage() : answer;
                }
                case MemberRequest.Terminate t -> t.pid() != null && terminate(t.pid());
                case MemberRequest.Which w -> SupervisorCodec.encodeChildren(which());
                case MemberRequest.Count c -> local.size();
            };
        } catch (DeltaCodec.Malformed e) {
            return "a damaged request: " + e.getMessage();
        }
    }

    private List<RunningChild> which() {
        List<RunningChild> out = new ArrayList<>(local.size());
        for (Running r : local.values()) out.add(new RunningChild(r.record().id(), r.pid()));
        return out;
    }

    /** Starts a new child here: its pid, or an exception saying why not. */
    private Object startRequested(ChildRecord c) {
        if (leaving) return new IllegalStateException("member " + core.me + " is leaving");
        if (!c.owner().equals(core.me)) return new IllegalArgumentException("child " + c.id() + " is placed on " + c.owner() + ", not here");
        Running running = local.get(c.id());
        if (running != null) return new IllegalStateException("child " + c.id() + " already runs as " + running.pid());
        ChildRecord known = core.records.get(c.id());
        if (known != null) return new IllegalStateException("child " + c.id() + " already exists, owned by " + known.owner());
        if (local.size() >= core.maxChildren) return new IllegalStateException("member " + core.me + " runs its maximum of " + core.maxChildren + " children");
        try {
            return startHere(c);
        } catch (RuntimeException e) {
            return e;
        }
    }

    /**
     * Starts {@code c} on this node and records this node as its owner, with the restart type of
     * the spec its factory makes here (a new child's record arrives with a placeholder); throws if
     * its start fails.
     */
    private Pid startHere(ChildRecord c) {
        ChildSpec spec = core.spec(c.factory(), c.arg());
        Pid pid;
        try {
            pid = spec.start().start(self, core.extraArgs);
        } catch (Exception e) {
            throw new IllegalStateException("child " + c.id() + " failed to start: " + e, e);
        }
        if (pid == null) throw new IllegalStateException("child " + c.id() + " start returned no pid");
        ChildRecord running = new ChildRecord(c.id(), c.factory(), c.arg(), spec.restart(), core.me, pid);
        local.put(c.id(), new Running(running, pid, spec.shutdown()));
        idOf.put(pid, c.id());
        core.map.put(running.key(), running);
        return pid;
    }

    private boolean terminate(Pid pid) {
        String id = idOf.get(pid);
        if (id == null) return false;
        Running r = local.get(id);
        stop(r, ExitReason.SHUTDOWN);
        ChildRecord now = core.records.get(id);
        if (now != null && now.owner().equals(core.me)) core.map.remove(now.key());
        return true;
    }

    @Override
    public Next<Void> handleInfo(Object message, Void state) {
        switch (message) {
            case Exit e -> {
                String id = idOf.get(e.from());
                if (id != null) return exited(id, e.reason()) ? Next.noReply(state) : Next.stop(new ExitReason.Custom("reached_max_restart_intensity"), state);
            }
            case dev.cohort.cluster.ClusterNode.NodeEvent e -> settleAll();
            case Changed c -> {
                if (c.key().startsWith(ChildRecord.PREFIX)) settle(c.key().substring(ChildRecord.PREFIX.length()));
                else settleAll();
            }
            case SettleAll s -> {
                settleAllQueued = false;
                settleEverything();
            }
            case Down d -> {
                watched.remove(d.pid());
                if (!(d.reason() instanceof ExitReason.NoConnection)) core.deadServers.add(d.pid());
                settleAll();
            }
            case Retry r -> {
                retrying.remove(r.id());
                if (!local.containsKey(r.id())) settle(r.id());
            }
            case Tick t -> {
                settleEverything();
                self.sendAfter(self.self(), new Tick(), TICK);
            }
            case null, default -> { }
        }
        return Next.noReply(state);
    }

    /** A local child ended by itself. False when the restart intensity is exceeded (this server then stops). */
    private boolean exited(String id, ExitReason reason) {
        Running r = local.remove(id);
        idOf.remove(r.pid());
        ChildRecord now = core.records.get(id);
        boolean ours = now != null && now.owner().equals(core.me);
        if (!restartsAfter(r.record().restart(), reason)) {
            if (ours) core.map.remove(now.key());
            return true;
        }
        if (!ours || leaving) return true;
        if (dev.cohort.supervisor.RoutineExit.is(reason)) { // a conflict's loser, a fenced server: restarted, not counted
            startOrRetry(now);
            return true;
        }
        long t = self.node().clock().nanoTime();
        restarts.addLast(t);
        while (!restarts.isEmpty() && t - restarts.peekFirst() > core.period.toNanos()) restarts.removeFirst();
        if (restarts.size() > core.maxRestarts) {
            log.error("supervisor {} on {}: child {} exited ({}), more than {} restarts in {}: stopping this member",
                    core.name, core.me, id, reason, core.maxRestarts, core.period);
            self.node().telemetry().supervisorGaveUp(self.self(), core.serverName);
            return false;
        }
        startOrRetry(now);
        return true;
    }

    private static boolean restartsAfter(Restart restart, ExitReason reason) {
        return switch (restart) {
            case PERMANENT -> true;
            case TRANSIENT -> !reason.isOrderly();
            case TEMPORARY -> false;
        };
    }

    private void settleAll() {
        if (settleAllQueued) return;
        settleAllQueued = true;
        self.send(self.self(), new SettleAll());
    }

    /** Re-applies the ownership rule to every child and watches every other member's server. */
    private void settleEverything() {
        for (Member m : core.members.values()) {
            if (!m.node().equals(core.me) && !watched.containsKey(m.server()) && !core.deadServers.contains(m.server())
                    && core.cluster.isConnected(m.node())) {
                watched.put(m.server(), self.monitor(m.server()));
            }
        }
        core.deadServers.removeIf(p -> { Member m = core.members.get(p.node()); return m == null || !m.server().equals(p); });
        Member mine = core.members.get(core.me);
        if (!leaving && (mine == null || !mine.server().equals(self.self()) || mine.leaving())) {
            core.map.put(Member.PREFIX + core.me, new Member(core.me, self.self(), leaving)); // repairs an entry removed during a partition
        }
        List<String> alive = core.aliveMembers();
        if (core.active && !leaving && alive.contains(core.me)) redistribute(alive);
        for (String id : new ArrayList<>(core.records.keySet())) settle(id);
        for (String id : new ArrayList<>(local.keySet())) if (!core.records.containsKey(id)) settle(id);
    }

    /** The ownership rule for one child. */
    private void settle(String id) {
        ChildRecord r = core.records.get(id);
        Running running = local.get(id);
        if (r == null) {
            if (running != null) stop(running, ExitReason.SHUTDOWN); // deleted elsewhere
            return;
        }
        if (leaving) return;
        if (r.owner().equals(core.me)) {
            if (running == null) {
                if (r.restart() == Restart.TEMPORARY && r.pid() != null && r.pid().node().equals(core.me)) {
                    core.map.remove(r.key()); // an earlier life of this node ran it: temporary children are never restarted
                    return;
                }
                startOrRetry(r);
            } else if (!running.pid().equals(r.pid())) {
                core.map.put(r.key(), r.ownedBy(core.me, running.pid()));
            }
            return;
        }
        if (running != null) {
            log.info("supervisor {} on {}: child {} now belongs to {}: stopping it here", core.name, core.me, id, r.owner());
            stop(running, ExitReason.SHUTDOWN);
        }
        if (!core.ownerGone(r.owner())) return;
        String heir = core.strategy.choose(id, core.aliveMembers());
        if (!core.me.equals(heir)) return;
        if (r.restart() == Restart.TEMPORARY) core.map.remove(r.key());
        else startOrRetry(r.ownedBy(core.me, null));
    }

    private void startOrRetry(ChildRecord r) {
        try {
            startHere(r);
            failures.remove(r.id());
        } catch (RuntimeException e) {
            retryLater(r.id(), e);
        }
    }

    /**
     * Schedules another try to start child {@code id} after a failed one, backing off from 10 ms
     * to {@link #TICK}: a start often fails only for a moment, as when the child's registry name
     * is still held by its earlier life, whose removal has not arrived yet.
     */
    private void retryLater(String id, RuntimeException cause) {
        int n = failures.merge(id, 1, Integer::sum);
        long delay = Math.min(TICK.toMillis(), 10L << Math.min(n - 1, 10));
        if (n == 1 || delay == TICK.toMillis()) {
            log.warn("supervisor {} on {}: {} (try {}, next in {} ms)", core.name, core.me, cause.getMessage(), n, delay);
        }
        if (retrying.add(id)) self.sendAfter(self.self(), new Retry(id), Duration.ofMillis(delay));
    }

    /** Active redistribution: children whose strategy owner is now another member move there, one at a time, stopped before they start there. */
    private void redistribute(List<String> alive) {
        for (Running r : new ArrayList<>(local.values())) {
            String owner = core.strategy.choose(r.record().id(), alive);
            if (owner == null || owner.equals(core.me)) continue;
            ChildRecord now = core.records.get(r.record().id());
            stop(r, ExitReason.SHUTDOWN);
            if (now != null) core.map.put(now.key(), now.ownedBy(owner, null));
        }
    }

    /** Marks this member leaving, stops its children together and hands each to the member the strategy names among the others. */
    private Map<String, String> leave() {
        leaving = true;
        core.map.put(Member.PREFIX + core.me, new Member(core.me, self.self(), true));
        List<Running> all = new ArrayList<>(local.values());
        stopAll(all, ExitReason.SHUTDOWN);
        List<String> others = new ArrayList<>(core.aliveMembers());
        others.remove(core.me);
        Map<String, String> handedTo = new LinkedHashMap<>();
        Map<String, Object> writes = new LinkedHashMap<>();
        List<String> removes = new ArrayList<>();
        for (Running r : all) {
            ChildRecord now = core.records.get(r.record().id());
            if (now == null || !now.owner().equals(core.me)) continue;
            if (now.restart() == Restart.TEMPORARY) {
                removes.add(now.key());
                continue;
            }
            String heir = others.isEmpty() ? null : core.strategy.choose(now.id(), others);
            if (heir == null) continue; // stays recorded here: a member that comes later takes it over
            writes.put(now.key(), now.ownedBy(heir, null));
            handedTo.put(now.id(), heir);
        }
        if (!writes.isEmpty()) core.map.putAll(writes);
        if (!removes.isEmpty()) core.map.removeAll(removes);
        return handedTo;
    }

    private void stop(Running r, ExitReason reason) {
        stopAll(List.of(r), reason);
    }

    /**
     * Stops children together: each gets {@code reason}, then {@code kill} once its shutdown
     * timeout passes (brutal kill: at once; infinity: after {@link #LONGEST_SHUTDOWN}).
     */
    private void stopAll(List<Running> children, ExitReason reason) {
        Map<Pid, Long> deadline = new HashMap<>();
        long now = System.nanoTime();
        for (Running r : children) {
            local.remove(r.record().id());
            idOf.remove(r.pid());
            self.unlink(r.pid());
            Ref ref = self.monitor(r.pid());
            watchedChildren.put(r.pid(), ref);
            Duration wait = switch (r.shutdown()) {
                case Shutdown.BrutalKill b -> Duration.ZERO;
                case Shutdown.Timeout t -> t.duration();
                case Shutdown.Infinity i -> LONGEST_SHUTDOWN;
            };
            self.exit(r.pid(), wait.isZero() ? ExitReason.KILL : reason);
            deadline.put(r.pid(), now + wait.toNanos());
        }
        while (!watchedChildren.isEmpty()) {
            long next = deadline.values().stream().mapToLong(Long::longValue).min().orElse(now);
            Duration left = Duration.ofNanos(Math.max(0, next - System.nanoTime()));
            Optional<Object> m = self.receive(o -> o instanceof Down d && watchedChildren.containsKey(d.pid()), left);
            if (m.isPresent()) {
                Pid gone = ((Down) m.get()).pid();
                watchedChildren.remove(gone);
                deadline.remove(gone);
                continue;
            }
            long t = System.nanoTime();
            for (Map.Entry<Pid, Long> e : deadline.entrySet()) {
                if (t - e.getValue() >= 0) {
                    log.warn("supervisor {} on {}: child {} did not stop in time: killing it", core.name, core.me, e.getKey());
                    self.exit(e.getKey(), ExitReason.KILL);
                    e.setValue(t + KILL_WAIT.toNanos()); // kill always ends a process: its Down follows
                }
            }
        }
    }

    @Override
    public void terminate(ExitReason reason, Void state) {
        stopAll(new ArrayList<>(local.values()), ExitReason.SHUTDOWN);
    }
}
