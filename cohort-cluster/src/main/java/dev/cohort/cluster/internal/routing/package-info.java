/**
 * Internal: the frame router between a node's processes and the transport (links, monitors,
 * calls and global-name frames per remote node). Not API: it changes without notice; no public
 * type of an API package exposes it (checked by the build).
 */
package dev.cohort.cluster.internal.routing;
