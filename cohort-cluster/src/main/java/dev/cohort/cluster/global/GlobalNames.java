package dev.cohort.cluster.global;

import dev.cohort.cluster.wire.Frame;
import dev.cohort.process.Address;
import dev.cohort.process.Down;
import dev.cohort.process.ExitReason;
import dev.cohort.process.NameResolver;
import dev.cohort.process.Node;
import dev.cohort.process.Pid;
import dev.cohort.supervisor.ChildSpec;
import dev.cohort.process.ProcessContext;
import dev.cohort.process.Ref;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cluster-wide unique names, as Erlang's {@code :global}: {@link #register}, {@link #whereis},
 * {@link #unregister}, {@link #send}, and {@link #address} for calls and casts.
 *
 * <h2>How it stays unique</h2>
 * Every node keeps the whole table. Claims and releases go to the coordinator of the current
 * JGroups view (its oldest member; no election of Cohort's own), which decides with one rule (a
 * claim of a free name wins, a claim of a taken name loses), updates its table, and multicasts
 * the outcome; every node applies the outcomes in the coordinator's order. So within a connected
 * cluster two concurrent claims of one name never both succeed. When the coordinator leaves,
 * claims in flight are sent again to the next one (a claim by the holder is granted again).
 *
 * <h2>What frees a name</h2>
 * The node of the holder watches it: when it ends, that node sends the release to the
 * coordinator. When a node leaves the view (crash, kill -9, partition), every node drops the
 * names its processes held at once; and after every membership change each node re-sends the
 * release of any local holder that has ended, so a release lost with a coordinator is repaired.
 *
 * <h2>Partitions</h2>
 * Each side of a partition keeps working and may register a name the other side also holds.
 * When the sides merge, every node re-announces to each node it newly sees the names its
 * processes hold (over unicast, which resends what a node not yet in the view dropped); where one name
 * has two holders, every node applies the same rule: the earlier registration (its
 * registering node's wall-clock time, then the node name, then the pid) keeps the name, and
 * the other holder is sent an exit signal with reason {@code Custom(}{@link NameConflict}{@code )}
 * by its own node. All nodes reach the same winner whatever order they see the announcements in.
 *
 * <p>Not guaranteed: a lookup on one node right after a change elsewhere may still show the
 * old holder for the time a multicast takes (about a millisecond here); a holder that
 * just ended is hidden from lookups on its own node at once but on other nodes only when its
 * release arrives. Only processes of this node can be registered from it.
 */
public final class GlobalNames implements NameResolver {
    private static final Logger log = LoggerFactory.getLogger(GlobalNames.class);

    private record Holder(Pid pid, long stamp) {
        /** The deterministic order of registrations: earlier stamp, then node name, then pid id. */
        boolean before(Holder o) {
            if (stamp != o.stamp) return stamp < o.stamp;
            int byNode = pid.node().compareTo(o.pid.node());
            if (byNode != 0) return byNode < 0;
            if (pid.creation() != o.pid.creation()) return pid.creation() < o.pid.creation();
            return pid.id() < o.pid.id();
        }
    }

    /** Asks the keeper to watch a local holder. */
    private record Watch(String name, Pid pid) {}

    private final Node node;
    private final Network router;
    private final Duration timeout;
    private final java.time.InstantSource wallClock;
    /**
     * Stamps the grants of this node as coordinator, and observes the stamps of every grant it
     * merges: a grant made after seeing another is stamped later than it, whatever the two
     * machines' clocks say, and a stamp more than the clock's maximum offset ahead of this node's
     * wall clock is merged but not observed (a node whose clock runs fast cannot drag the others'
     * along). Stamps travel packed in one long: {@link #pack}.
     */
    private final dev.cohort.time.HybridLogicalClock clock;
    private final java.util.concurrent.atomic.AtomicLong unobserved = new java.util.concurrent.atomic.AtomicLong();
    /** The table, identical on every node once the multicasts have arrived. Changed only under {@code this}. */
    private final Map<String, Holder> names = new ConcurrentHashMap<>();
    /** Claims of this node waiting for the coordinator's answer. */
    private final Map<Long, Pending> pendingClaims = new ConcurrentHashMap<>();
    /** Claims whose caller stopped waiting: if granted later, they are released. */
    private final java.util.Set<Long> abandoned = ConcurrentHashMap.newKeySet();
    private final Map<String, List<CompletableFuture<Void>>> pendingReleases = new HashMap<>();

    private record Pending(Frame.GlobalClaim claim, CompletableFuture<Boolean> answer) {}
    private final AtomicLong requests = new AtomicLong();
    /** The node-local name of the process that watches this node's holders. */
    public static final String KEEPER_NAME = "cohort_global_keeper";
    /** Its child id in the system supervisor. */
    public static final String SERVICE_ID = "global_names";
    private static final Address KEEPER = Address.name(KEEPER_NAME);

    /**
     * What global names need of the cluster: the local node, the membership's coordinator, and
     * global-name frames to one node or to all (a {@code ClusterNode}'s frame router provides it).
     */
    public interface Network {
        /** The node these names serve. */
        dev.cohort.process.Node node();

        /** The coordinator of the current membership (the node that grants names). */
        String coordinator();

        /** Sends a frame to {@code toNode}; to this node it is handled at once, on the caller's thread. */
        void sendGlobal(String toNode, Frame.Global frame);

        /** Sends a frame to every node, this one too. */
        void broadcast(Frame.Global frame);

        /** Where frames from other nodes go, with the node the transport says they came from. */
        void onGlobal(java.util.function.BiConsumer<String, Frame.Global> handler);
    }

    /**
     * Serves global names for the node of {@code router}. Created by {@code ClusterNode}; call
     * {@link #nodeUp} and {@link #nodeDown} as the membership changes.
     *
     * @param timeout how long {@link #register} and {@link #unregister} wait for their multicast
     */
    public GlobalNames(Network router, Duration timeout) {
        this(router, timeout, java.time.InstantSource.system());
    }

    /** As {@link #GlobalNames(Network, Duration)}, with the wall clock that stamps registrations. */
    public GlobalNames(Network router, Duration timeout, java.time.InstantSource wallClock) {
        this.wallClock = Objects.requireNonNull(wallClock, "wallClock");
        this.clock = new dev.cohort.time.HybridLogicalClock(router.node().name(), wallClock::millis);
        this.router = Objects.requireNonNull(router, "router");
        this.node = router.node();
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        router.onGlobal(this::apply);
    }

    /**
     * The keeper, the process that releases the names of local holders that end, as a child of a
     * supervisor (in a {@code ClusterNode}, of its system supervisor). The table lives in this
     * object; a restarted keeper watches every local holder in it again (a holder that ended
     * while no keeper ran is released at once).
     */
    public ChildSpec childSpec() {
        return ChildSpec.worker(SERVICE_ID, sup -> {
            dev.cohort.supervisor.Supervisor.awaitNameFree(sup, KEEPER_NAME, timeout);
            return sup.spawnLink(this::keep);
        });
    }

    /**
     * Registers local process {@code pid} under {@code name} cluster-wide.
     *
     * @return {@code true} if registered (or it already held the name), {@code false} if another process holds it
     * @throws IllegalArgumentException if {@code pid} is not a live process of this node
     * @throws IllegalStateException if the claim was not confirmed within the timeout (the cluster is unreachable)
     */
    public boolean register(String name, Pid pid) {
        checkName(name);
        Objects.requireNonNull(pid, "pid");
        if (!node.isAlive(pid)) throw new IllegalArgumentException("cannot register global name " + name + ": " + pid + " is not a live process of " + node.name());
        Holder previous = names.get(name);
        if (previous != null && previous.pid().node().equals(node.name()) && !node.isAlive(previous.pid())) {
            // the holder ended here and its release may still be on its way (a supervisor restarting a
            // server under the same name is this fast): release it first, on the same ordered path as the claim
            router.sendGlobal(router.coordinator(), new Frame.GlobalRelease(name, previous.pid()));
        }
        long request = requests.incrementAndGet();
        // no stamp: the coordinator stamps what it grants (reading this clock here would only move it on)
        Frame.GlobalClaim claim = new Frame.GlobalClaim(request, name, pid, 0);
        CompletableFuture<Boolean> answer = new CompletableFuture<>();
        pendingClaims.put(request, new Pending(claim, answer));
        router.sendGlobal(router.coordinator(), claim);
        try {
            return answer.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            giveUp(request);
            throw new IllegalStateException("the claim of global name " + name + " was not confirmed within " + timeout + "; is the cluster reachable?");
        } catch (InterruptedException e) {
            giveUp(request);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while registering global name " + name, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    private void giveUp(long request) {
        if (pendingClaims.remove(request) != null) abandoned.add(request);
    }

    /**
     * Removes {@code name}, held by a process of this node, and waits until this node has
     * applied the removal. A node frees only its own processes' names (unlike Erlang's
     * {@code global:unregister_name}): no member can free a name for another; a name also goes
     * when its process exits or its node leaves.
     *
     * @return {@code false} if the name was not registered
     * @throws IllegalArgumentException if a process of another node holds the name
     */
    public boolean unregister(String name) {
        checkName(name);
        Holder h = names.get(name);
        if (h == null) return false;
        if (!h.pid().node().equals(node.name())) {
            throw new IllegalArgumentException("global name " + name + " is held by " + h.pid() + " of node " + h.pid().node()
                    + ": only that node can unregister it (or the process can exit)");
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        synchronized (this) {
            pendingReleases.computeIfAbsent(name, n -> new ArrayList<>()).add(done);
        }
        router.sendGlobal(router.coordinator(), new Frame.GlobalRelease(name, h.pid()));
        try {
            done.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            throw new IllegalStateException("the release of global name " + name + " was not confirmed within " + timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while unregistering global name " + name, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** The process registered under {@code name} anywhere in the cluster, or null. A local read; never blocks. */
    public Pid whereis(String name) {
        Holder h = names.get(name);
        if (h == null) return null;
        if (h.pid().node().equals(node.name()) && !node.isAlive(h.pid())) return null;
        return h.pid();
    }

    /** Sends {@code message} to the process registered under {@code name}; dropped if there is none. */
    public void send(String name, Object message) {
        Pid pid = whereis(name);
        if (pid != null) node.send(pid, message);
    }

    /** An address for send, call and cast that resolves {@code name} here each time it is used. */
    public Address address(String name) {
        checkName(name);
        return Address.via(this, name);
    }

    /** Every global name and its holder, as this node sees them (a snapshot). */
    public Map<String, Pid> registered() {
        Map<String, Pid> out = new TreeMap<>();
        names.forEach((n, h) -> out.put(n, h.pid()));
        return out;
    }

    @Override
    public Pid whereis(Object key) {
        return key instanceof String s ? whereis(s) : null;
    }

    @Override
    public Pid registerSelf(ProcessContext self, Object key) {
        if (!(key instanceof String name)) throw new IllegalArgumentException("a global name is a String, got " + key);
        if (register(name, self.self())) return null;
        Pid holder = whereis(name);
        return holder != null ? holder : self.self();
    }

    @Override
    public String toString() { return "global"; }

    // ------------------------------------------------------------------ membership

    /** A node joined (or a partition healed): tell it which names this node's processes hold. */
    public void nodeUp(String other) {
        List<Frame.GlobalClaim> held = new ArrayList<>();
        names.forEach((n, h) -> {
            if (h.pid().node().equals(node.name())) held.add(new Frame.GlobalClaim(0, n, h.pid(), h.stamp()));
        });
        // to everyone, and to the new node once more over its unicast connection: a broadcast that
        // reaches a node before it has installed the merged view is dropped, unicast sends again
        if (!held.isEmpty()) {
            Frame.GlobalAnnounce announce = new Frame.GlobalAnnounce(held);
            router.broadcast(announce);
            router.sendGlobal(other, announce);
        }
        membershipChanged();
    }

    /** A node left: its processes hold no names any more. */
    public void nodeDown(String lost) {
        synchronized (this) {
            names.values().removeIf(h -> h.pid().node().equals(lost));
        }
        membershipChanged();
    }

    /** The coordinator may have changed: send it the claims still waiting, and releases of local holders that ended. */
    private void membershipChanged() {
        String coordinator = router.coordinator();
        for (Pending p : pendingClaims.values()) router.sendGlobal(coordinator, p.claim());
        names.forEach((n, h) -> {
            if (h.pid().node().equals(node.name()) && !node.isAlive(h.pid())) {
                router.sendGlobal(coordinator, new Frame.GlobalRelease(n, h.pid()));
            }
        });
    }

    // ------------------------------------------------------------------ applying outcomes

    /**
     * Applies a global-name frame from node {@code from}, if {@code from} may say it: a node
     * claims, releases and announces only names of its own processes; the coordinator also
     * grants (announces) and passes on releases of others, and alone denies. Anything else is
     * dropped with a log line: no member can take or free a name for another.
     */
    private synchronized void apply(String from, Frame.Global frame) {
        boolean byCoordinator = from.equals(router.coordinator());
        String refused = switch (frame) {
            case Frame.GlobalClaim c -> c.pid().node().equals(from) ? null : "a claim for " + c.pid();
            case Frame.GlobalRelease r -> byCoordinator || r.pid().node().equals(from) ? null : "a release for " + r.pid();
            case Frame.GlobalAnnounce a -> byCoordinator || a.held().stream().allMatch(c -> c.pid().node().equals(from)) ? null : "an announce of other nodes' names";
            case Frame.GlobalDenied d -> byCoordinator ? null : "a denial, which only the coordinator gives";
        };
        if (refused != null) {
            log.warn("{}: dropped {} from {}: a node speaks only for its own processes", node.name(), refused, from);
            return;
        }
        switch (frame) {
            case Frame.GlobalClaim c -> decide(c);
            case Frame.GlobalRelease r -> release(r.name(), r.pid());
            case Frame.GlobalAnnounce a -> a.held().forEach(this::merge);
            case Frame.GlobalDenied d -> {
                Pending p = pendingClaims.remove(d.request());
                if (p != null) p.answer().complete(false);
            }
        }
    }

    /** On the coordinator: grant a claim of a free name (or by its holder), deny the others. */
    private void decide(Frame.GlobalClaim c) {
        if (!router.coordinator().equals(node.name())) {
            // our view is behind or ahead of the claimant's; it re-sends when the membership settles
            log.debug("{}: not the coordinator; ignored the claim of {} by {}", node.name(), c.name(), c.pid());
            return;
        }
        Holder h = names.get(c.name());
        if (h != null && !h.pid().equals(c.pid())) {
            router.sendGlobal(c.pid().node(), new Frame.GlobalDenied(c.request(), c.name(), h.pid()));
            return;
        }
        // the coordinator stamps what it grants with its own clock: a claimant's stamp decides nothing
        Frame.GlobalClaim granted = h != null ? new Frame.GlobalClaim(c.request(), c.name(), c.pid(), h.stamp())
                : new Frame.GlobalClaim(c.request(), c.name(), c.pid(), pack(clock.now()));
        merge(granted); // the coordinator's table changes now, before the next claim is decided
        router.broadcast(new Frame.GlobalAnnounce(List.of(granted)));
    }

    private void release(String name, Pid pid) {
        Holder h = names.get(name);
        boolean removed = h != null && h.pid().equals(pid);
        if (removed) {
            names.remove(name);
            // the coordinator passes a release on to everyone; a release it already applied stops here
            if (router.coordinator().equals(node.name())) router.broadcast(new Frame.GlobalRelease(name, pid));
        }
        List<CompletableFuture<Void>> waiting = pendingReleases.remove(name);
        if (waiting != null) {
            Holder now = names.get(name);
            if (now == null || !now.pid().equals(pid)) waiting.forEach(f -> f.complete(null));
            else pendingReleases.put(name, waiting);
        }
    }

    /** A holder meets this node's table: add it, or resolve a conflict by the rule. */
    private void merge(Frame.GlobalClaim c) {
        dev.cohort.time.Timestamp stamp = unpack(c.stamp(), c.pid().node());
        if (stamp == null) {
            log.warn("{}: dropped the grant of {} to {}: its stamp {} is not one a clock makes", node.name(), c.name(), c.pid(), c.stamp());
            return;
        }
        if (!clock.observe(stamp)) {
            long n = unobserved.incrementAndGet();
            if (n == 1 || n % 1024 == 0) {
                log.warn("{}: the grant of {} to {} is stamped {} ms ahead of this node's clock (the maximum offset is {} ms): kept, its stamp not observed ({} so far)",
                        node.name(), c.name(), c.pid(), stamp.millis() - wallClock.millis(), clock.maxOffset().toMillis(), n);
            }
        }
        Holder incoming = new Holder(c.pid(), c.stamp());
        Holder h = names.get(c.name());
        if (h == null || h.pid().equals(c.pid())) {
            if (h == null) names.put(c.name(), incoming);
            granted(c);
            return;
        }
        Holder winner = h.before(incoming) ? h : incoming;
        Holder loser = winner == h ? incoming : h;
        names.put(c.name(), winner);
        if (winner == incoming) granted(c);
        else denied(c);
        if (loser.pid().node().equals(node.name())) {
            log.warn("{}: global name {} was held on both sides of a partition; {} keeps it, {} exits", node.name(), c.name(), winner.pid(), loser.pid());
            node.exit(loser.pid(), ExitReason.of(new NameConflict(c.name(), winner.pid())));
        }
    }

    /** A reading of this node's hybrid clock (for tests: it moves the clock on). */
    dev.cohort.time.Timestamp clockNow() { return clock.now(); }

    /** The largest millisecond a packed stamp holds: 2^47 - 1 (the year 6429). */
    static final long MAX_PACKED_MILLIS = (1L << 47) - 1;

    /**
     * A hybrid-clock reading as one long that orders as the reading does: the millisecond in the
     * upper 48 bits (at most {@link #MAX_PACKED_MILLIS}: the sign bit stays clear), the counter in
     * the lower 16 (saturated at 65,535: two readings that far into one millisecond tie, and ties
     * are broken by node name and pid, so the order stays total).
     */
    static long pack(dev.cohort.time.Timestamp t) {
        return (Math.min(t.millis(), MAX_PACKED_MILLIS) << 16) | Math.min(t.counter(), 0xFFFF);
    }

    /** The reading a packed stamp holds, of {@code node}'s clock; null for a negative one (no clock makes it). */
    static dev.cohort.time.Timestamp unpack(long stamp, String node) {
        if (stamp < 0) return null;
        return new dev.cohort.time.Timestamp(stamp >>> 16, stamp & 0xFFFF, node);
    }

    /** {@code c} holds its name in this node's table: answer its waiting caller, or release it if the caller gave up. */
    private void granted(Frame.GlobalClaim c) {
        if (!c.pid().node().equals(node.name())) return;
        node.send(KEEPER, new Watch(c.name(), c.pid())); // no keeper now: the next one finds it in the table
        Pending p = pendingClaims.remove(c.request());
        if (p != null) {
            p.answer().complete(true);
        } else if (abandoned.remove(c.request())) {
            router.sendGlobal(router.coordinator(), new Frame.GlobalRelease(c.name(), c.pid()));
        }
    }

    private void denied(Frame.GlobalClaim c) {
        if (!c.pid().node().equals(node.name())) return;
        Pending p = pendingClaims.remove(c.request());
        if (p != null) p.answer().complete(false);
        abandoned.remove(c.request());
    }

    // ------------------------------------------------------------------ the keeper

    /** Watches local holders; multicasts the release of every name a holder had when it ends. */
    private void keep(ProcessContext self) {
        Map<Ref, Watch> watching = new HashMap<>();
        java.util.Set<Watch> watched = new java.util.HashSet<>();
        node.register(KEEPER_NAME, self.self());
        // after registering: a holder granted from now on is sent here, one granted before is in the table
        names.forEach((name, h) -> {
            if (h.pid().node().equals(node.name()) && watched.add(new Watch(name, h.pid()))) {
                watching.put(self.monitor(h.pid()), new Watch(name, h.pid()));
            }
        });
        for (;;) {
            switch (self.receive()) {
                case Watch w -> {
                    if (watched.add(w)) watching.put(self.monitor(w.pid()), w);
                }
                case Down d -> {
                    Watch w = watching.remove(d.ref());
                    if (w != null) {
                        watched.remove(w);
                        router.sendGlobal(router.coordinator(), new Frame.GlobalRelease(w.name(), w.pid()));
                    }
                }
                default -> { }
            }
        }
    }

    private static void checkName(String name) {
        dev.cohort.process.Node.checkName(name, "a global name");
    }
}
