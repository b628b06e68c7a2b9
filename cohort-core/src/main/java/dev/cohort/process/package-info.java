/**
 * Processes on virtual threads: {@link dev.cohort.process.Node} spawns them, each with a
 * mailbox, a {@link dev.cohort.process.Pid} and links and monitors; messages, calls, exits and
 * exit reasons; {@link dev.cohort.process.Telemetry} for observers. A node alone; the cluster
 * module makes pids and names reach other nodes.
 */
package dev.cohort.process;
