package dev.cohort.cluster.routing;

/**
 * Moves encoded frames between nodes, in order per pair of nodes. The JGroups channel is
 * the production transport; anything that delivers bytes in order will do.
 */
public interface Transport {
    /** Whether frames can currently reach {@code node}. */
    boolean isConnected(String node);

    /** Sends one frame to {@code node}; dropped if it is not connected. Never blocks for long. */
    void send(String node, byte[] frame);

    /**
     * Sends one frame to every node, this one included, in a single total order: every node
     * receives all broadcasts in the same order (global names depend on it).
     */
    void broadcast(byte[] frame);
}
