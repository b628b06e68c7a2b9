/**
 * Cluster-wide unique names ({@link dev.cohort.cluster.global.GlobalNames}), granted by the
 * membership's coordinator, with conflicts after a partition settled and reported.
 */
package dev.cohort.cluster.global;
