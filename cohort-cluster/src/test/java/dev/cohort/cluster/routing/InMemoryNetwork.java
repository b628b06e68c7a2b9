package dev.cohort.cluster.routing;

import dev.cohort.cluster.wire.Serializer;
import dev.cohort.process.Node;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Nodes in one JVM joined by byte frames handed over synchronously (so per-pair order is
 * kept). For testing the routing rules; the cluster tests proper use JGroups between OS processes.
 */
final class InMemoryNetwork {
    private final Map<String, FrameRouter> routers = new ConcurrentHashMap<>();
    private final Set<String> down = ConcurrentHashMap.newKeySet();

    Node join(String name, Serializer serializer) {
        Node node = Node.builder().name(name).build();
        FrameRouter router = new FrameRouter(node, serializer, new Transport() {
            @Override public boolean isConnected(String other) {
                return routers.containsKey(other) && !down.contains(other) && !down.contains(name);
            }

            @Override public void send(String other, byte[] frame) {
                FrameRouter r = routers.get(other);
                if (r != null && isConnected(other)) r.onFrame(name, frame);
            }
        });
        node.attach(router);
        routers.put(name, router);
        return node;
    }

    /** Cuts {@code name} off: every other node sees it go down. */
    void lose(String name) {
        down.add(name);
        routers.forEach((n, r) -> { if (!n.equals(name)) r.nodeDown(name); });
        routers.get(name).nodeDown("*");
        routers.forEach((n, r) -> { if (!n.equals(name)) routers.get(name).nodeDown(n); });
    }

    /** Feeds raw bytes to a node as if {@code from} sent them. */
    void inject(String to, String from, byte[] frame) {
        routers.get(to).onFrame(from, frame);
    }
}
