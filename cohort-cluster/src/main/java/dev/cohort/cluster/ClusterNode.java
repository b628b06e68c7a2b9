package dev.cohort.cluster;

import dev.cohort.cluster.discovery.Discovery;
import dev.cohort.cluster.global.GlobalNames;
import dev.cohort.cluster.internal.jgroups.JGroupsTransport;
import dev.cohort.cluster.internal.routing.FrameRouter;
import dev.cohort.cluster.spawn.RemoteSpawn;
import dev.cohort.cluster.wire.ForySerializer;
import dev.cohort.cluster.wire.Serializer;
import dev.cohort.process.Node;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A {@link Node} that is part of a cluster: its processes send to, call, link to and monitor
 * processes on other nodes with the same API as local ones, by pid or by
 * {@code Address.remote(name, node)}. Membership, failure detection, discovery and transport
 * are JGroups'; a lost node fires {@code noconnection} on every monitor and link that crossed
 * to it, and fails pending calls to it at once.
 *
 * <pre>{@code
 * try (ClusterNode gotham = ClusterNode.builder()
 *         .name("gotham@127.0.0.1").port(4370).cookie("secret")
 *         .discovery(Discovery.staticHosts(List.of(new InetSocketAddress("127.0.0.1", 4371))))
 *         .start()) {
 *     gotham.global().register("gotham", pid);
 *     Integer n = gotham.node().call(Address.remote("counter", "metropolis@127.0.0.1"), "inc");
 * }
 * }</pre>
 *
 * <p>Also here: {@link #global()} names (Erlang's {@code :global}), {@link #spawner()} for
 * remote spawn, node up/down events ({@link #monitorNodes}).
 *
 * <p>Every process of Cohort on a node lives in its <em>system tree</em>, as OTP's system
 * servers live under {@code kernel_sup}: a one-for-one supervisor registered as
 * {@value #SYSTEM_SUPERVISOR} whose children are the spawn server, the global-name keeper and
 * one supervisor per service started on the node ({@link #startService}: replicated maps,
 * registries, distributed supervisors, the observer). A service whose own supervisor gives up
 * is logged at ERROR, counted in {@link #servicesGaveUp()} and restarted by the system
 * supervisor (at most 10 times a minute); if that supervisor gives up too, the node says so
 * and {@link #systemRunning()} turns false.
 */
public final class ClusterNode implements AutoCloseable {
    /** The node-local name of the root of the system tree. */
    public static final String SYSTEM_SUPERVISOR = "cohort_system";
    /** How the supervisors of Cohort's services are named: this prefix, then the service. */
    public static final String SERVICE_PREFIX = "cohort.service.";
    private final Node node;
    private final JGroupsTransport transport;
    private final FrameRouter router;
    private final GlobalNames global;
    private final RemoteSpawn spawner;
    private final Discovery discovery;
    private final ServiceHealth health;
    private final dev.cohort.process.Pid system;
    private final List<Consumer<NodeEvent>> listeners = new CopyOnWriteArrayList<>();
    private final java.util.Set<dev.cohort.process.Pid> nodeMonitors = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** A node joining ({@code up}) or leaving this node's view of the cluster. */
    public record NodeEvent(String node, boolean up) {}

    private ClusterNode(Builder b, String host) throws Exception {
        Node.Builder nb = Node.builder().name(b.name);
        if (b.clock != null) nb.clock(b.clock);
        if (b.scheduler != null) nb.scheduler(b.scheduler);
        this.node = nb.build();
        this.discovery = b.discovery;
        this.health = new ServiceHealth(b.name);
        node.telemetry(health);
        try {
            this.transport = new JGroupsTransport(
                    new JGroupsTransport.Settings(b.name, host, b.port, b.discovery, b.cookie, b.encryptionSecret, b.tls),
                    this::onFrame, this::onNodeUp, this::onNodeDown);
            transport.requireRegistrations(b.serializer.registrations());
            transport.outboxLimit(b.maxOutboxBytes, b.maxSendStall);
            this.router = new FrameRouter(node, b.serializer, transport);
            node.attach(router);
            this.global = new GlobalNames(router, b.globalTimeout);
            this.spawner = new RemoteSpawn();
            this.system = dev.cohort.supervisor.Supervisor.start(node, dev.cohort.supervisor.Supervisor.builder()
                    .name(SYSTEM_SUPERVISOR).intensity(10, Duration.ofMinutes(1))
                    .child(spawner.childSpec()).child(global.childSpec()).build());
            transport.connect();
        } catch (Exception | Error e) {
            node.close();
            throw e;
        }
    }

    private void onFrame(String from, byte[] bytes) { router.onFrame(from, bytes); }

    /**
     * From now on, messages from other nodes to {@code pid} arrive wrapped in
     * {@link dev.cohort.cluster.FromNode}, naming the member they came from as the
     * transport authenticated it: for a process whose messages name their sender, to check it.
     */
    public void deliverWithOrigin(dev.cohort.process.Pid pid) { router.deliverWithOrigin(pid); }

    private void onNodeUp(String up) {
        global.nodeUp(up);
        notify(new NodeEvent(up, true));
    }

    private void onNodeDown(String down) {
        router.nodeDown(down);
        global.nodeDown(down);
        notify(new NodeEvent(down, false));
    }

    private void notify(NodeEvent e) {
        listeners.forEach(l -> l.accept(e));
        for (dev.cohort.process.Pid p : nodeMonitors) {
            if (node.isAlive(p)) node.send(p, e);
            else nodeMonitors.remove(p); // the subscription ended with its process
        }
    }

    /** Settings for a new node. */
    public static Builder builder() { return new Builder(); }

    /**
     * Starts a node named {@code name} (for example {@code gotham@127.0.0.1}), listening on
     * {@code port} of its host part, joining the nodes at {@code seeds}: the short form of
     * {@link #builder()}.
     */
    public static ClusterNode start(String name, int port, List<InetSocketAddress> seeds, String cookie, Serializer serializer) throws Exception {
        return builder().name(name).port(port).discovery(Discovery.staticHosts(seeds)).cookie(cookie).serializer(serializer).start();
    }

    /** The local node: spawn, send, call as usual. */
    public Node node() { return node; }

    /** The name of this node, {@code NAME@HOST}. */
    public String name() { return node.name(); }

    /** Cluster-wide unique names (Erlang's {@code :global}). */
    public GlobalNames global() { return global; }

    /** Starting processes on other nodes. */
    public RemoteSpawn spawner() { return spawner; }

    /** The root of this node's system tree (registered as {@value #SYSTEM_SUPERVISOR}). */
    public dev.cohort.process.Pid system() { return system; }

    /**
     * Starts a service under the system supervisor: {@code service} is normally a supervisor
     * child spec named {@link #SERVICE_PREFIX}{@code ...} (what the builders of Cohort's services
     * make with their {@code childSpec()}), restarted whenever it ends.
     *
     * @throws dev.cohort.server.StartException if it fails to start
     * @throws IllegalArgumentException if a service with its id runs already
     */
    public dev.cohort.process.Pid startService(dev.cohort.supervisor.ChildSpec service) {
        return dev.cohort.supervisor.Supervisor.startChild(node, system, service);
    }

    /** Stops the service {@code id} and removes it from the system tree; false if there is none. */
    public boolean stopService(Object id) {
        boolean had = dev.cohort.supervisor.Supervisor.terminateChild(node, system, id);
        if (had) dev.cohort.supervisor.Supervisor.deleteChild(node, system, id);
        return had;
    }

    /** How many times each supervisor of this node's system tree gave up, by name (empty: never). */
    public java.util.Map<String, Long> servicesGaveUp() { return health.counts(); }

    /** Whether the system supervisor runs (false once it gave up: the node's services are down). */
    public boolean systemRunning() { return node.isAlive(system); }

    /** How this node finds the others. */
    public Discovery discovery() { return discovery; }

    /** The other nodes currently connected (a copy: to test one node, {@link #isConnected} costs less). */
    public Set<String> connectedNodes() { return transport.connectedNodes(); }

    /** Whether {@code node} is connected now (this node counts as not). */
    public boolean isConnected(String node) { return transport.isConnected(node); }

    /** The connected nodes JGroups' failure detectors suspect now (see {@link JGroupsTransport#suspectedNodes()}). */
    public Set<String> suspectedNodes() { return transport.suspectedNodes(); }

    /** How many times a member was suspected since this node started. */
    public long suspicions() { return transport.suspicions(); }

    /** Messages refused before JGroups read them: sealed under another key, tampered, replayed or stale. */
    public long sealRefusals() { return transport.sealRefusals(); }

    /** Frames dropped because their sender was not a member of the view, or spoke under a name it does not hold. */
    public long framesFromNonMembers() { return transport.framesFromNonMembers(); }

    /** Bytes queued for other nodes now (back-pressure: {@link Builder#outbox}). */
    public long outboxBytes() { return transport.outboxBytes(); }

    /** The most bytes ever queued for one node at once. */
    public long peakOutboxBytes() { return transport.peakOutboxBytes(); }

    /** Frames dropped because their node was congested, or left while they waited for room. */
    public long framesDroppedToSlowNodes() { return transport.framesDroppedToSlowNodes(); }

    /** Frames and bytes this node exchanged with each other node since it started (for observers). */
    public java.util.Map<String, TrafficCount> traffic() { return router.traffic(); }

    /**
     * Subscribes to node up/down events (Erlang's {@code monitor_nodes}). Events already past
     * are not replayed: read {@link #connectedNodes()} after subscribing.
     */
    public dev.cohort.time.Cancellable onNodeEvent(Consumer<NodeEvent> listener) {
        listeners.add(Objects.requireNonNull(listener));
        return () -> listeners.remove(listener);
    }

    /**
     * From now on, {@code pid} (a process of this node) receives a {@link NodeEvent} message
     * whenever a node joins or leaves this node's view (Erlang's {@code net_kernel:monitor_nodes}).
     * The subscription ends with the process (it is dropped at the first event after the process
     * ended) or with {@link #demonitorNodes}. Events already past are not replayed: read
     * {@link #connectedNodes()} after subscribing. Subscribing twice delivers once.
     */
    public void monitorNodes(dev.cohort.process.Pid pid) {
        if (!pid.node().equals(node.name()) || pid.creation() != node.creation())
            throw new IllegalArgumentException(pid + " is not a process of this node");
        nodeMonitors.removeIf(p -> !node.isAlive(p)); // ended subscribers go even on a node with no events
        nodeMonitors.add(pid);
    }

    /** How many listeners and processes follow node events now (for leak checks and observers). */
    public int nodeEventSubscribers() {
        nodeMonitors.removeIf(p -> !node.isAlive(p));
        return listeners.size() + nodeMonitors.size();
    }

    /** Ends {@code pid}'s node events; true if it had them. */
    public boolean demonitorNodes(dev.cohort.process.Pid pid) { return nodeMonitors.remove(pid); }

    /** How many processes receive node events now (for tests). */
    int nodeMonitorCount() { return nodeMonitors.size(); }

    /**
     * Fault injection for partition tests and chaos drills: while isolated, this node drops all
     * traffic (JGroups' DISCARD), as if its network were cut. See {@link JGroupsTransport#isolate}.
     */
    public void isolate(boolean isolated) { transport.isolate(isolated); }

    /** Leaves the cluster, then ends every local process. */
    @Override
    public void close() {
        transport.close();
        node.close();
    }

    @Override
    public String toString() { return "ClusterNode[" + node.name() + ", " + discovery.describe() + "]"; }

    /**
     * Settings of a node, then {@link #start()}. Required: {@link #name} and {@link #cookie}.
     * Defaults: port 4370, no seeds (a cluster of one until others join it), the default
     * serializer with only Cohort's own types and common JDK values allowed, no encryption.
     */
    public static final class Builder {
        private String name;
        private int port = 4370;
        private String cookie;
        private Discovery discovery = Discovery.staticHosts(List.of());
        private Serializer serializer;
        private String encryptionSecret;
        private Tls tls;
        private Duration globalTimeout = Duration.ofSeconds(10);
        private long maxOutboxBytes = JGroupsTransport.DEFAULT_MAX_OUTBOX_BYTES;
        private Duration maxSendStall = JGroupsTransport.DEFAULT_MAX_SEND_STALL;
        private dev.cohort.time.Clock clock;
        private dev.cohort.time.Scheduler scheduler;

        private Builder() {}

        /**
         * The clock every timer and restart-intensity window of the node reads (default: the
         * system clock); with {@link #scheduler}, {@link dev.cohort.time.ManualTime} drives a
         * node's timers from a test. The transport's own timers (JGroups') stay on real time.
         */
        public Builder clock(dev.cohort.time.Clock clock) { this.clock = Objects.requireNonNull(clock, "clock"); return this; }

        /** The scheduler of the node's timers ({@code sendAfter}); see {@link #clock}. */
        public Builder scheduler(dev.cohort.time.Scheduler scheduler) { this.scheduler = Objects.requireNonNull(scheduler, "scheduler"); return this; }

        /** {@code NAME@HOST}; the node listens on HOST. */
        public Builder name(String name) { this.name = name; return this; }

        /** The TCP port to listen on (1..65535). */
        public Builder port(int port) { this.port = port; return this; }

        /** The shared secret every node of the cluster holds. */
        public Builder cookie(String cookie) { this.cookie = cookie; return this; }

        /** How to find the other nodes. */
        public Builder discovery(Discovery discovery) { this.discovery = Objects.requireNonNull(discovery, "discovery"); return this; }

        /** The serializer of user messages, with its class allow-list. */
        public Builder serializer(Serializer serializer) { this.serializer = serializer; return this; }

        /**
         * A second secret every member must hold, mixed into the key that seals every message
         * (AES-256-GCM, discovery answers included). Traffic is sealed under the cookie's key
         * without it too; this keeps a long random key apart from the cookie.
         */
        public Builder encryption(String secret) { this.encryptionSecret = secret; return this; }

        /** TLS between nodes. */
        public Builder tls(Tls tls) { this.tls = tls; return this; }

        /** How long global-name registrations wait for the cluster (default 10 s). */
        public Builder globalTimeout(Duration timeout) { this.globalTimeout = Objects.requireNonNull(timeout); return this; }

        /**
         * Back-pressure between nodes: at most {@code maxBytes} queued for one node (default
         * 32 MiB, at least the largest message), and how long a sender waits for room before
         * that node counts as congested and its frames are dropped (default 5 s). The policy is
         * {@link JGroupsTransport#send}'s.
         */
        public Builder outbox(long maxBytes, Duration maxStall) {
            this.maxOutboxBytes = maxBytes;
            this.maxSendStall = Objects.requireNonNull(maxStall, "maxStall");
            return this;
        }

        /**
         * Starts the node and joins the cluster; returns once it is in a view.
         *
         * @throws IllegalArgumentException for a bad name, port, or cookie
         * @throws SecurityException if the cluster refused the cookie
         * @throws Exception if the node cannot listen (for example, the port is taken)
         */
        public ClusterNode start() throws Exception {
            if (name == null) throw new IllegalArgumentException("a node needs a name, NAME@HOST");
            int at = name.indexOf('@');
            if (at < 1 || at == name.length() - 1) throw new IllegalArgumentException("node name must look like NAME@HOST, got: " + name);
            if (cookie == null || cookie.isEmpty()) throw new IllegalArgumentException("a node needs a cookie (the cluster's shared secret)");
            if (port <= 0 || port > 65535) throw new IllegalArgumentException("port must be 1..65535, got " + port);
            if (serializer == null) serializer = ForySerializer.builder().build();
            return new ClusterNode(this, name.substring(at + 1));
        }
    }
}
