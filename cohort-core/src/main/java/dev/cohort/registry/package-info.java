/**
 * The node-local name registry ({@link dev.cohort.registry.Registry}): unique names for
 * processes of one node, dropped when they end. Cluster-wide names live in the cluster and
 * distributed modules.
 */
package dev.cohort.registry;
