package dev.cohort.testkit;

import dev.cohort.cluster.ClusterNode;
import dev.cohort.cluster.discovery.Discovery;
import dev.cohort.cluster.wire.Serializer;
import dev.cohort.time.ManualTime;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Nodes of one cluster in this JVM, over real JGroups TCP on free ports of 127.0.0.1, each
 * seeded with all the others; {@link Builder#start()} returns once every node sees every other.
 * With {@link Builder#manualTime()}, every node's timers and restart-intensity windows read one
 * shared {@link ManualTime}, so a test moves time with {@link #advance} instead of waiting (the
 * transport's own timers, JGroups' failure detection, stay on real time).
 *
 * <pre>{@code
 * try (TestCluster cluster = TestCluster.builder(3).serializer(() -> ForySerializer.builder().allow(Greeting.class).build()).start()) {
 *     ClusterNode a = cluster.node(0), b = cluster.node(1);
 *     ...
 * }
 * }</pre>
 *
 * Closing leaves the cluster and ends every process of every node, even after a failed test.
 */
public final class TestCluster implements AutoCloseable {
    private final List<ClusterNode> nodes = new ArrayList<>();
    private final ManualTime time;

    private TestCluster(ManualTime time) { this.time = time; }

    /** A cluster of {@code size} nodes, named {@code n0@127.0.0.1}, {@code n1@127.0.0.1}, ... */
    public static Builder builder(int size) { return new Builder(size); }

    /** Node {@code i}. */
    public ClusterNode node(int i) { return nodes.get(i); }

    /** Every node, in start order. */
    public List<ClusterNode> nodes() { return List.copyOf(nodes); }

    public int size() { return nodes.size(); }

    /** The shared manual time, if the cluster was built with {@link Builder#manualTime()}. */
    public ManualTime time() {
        if (time == null) throw new IllegalStateException("this cluster runs on real time: build it with manualTime()");
        return time;
    }

    /** Moves the shared manual time forward, running every timer that falls due. */
    public void advance(Duration by) { time().advance(by); }

    @Override
    public void close() {
        RuntimeException first = null;
        for (ClusterNode n : nodes) {
            try {
                n.close();
            } catch (RuntimeException e) {
                if (first == null) first = e;
            }
        }
        if (first != null) throw first;
    }

    /** Settings of a {@link TestCluster}. */
    public static final class Builder {
        private final int size;
        private Supplier<? extends Serializer> serializer;
        private String cookie = "test-cookie";
        private boolean manualTime;
        private Duration joinTimeout = Duration.ofSeconds(60);

        private Builder(int size) {
            if (size < 1 || size > 64) throw new IllegalArgumentException("a test cluster has 1 to 64 nodes, not " + size);
            this.size = size;
        }

        /** Makes each node's serializer (one per node, as separate machines would have); default: Cohort's own. */
        public Builder serializer(Supplier<? extends Serializer> serializer) { this.serializer = Objects.requireNonNull(serializer); return this; }

        public Builder cookie(String cookie) { this.cookie = Objects.requireNonNull(cookie); return this; }

        /** Every node on one shared {@link ManualTime} (see {@link TestCluster}). */
        public Builder manualTime() { this.manualTime = true; return this; }

        /** How long {@link #start()} waits for the nodes to see each other (default 60 s). */
        public Builder joinTimeout(Duration timeout) { this.joinTimeout = Objects.requireNonNull(timeout); return this; }

        /**
         * Starts the nodes and waits until each sees all the others.
         *
         * @throws IllegalStateException if they did not join within the timeout (the nodes are closed)
         */
        public TestCluster start() throws Exception {
            TestCluster c = new TestCluster(manualTime ? new ManualTime() : null);
            try {
                List<InetSocketAddress> seeds = new ArrayList<>();
                for (int i = 0; i < size; i++) seeds.add(new InetSocketAddress("127.0.0.1", FreePorts.next()));
                for (int i = 0; i < size; i++) {
                    ClusterNode.Builder b = ClusterNode.builder().name("n" + i + "@127.0.0.1").port(seeds.get(i).getPort())
                            .cookie(cookie).discovery(Discovery.staticHosts(seeds));
                    if (serializer != null) b.serializer(serializer.get());
                    if (c.time != null) b.clock(c.time).scheduler(c.time);
                    c.nodes.add(b.start());
                }
                awaitJoined(c);
                return c;
            } catch (Exception | Error e) {
                c.close();
                throw e;
            }
        }

        /** Waits on the nodes' membership events (not a poll) until each node sees all the others. */
        private void awaitJoined(TestCluster c) throws InterruptedException {
            Object changed = new Object();
            List<dev.cohort.time.Cancellable> subscriptions = new ArrayList<>();
            for (ClusterNode n : c.nodes) subscriptions.add(n.onNodeEvent(e -> { synchronized (changed) { changed.notifyAll(); } }));
            try {
                long deadline = System.nanoTime() + joinTimeout.toNanos();
                synchronized (changed) {
                    while (!c.nodes.stream().allMatch(n -> n.connectedNodes().size() == size - 1)) {
                        long left = deadline - System.nanoTime();
                        if (left <= 0) {
                            StringBuilder why = new StringBuilder("the test cluster did not join within " + joinTimeout + ":");
                            for (ClusterNode n : c.nodes) why.append(' ').append(n.name()).append(" sees ").append(n.connectedNodes());
                            throw new IllegalStateException(why.toString());
                        }
                        changed.wait(Math.max(1, left / 1_000_000));
                    }
                }
            } finally {
                subscriptions.forEach(dev.cohort.time.Cancellable::cancel);
            }
        }
    }
}
