/**
 * {@link dev.cohort.crdt.replicator.ReplicatedMap}: a map replicated to every node by a
 * supervised replicator process, optionally kept in a {@link dev.cohort.crdt.replicator.ReplicaStore}
 * across restarts.
 */
package dev.cohort.crdt.replicator;
