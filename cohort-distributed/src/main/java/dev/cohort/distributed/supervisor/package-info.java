/**
 * {@link dev.cohort.distributed.supervisor.DistributedSupervisor}: children spread over the
 * cluster by a distribution strategy, restarted on another node when theirs is lost, handed over
 * when a node leaves.
 */
package dev.cohort.distributed.supervisor;
