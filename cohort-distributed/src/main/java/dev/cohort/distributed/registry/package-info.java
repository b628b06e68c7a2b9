/**
 * Cluster-wide names and groups on a replicated map, as Horde's registry:
 * {@link dev.cohort.distributed.registry.DistributedRegistry} (one process per key, conflicts
 * after a partition settled by a resolver) and {@link dev.cohort.distributed.registry.ProcessGroups}.
 */
package dev.cohort.distributed.registry;
