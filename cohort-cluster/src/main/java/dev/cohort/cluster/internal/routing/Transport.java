package dev.cohort.cluster.internal.routing;

/**
 * Moves encoded frames between nodes, in order per pair of nodes. The JGroups channel is
 * the production transport; anything that delivers bytes in order will do.
 */
public interface Transport {
    /** Whether frames can currently reach {@code node}. */
    boolean isConnected(String node);

    /**
     * Sends one frame to {@code node}; dropped if it is not connected. Returns once the frame is
     * queued; may wait while the frames queued for that node are at their bound (back-pressure),
     * never longer than the transport's stall bound.
     */
    void send(String node, byte[] frame);

    /**
     * Sends one frame to every node, this one included. Broadcasts from one sender arrive
     * everywhere in the order sent.
     */
    void broadcast(byte[] frame);

    /**
     * The node that coordinates the current membership (JGroups' view coordinator: the oldest
     * member); this node if it is alone. Every member of a view names the same coordinator.
     */
    String coordinator();
}
