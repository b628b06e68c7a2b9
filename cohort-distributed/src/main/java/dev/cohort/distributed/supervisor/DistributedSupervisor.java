package dev.cohort.distributed.supervisor;

import dev.cohort.cluster.ClusterNode;
import dev.cohort.cluster.wire.Serializer;
import dev.cohort.crdt.DeltaCodec;
import dev.cohort.crdt.replicator.ReplicatedMap;
import dev.cohort.process.Address;
import dev.cohort.process.CallException;
import dev.cohort.process.ExitReason;
import dev.cohort.process.Pid;
import dev.cohort.server.GenServer;
import dev.cohort.server.StartOptions;
import dev.cohort.supervisor.ChildSpec;
import dev.cohort.supervisor.DynamicSupervisor;
import dev.cohort.supervisor.Restart;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/**
 * A dynamic supervisor spread over the cluster, with no leader: every node that starts a
 * supervisor under the same name is a member, holds a replica of the children's records (a
 * {@link ReplicatedMap}) and runs the children the {@link DistributionStrategy} gives it.
 *
 * <p>Children travel as data: a factory name, {@linkplain Builder#define defined on every
 * member}, and an argument that goes through the serializer (its class must be allowed). The
 * factory makes a {@link ChildSpec} (restart, shutdown), as in cohort-core.
 *
 * <p>Guarantees, once the membership and the map have settled: each permanent child, and each
 * transient child that has not finished, runs exactly once in the cluster. When a member fails
 * (kill -9, lost machine, its supervisor crashed) its children start on the survivors, each on
 * the one member the strategy names, computed alike on every survivor; temporary children are
 * not restarted, nor transient ones that had finished. A member that {@linkplain #close closes}
 * marks itself leaving, stops its children (honouring their shutdown timeouts, the chance to
 * hand off state) and they start on the other members before it leaves. After a partition heals,
 * a child started on both sides keeps the later record (by hybrid-logical-clock time) and the
 * other copy is stopped. Every call has a timeout.
 *
 * <p>Not guaranteed: while a partition lasts, or for about one failure-detection time after a
 * node is lost, a child may run on two members or none (use {@link DistributionStrategy#quorum}
 * to keep the minority side from starting children). Restarts within a member follow its restart
 * intensity; exceeding it stops that member's part, and the others take its children over.
 */
public final class DistributedSupervisor implements AutoCloseable {
    /** The label ({@link dev.cohort.process.ProcessInfo#label}) of each member's process. */
    public static final String LABEL = "distributed_supervisor";

    /** Whether children move to a member that joins (active) or stay where they run (passive, the default). */
    public enum Redistribution { PASSIVE, ACTIVE }

    /** A member as this node sees it. */
    public enum MemberState { ALIVE, LEAVING, DEAD }

    /**
     * Telemetry of one member's view: children running here, children recorded cluster-wide,
     * members and their states, orphans (children whose owner is gone and that no member has
     * started yet: nonzero for the length of a failover, the sync lag of a takeover), and the
     * replicated map's counters.
     */
    public record Stats(int localChildren, int globalChildren, Map<String, MemberState> members, int orphans, ReplicatedMap.Stats map,
                        Map<String, Integer> childrenPerMember) {

        /**
         * Placement balance: the most children on one live member divided by the mean over live
         * members (1.0 is perfect; 0 when there are no children).
         */
        public double balance() {
            int live = 0;
            long total = 0, most = 0;
            for (Map.Entry<String, MemberState> m : members.entrySet()) {
                if (m.getValue() == MemberState.DEAD) continue;
                int n = childrenPerMember.getOrDefault(m.getKey(), 0);
                live++;
                total += n;
                most = Math.max(most, n);
            }
            return total == 0 ? 0 : most / ((double) total / live);
        }
    }

    private final SupervisorCore core;
    /** This node's member, by its node-local name: a restarted member answers at the same address. */
    private final dev.cohort.process.Address server;
    private final Duration callTimeout;
    private final AtomicLong sequence = new AtomicLong();
    private final java.util.concurrent.atomic.AtomicBoolean subscribed = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile boolean closed;
    private volatile boolean inSystemTree;

    private DistributedSupervisor(SupervisorCore core, Duration callTimeout) {
        this.core = core;
        this.server = dev.cohort.process.Address.name(core.serverName);
        this.callTimeout = callTimeout;
    }

    /** The id of this supervisor's service in the system tree, and the name of its supervisor. */
    public String serviceId() { return ClusterNode.SERVICE_PREFIX + "supervisor." + core.name; }

