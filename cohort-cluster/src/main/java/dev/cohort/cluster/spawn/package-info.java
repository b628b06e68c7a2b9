/**
 * Starting processes on other nodes ({@link dev.cohort.cluster.spawn.RemoteSpawn}): only
 * functions the target node registered by name can be started there, never code sent over the
 * wire.
 */
package dev.cohort.cluster.spawn;
