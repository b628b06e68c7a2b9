/**
 * The {@code cohort node} command line: one cluster node started from options and
 * {@code COHORT_*} variables, with clear errors for bad ones.
 */
package dev.cohort.cluster.cli;