    /**
     * The member as a child spec: a rest-for-one supervisor, named {@link #serviceId()}, of the
     * replicator of the supervisor's map and then the member process. A member that crashes or
     * gives up (its restart intensity) is restarted and re-adopts the children its records name
     * it owner of (they start again here); a restarted replicator restarts the member after it.
     * {@link Builder#start()} places it in the node's system tree.
     */
    public ChildSpec childSpec() {
        ChildSpec member = new ChildSpec("member", (sup, args) -> {
            subscribeOnce(); // the first start: the replicator runs and keeps the subscription for its successors
            // a predecessor may still be stopping its children (their shutdowns run in parallel)
            dev.cohort.supervisor.Supervisor.awaitNameFree(sup, core.serverName, SupervisorServer.LONGEST_SHUTDOWN);
            return GenServer.startLink(sup, new SupervisorServer(core), StartOptions.named(core.serverName));
        }, dev.cohort.supervisor.Restart.TRANSIENT, dev.cohort.supervisor.Shutdown.infinity(), dev.cohort.supervisor.ChildType.SUPERVISOR);
        return ChildSpec.supervisor(serviceId(), dev.cohort.supervisor.Supervisor.builder().name(serviceId())
                .strategy(dev.cohort.supervisor.Strategy.REST_FOR_ONE).child(core.map.replicatorSpec()).child(member).build());
    }

    private void subscribeOnce() {
        if (!subscribed.compareAndSet(false, true)) return;
        core.map.subscribe(change -> {
            String key = change.key();
            Object after = change.after().orElse(null);
            if (key.startsWith(ChildRecord.PREFIX)) {
                String id = key.substring(ChildRecord.PREFIX.length());
                if (after instanceof ChildRecord r) core.records.put(id, r);
                else core.records.remove(id);
            } else if (key.startsWith(Member.PREFIX)) {
                String node = key.substring(Member.PREFIX.length());
                if (after instanceof Member m) core.members.put(node, m);
                else core.members.remove(node);
            }
            // no member registered (starting, or restarting): its init settles everything
            core.cluster.node().send(server, new SupervisorServer.Changed(key));
        }, () -> {
            core.records.clear();
            core.members.clear();
        });
    }

    /** A builder for this node's member of the supervisor {@code name}; arguments of children go through {@code serializer}. */
    public static Builder builder(ClusterNode cluster, String name, Serializer serializer) {
        return new Builder(cluster, name, serializer);
    }

    /** Starts a child under a generated id; see {@link #startChild(String, String, Object)}. */
    public Pid startChild(String factory, Object arg) {
        return startChild(core.me + "/" + Long.toHexString(core.cluster.node().creation()) + "/" + sequence.incrementAndGet(), factory, arg);
    }

    /**
     * Starts the child that {@code factory} makes of {@code arg} on the member the strategy
     * places it, and returns its pid.
     *
     * @throws IllegalStateException if the id exists, the strategy refuses (no quorum), the
     *         member refuses (leaving, at its maximum) or the start fails
     * @throws IllegalArgumentException if the id is blank or longer than {@link dev.cohort.process.Node#MAX_NAME_BYTES} UTF-8 bytes
     * @throws CallException if the chosen member does not answer in time
     */
    public Pid startChild(String id, String factory, Object arg) {
        dev.cohort.process.Node.checkName(id, "a child id");
        checkOpen();
        if (!core.factories.containsKey(factory)) throw new IllegalArgumentException("no child factory " + factory + " is defined on " + core.me);
        byte[] argBytes = arg == null ? new byte[0] : core.serializer.serialize(arg);
        ChildRecord known = core.records.get(id);
        if (known != null) throw new IllegalStateException("child " + id + " already exists, owned by " + known.owner());
        List<String> alive = core.aliveMembers();
        String target = alive.isEmpty() ? null : core.strategy.placeNew(id, alive);
        if (target == null) throw new IllegalStateException("supervisor " + core.name + ": no member may start child " + id
                + " (alive members " + alive + "; the strategy refused)");
        // the owner makes the spec (and records its restart type): the factory runs only there
        ChildRecord record = new ChildRecord(id, factory, argBytes, Restart.PERMANENT, target, null);
        Object answer = target.equals(core.me)
                ? core.cluster.node().call(server, new SupervisorServer.StartChild(record), callTimeout)
                : core.cluster.node().call(Address.remote(core.serverName, target), new MemberRequest.Start(core.codec.encode(record)), callTimeout);
        return switch (answer) {
            case Pid pid -> pid;
            case RuntimeException e -> throw e;
            default -> throw new IllegalStateException("member " + target + " did not start child " + id + ": " + answer);
        };
    }

    /** Stops the child {@code pid} (honouring its shutdown) and forgets it; false if {@code pid} is not a child of this supervisor. */
    public boolean terminateChild(Pid pid) {
        checkOpen();
        Object answer = pid.node().equals(core.me)
                ? core.cluster.node().call(server, new SupervisorServer.TerminateChild(pid), callTimeout)
                : core.cluster.node().call(Address.remote(core.serverName, pid.node()), new MemberRequest.Terminate(pid), callTimeout);
        if (answer instanceof Boolean b) return b;
        throw new IllegalStateException("member " + pid.node() + " did not terminate " + pid + ": " + answer);
    }

