package dev.cohort.distributed.testing;

import static org.awaitility.Awaitility.await;

import dev.cohort.cluster.ClusterNode;
import dev.cohort.cluster.discovery.Discovery;
import dev.cohort.cluster.wire.ForySerializer;
import dev.cohort.process.Pid;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Nodes joined over JGroups TCP in this JVM, on free ports of 127.0.0.1, for the registry and supervisor tests. */
public final class TestCluster implements AutoCloseable {
    public static final Duration WAIT = Duration.ofSeconds(60);
    public final List<ClusterNode> nodes = new ArrayList<>();
    public final ForySerializer serializer = ForySerializer.builder().build();

    public TestCluster(int n) throws Exception {
        List<InetSocketAddress> seeds = new ArrayList<>();
        for (int i = 0; i < n; i++) seeds.add(new InetSocketAddress("127.0.0.1", freePort()));
        for (int i = 0; i < n; i++) {
            nodes.add(ClusterNode.builder().name("n" + i + "@127.0.0.1").port(seeds.get(i).getPort()).cookie("c")
                    .discovery(Discovery.staticHosts(seeds)).serializer(serializer).start());
        }
        await().atMost(WAIT).until(() -> nodes.stream().allMatch(c -> c.connectedNodes().size() == n - 1));
    }

    public ClusterNode get(int i) { return nodes.get(i); }

    /** A process on node {@code i} that waits forever. */
    public Pid idle(int i) {
        return nodes.get(i).node().spawn(self -> { for (;;) self.receive(); });
    }

    private static int freePort() throws java.io.IOException {
        return dev.cohort.cluster.Ports.free(); // below the ephemeral range: see Ports
    }

    @Override
    public void close() {
        nodes.forEach(ClusterNode::close);
    }
}
