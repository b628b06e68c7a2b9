package dev.cohort.cluster;

import dev.cohort.cluster.jgroups.JGroupsTransport;
import dev.cohort.cluster.routing.FrameRouter;
import dev.cohort.cluster.wire.Serializer;
import dev.cohort.process.Node;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A {@link Node} that is part of a cluster: its processes send to, call, link to and monitor
 * processes on other nodes with the same API as local ones. Membership, failure detection and
 * transport are JGroups'; a lost node fires {@code noconnection} on every monitor and link
 * that crossed to it.
 *
 * <p>In progress (issue 3): remote names ({@code {name, node}}), global names, discovery
 * other than a static seed list, and TLS are not here yet.
 */
public final class ClusterNode implements AutoCloseable {
    private final Node node;
    private final JGroupsTransport transport;
    private final List<Consumer<NodeEvent>> listeners = new CopyOnWriteArrayList<>();

    /** A node joining or leaving this node's view of the cluster. */
    public record NodeEvent(String node, boolean up) {}

    private ClusterNode(String name, String host, int port, List<InetSocketAddress> seeds, String cookie, Serializer serializer) throws Exception {
        this.node = Node.builder().name(name).build();
        FrameRouter[] router = new FrameRouter[1];
        this.transport = new JGroupsTransport(new JGroupsTransport.Settings(name, host, port, seeds, cookie),
                (from, bytes) -> router[0].onFrame(from, bytes),
                up -> listeners.forEach(l -> l.accept(new NodeEvent(up, true))),
                down -> {
                    router[0].nodeDown(down);
                    listeners.forEach(l -> l.accept(new NodeEvent(down, false)));
                });
        router[0] = new FrameRouter(node, serializer, transport);
        node.attach(router[0]);
    }

    /**
     * Starts a node named {@code name} (for example {@code gotham@127.0.0.1}), listening on
     * {@code port} of its host part, and joins the nodes at {@code seeds}.
     *
     * @throws SecurityException if the cluster refuses the cookie
     */
    public static ClusterNode start(String name, int port, List<InetSocketAddress> seeds, String cookie, Serializer serializer) throws Exception {
        Objects.requireNonNull(name, "name");
        int at = name.indexOf('@');
        if (at < 1 || at == name.length() - 1) throw new IllegalArgumentException("node name must look like NAME@HOST, got: " + name);
        return new ClusterNode(name, name.substring(at + 1), port, seeds, cookie, serializer);
    }

    /** The local node: spawn, send, call as usual. */
    public Node node() { return node; }

    /** The other nodes currently connected. */
    public Set<String> connectedNodes() { return transport.connectedNodes(); }

    /** Subscribes to node up/down events (Erlang's {@code monitor_nodes}). */
    public void onNodeEvent(Consumer<NodeEvent> listener) { listeners.add(listener); }

    /** Leaves the cluster, then ends every local process. */
    @Override
    public void close() {
        transport.close();
        node.close();
    }
}