    /** The supervisor's name (the same on every member). */
    public String name() { return core.name; }

    /** This node's member process now (null while it restarts): the parent (linked, trapping exits) of the children that run here. */
    public Pid server() { return core.cluster.node().whereis(core.serverName); }

    /** The children this node runs, as its replica records them (a local read, no call). */
    public List<RunningChild> localChildren() {
        List<RunningChild> out = new ArrayList<>();
        for (ChildRecord r : core.records.values()) {
            if (r.owner().equals(core.me) && r.pid() != null) out.add(new RunningChild(r.id(), r.pid()));
        }
        return out;
    }

    /** The pid child {@code id} runs as, as this node's replica records it (a local read). */
    public Optional<Pid> whereis(String id) {
        ChildRecord r = core.records.get(id);
        return r == null ? Optional.empty() : Optional.ofNullable(r.pid());
    }

    /** Asks every connected member, in parallel, for the children it runs; members that do not answer within {@code timeout} are listed as missing. */
    public ClusterAnswer<List<RunningChild>> whichChildren(Duration timeout) {
        return askAll(new MemberRequest.Which(), timeout, answer -> {
            try {
                return answer instanceof byte[] b ? SupervisorCodec.decodeChildren(b) : null;
            } catch (DeltaCodec.Malformed e) {
                return null;
            }
        });
    }

    /** Asks every connected member, in parallel, how many children it runs. */
    public ClusterAnswer<Integer> countChildren(Duration timeout) {
        return askAll(new MemberRequest.Count(), timeout, answer -> answer instanceof Integer n ? n : null);
    }

