package dev.cohort.cluster;

/**
 * A message that came from another node, wrapped with that node's name as the transport
 * authenticated it (the cluster member the bytes came from, not anything the message says).
 * Delivered only to processes that asked for it ({@link ClusterNode#deliverWithOrigin}), so
 * that a process whose messages name a sender (a replicator, say) can check the claim.
 *
 * @param node the sending node, as its cluster membership names it
 * @param message the message itself, never null
 */
public record FromNode(String node, Object message) {}
