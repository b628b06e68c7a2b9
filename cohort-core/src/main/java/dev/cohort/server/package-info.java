/**
 * {@link dev.cohort.server.GenServer}: a process that serves calls and casts one at a time
 * from a state, with start options (names), start failures and the loop that runs it.
 */
package dev.cohort.server;
