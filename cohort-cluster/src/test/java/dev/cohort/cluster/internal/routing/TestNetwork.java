package dev.cohort.cluster.internal.routing;

import dev.cohort.cluster.wire.Serializer;
import dev.cohort.process.Node;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Nodes in one JVM joined by byte frames handed over synchronously (so per-pair order is
 * kept). For testing the routing rules; the cluster tests proper use JGroups between OS processes.
 */
public final class TestNetwork {
    private final Map<String, FrameRouter> routers = new ConcurrentHashMap<>();
    private final Set<String> down = ConcurrentHashMap.newKeySet();

    public Node joinNode(String name, Serializer serializer) {
        return join(name, serializer).node();
    }

    public FrameRouter router(String name) { return routers.get(name); }

    public FrameRouter join(String name, Serializer serializer) {
        Node node = Node.builder().name(name).build();
        FrameRouter router = new FrameRouter(node, serializer, new Transport() {
            @Override public boolean isConnected(String other) {
                return routers.containsKey(other) && !down.contains(other) && !down.contains(name);
            }

            @Override public void send(String other, byte[] frame) {
                FrameRouter r = routers.get(other);
                if (r != null && isConnected(other)) r.onFrame(name, frame);
            }

            @Override public String coordinator() { // the smallest name this node can reach, itself included
                String c = name;
                for (String n : routers.keySet()) if (n.compareTo(c) < 0 && isConnected(n)) c = n;
                return c;
            }

            @Override public void broadcast(byte[] frame) {
                synchronized (TestNetwork.this) { // one total order for all broadcasts
                    routers.forEach((n, r) -> { if (n.equals(name) || isConnected(n)) r.onFrame(name, frame); });
                }
            }
        });
        node.attach(router);
        routers.put(name, router);
        return router;
    }

    /** Cuts {@code name} off: every other node sees it go down. */
    public void lose(String name) {
        down.add(name);
        routers.forEach((n, r) -> { if (!n.equals(name)) r.nodeDown(name); });
        routers.get(name).nodeDown("*");
        routers.forEach((n, r) -> { if (!n.equals(name)) routers.get(name).nodeDown(n); });
    }

    /** Reconnects a node cut off by {@link #lose}: frames flow again (the caller reports nodeUp). */
    public void heal(String name) {
        down.remove(name);
    }

    /** Feeds raw bytes to a node as if {@code from} sent them. */
    public void inject(String to, String from, byte[] frame) {
        routers.get(to).onFrame(from, frame);
    }
}
