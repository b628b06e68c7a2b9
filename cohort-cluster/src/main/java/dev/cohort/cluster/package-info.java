/**
 * A node in a cluster: {@link dev.cohort.cluster.ClusterNode} joins other nodes over JGroups,
 * makes pids, names, links and monitors work across them, and runs the node's system supervision
 * tree (its own services, and the ones started with {@code startService}).
 */
package dev.cohort.cluster;
