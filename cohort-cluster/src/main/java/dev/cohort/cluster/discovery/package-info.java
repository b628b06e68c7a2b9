/**
 * How a node finds the others: static seeds, DNS names (one address per node, as a
 * Kubernetes headless service gives), or multicast.
 */
package dev.cohort.cluster.discovery;
