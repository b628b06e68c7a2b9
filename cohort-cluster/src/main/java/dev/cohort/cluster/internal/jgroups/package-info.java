/**
 * Internal: the JGroups transport and the protocols Cohort adds to its stack (cookie
 * authentication, sealed TCP, the member gate, suspicion watch, bounded outboxes). Not API: it
 * changes without notice; no public type of an API package exposes it (checked by the build).
 */
package dev.cohort.cluster.internal.jgroups;
