/**
 * Durable process state: {@link dev.cohort.state.Persistence} wraps a server so its state is
 * written to a store under a fencing epoch, read back by its next incarnation on any node, and a
 * stale incarnation is stopped ({@link dev.cohort.state.Fenced}) rather than allowed to write.
 */
package dev.cohort.state;
