package dev.cohort.state;

import static org.awaitility.Awaitility.await;

import dev.cohort.cluster.ClusterNode;
import dev.cohort.cluster.discovery.Discovery;
import dev.cohort.cluster.testing.NodeProcess;
import dev.cohort.distributed.registry.DistributedRegistry;
import dev.cohort.state.cli.StateNodeMain;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link StateNodeMain} nodes as OS processes on 127.0.0.1 sharing one store, plus a client node
 * in this JVM that joins the cluster and resolves names through its own replica of the registry.
 * Closing kills every process and stops the client.
 */
final class StateCluster implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(60);
    final List<NodeProcess> nodes = new ArrayList<>();
    final ClusterNode client;
    final DistributedRegistry registry;
    private final List<String> options;
    private final List<InetSocketAddress> seeds = new ArrayList<>();

    StateCluster(int n, String store, String... options) throws Exception {
        int[] ports = new int[n + 1];
        for (int i = 0; i <= n; i++) {
            ports[i] = dev.cohort.cluster.Ports.free();
            seeds.add(new InetSocketAddress("127.0.0.1", ports[i]));
        }
        StringBuilder seedList = new StringBuilder();
        for (int p : ports) seedList.append(seedList.isEmpty() ? "" : ",").append("127.0.0.1:").append(p);
        List<String> opts = new ArrayList<>(List.of(options));
        opts.addAll(List.of("--store", store, "--seeds", seedList.toString()));
        this.options = List.copyOf(opts);
        for (int i = 0; i < n; i++) nodes.add(NodeProcess.startWith(StateNodeMain.class, (char) ('a' + i) + "@127.0.0.1", ports[i + 1], "c", this.options));
        client = ClusterNode.builder().name("client@127.0.0.1").port(ports[0]).cookie("c")
                .discovery(Discovery.staticHosts(seeds)).serializer(StateNodeMain.serializer()).start();
        registry = DistributedRegistry.builder(client, "state").serializer(StateNodeMain.serializer()).start();
        for (NodeProcess p : nodes) p.awaitLine("READY"::equals, WAIT);
        await().atMost(WAIT).until(() -> client.connectedNodes().size() == n);
    }

    /** The node process whose name is {@code node}. */
    int indexOf(String node) {
        for (int i = 0; i < nodes.size(); i++) if (nodes.get(i).name.equals(node)) return i;
        throw new IllegalArgumentException("no node " + node);
    }

    /** Starts node {@code i} again (a new incarnation, same name and port) and waits until it is ready. */
    void restart(int i) throws IOException {
        NodeProcess p = nodes.get(i).restart();
        nodes.set(i, p);
        p.awaitLine("READY"::equals, WAIT);
    }

    /** These nodes as the drill drives them: kill -9, or LEAVE (hand over, then exit), then restart. */
    dev.cohort.state.cli.HandoffDrill.Nodes drillNodes() {
        return new dev.cohort.state.cli.HandoffDrill.Nodes() {
            @Override public int indexOf(String node) { return StateCluster.this.indexOf(node); }

            @Override public int size() { return nodes.size(); }

            @Override public void kill(int i) { nodes.get(i).kill9(); }

            @Override
            public void stop(int i) throws IOException {
                NodeProcess p = nodes.get(i);
                p.command("LEAVE");
                p.awaitLine(l -> l.startsWith("LEFT "), WAIT);
                await().atMost(WAIT).until(() -> !p.isAlive());
            }

            @Override public void restart(int i) throws IOException { StateCluster.this.restart(i); }
        };
    }

    /** Every node's printed lines (the last 60 of each), for a failure message. */
    String dump() {
        StringBuilder b = new StringBuilder();
        for (NodeProcess p : nodes) {
            List<String> l = p.lines();
            b.append("\n--- ").append(p.name).append(" (").append(p.isAlive() ? "alive" : "dead").append(")\n");
            l.subList(Math.max(0, l.size() - 60), l.size()).forEach(x -> b.append(x).append('\n'));
        }
        return b.toString();
    }

    @Override
    public void close() {
        nodes.forEach(NodeProcess::close);
        client.close();
    }
}