    private <T> ClusterAnswer<T> askAll(MemberRequest request, Duration timeout, Function<Object, T> decode) {
        checkOpen();
        Set<String> connected = core.cluster.connectedNodes();
        List<String> asked = new ArrayList<>();
        for (Member m : core.members.values()) {
            if ((m.node().equals(core.me) || connected.contains(m.node())) && !core.deadServers.contains(m.server())) asked.add(m.node());
        }
        Map<String, T> answers = new TreeMap<>();
        Set<String> missing = new HashSet<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Map<String, Future<Object>> pending = new HashMap<>();
            for (String node : asked) {
                pending.put(node, pool.submit(() -> core.cluster.node().call(Address.remote(core.serverName, node), request, timeout)));
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            for (Map.Entry<String, Future<Object>> e : pending.entrySet()) {
                try {
                    T value = decode.apply(e.getValue().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
                    if (value == null) missing.add(e.getKey());
                    else answers.put(e.getKey(), value);
                } catch (java.util.concurrent.ExecutionException ex) {
                    // a node without this supervisor (it left, or has not started it yet) is no member
                    if (!(ex.getCause() instanceof CallException ce && ce.reason() instanceof ExitReason.NoProc)) missing.add(e.getKey());
                } catch (Exception ex) {
                    e.getValue().cancel(true);
                    missing.add(e.getKey());
                }
            }
        }
        return new ClusterAnswer<>(answers, missing);
    }

    /** The members this node knows and their states (a member whose node left or whose server exited is dead). */
    public Map<String, MemberState> members() {
        Set<String> connected = core.cluster.connectedNodes();
        Map<String, MemberState> out = new TreeMap<>();
        for (Member m : core.members.values()) {
            boolean up = (m.node().equals(core.me) || connected.contains(m.node())) && !core.deadServers.contains(m.server());
            out.put(m.node(), !up ? MemberState.DEAD : m.leaving() ? MemberState.LEAVING : MemberState.ALIVE);
        }
        return out;
    }

    public Stats stats() {
        int mine = 0, orphans = 0;
        Map<String, Integer> perMember = new TreeMap<>();
        for (ChildRecord r : core.records.values()) {
            if (r.owner().equals(core.me) && r.pid() != null) mine++;
            if (r.pid() == null || core.ownerGone(r.owner())) orphans++;
            else perMember.merge(r.owner(), 1, Integer::sum);
        }
        return new Stats(mine, core.records.size(), members(), orphans, core.map.stats(), perMember);
    }

    /**
     * Leaves the supervisor gracefully: marks this member leaving, stops its children and waits
     * up to {@code timeout} until each has started on its new owner. Children that found no new
     * owner (no other member, or no quorum) stay recorded and start when a member appears.
     *
     * @return true if every child handed over runs elsewhere
     */
    public boolean leave(Duration timeout) {
        if (closed) return true;
        closed = true;
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, String> handed = Map.of();
        try {
            @SuppressWarnings("unchecked")
            Map<String, String> answer = (Map<String, String>) core.cluster.node().call(server, new SupervisorServer.Leave(), timeout);
            handed = answer;
        } catch (CallException e) {
            // the server stopped (its restart intensity ran out): the other members took its children over
        }
        boolean all = true;
        for (Map.Entry<String, String> e : handed.entrySet()) {
            while (!startedOn(e.getKey(), e.getValue())) {
                if (System.nanoTime() - deadline >= 0) {
                    all = false;
                    break;
                }
                LockSupport.parkNanos(2_000_000);
            }
            if (!all) break;
        }
        core.map.remove(Member.PREFIX + core.me);
        if (inSystemTree) {
            core.cluster.stopService(serviceId()); // the member, then the map's replicator
        } else {
            Pid member = server();
            if (member != null) {
                try { // normal: a transient child its supervisor does not restart
                    GenServer.stop(core.cluster.node(), member, ExitReason.NORMAL, callTimeout);
                } catch (CallException e) {
                    // it ended meanwhile
                }
            }
        }
        return all;
    }

    private boolean startedOn(String id, String heir) {
        ChildRecord r = core.records.get(id);
        return r == null || !r.owner().equals(heir) || r.pid() != null || core.ownerGone(heir);
    }

    /** {@link #leave} with a 30-second timeout. */
    @Override
    public void close() {
        leave(Duration.ofSeconds(30));
    }

    private void checkOpen() {
        if (closed) throw new IllegalStateException("supervisor " + core.name + " on " + core.me + " is closed");
    }

    /** Configures and starts a member. Defaults: uniform strategy, passive redistribution, automatic membership, cohort-core's restart intensity (3 in 5 s). */
    public static final class Builder {
        private final ClusterNode cluster;
        private final String name;
        private final Serializer serializer;
        private DistributionStrategy strategy = DistributionStrategy.uniform();
        private Redistribution redistribution = Redistribution.PASSIVE;
        private Set<String> members;
        private DynamicSupervisor.Spec spec = DynamicSupervisor.Spec.defaults();
        private ReplicatedMap.Options mapOptions = ReplicatedMap.Options.defaults();
        private Duration callTimeout = Duration.ofSeconds(10);
        private final Map<String, Function<Object, ChildSpec>> factories = new ConcurrentHashMap<>();

        private Builder(ClusterNode cluster, String name, Serializer serializer) {
            this.cluster = Objects.requireNonNull(cluster, "cluster");
            this.name = Objects.requireNonNull(name, "name");
            this.serializer = Objects.requireNonNull(serializer, "serializer");
        }

        public Builder strategy(DistributionStrategy strategy) { this.strategy = Objects.requireNonNull(strategy, "strategy"); return this; }

        public Builder redistribution(Redistribution r) { this.redistribution = Objects.requireNonNull(r, "redistribution"); return this; }

        /** Only these nodes run children (others may still start and query them); by default every node running this supervisor does. */
        public Builder members(Set<String> nodes) { this.members = Set.copyOf(nodes); return this; }

        /** Restart intensity, maximum children per member and extra start arguments, as for cohort-core's dynamic supervisor. */
        public Builder spec(DynamicSupervisor.Spec spec) { this.spec = Objects.requireNonNull(spec, "spec"); return this; }

        public Builder mapOptions(ReplicatedMap.Options options) { this.mapOptions = Objects.requireNonNull(options, "options"); return this; }

        public Builder callTimeout(Duration timeout) { this.callTimeout = Objects.requireNonNull(timeout, "timeout"); return this; }

        /** Defines how children named {@code factory} are made; every member must define the same factories. */
        public Builder define(String factory, Function<Object, ChildSpec> make) {
            dev.cohort.process.Node.checkName(factory, "a factory name");
            factories.put(factory, Objects.requireNonNull(make, "make"));
            return this;
        }

        /** The member, not started: place {@link DistributedSupervisor#childSpec()} under a supervisor of your own. */
        public DistributedSupervisor build() {
            SupervisorCore core = new SupervisorCore(cluster, name, strategy, redistribution == Redistribution.ACTIVE, members,
                    spec.maxChildren(), spec.maxRestarts(), spec.period(), spec.extraArgs(), Map.copyOf(factories), serializer);
            core.map = ReplicatedMap.builder(cluster, "supervisor." + name, String.class, Object.class).values(core.codec).options(mapOptions).build();
            return new DistributedSupervisor(core, callTimeout);
        }

        /** Starts this node's member as a service of the node's system tree (see {@link DistributedSupervisor#childSpec()}). */
        public DistributedSupervisor start() {
            DistributedSupervisor s = build();
            cluster.startService(s.childSpec());
            s.inSystemTree = true;
            return s;
        }
    }
}
