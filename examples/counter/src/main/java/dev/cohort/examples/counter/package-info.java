/**
 * Reference app 1, the visit counter, in four stages (simple, clustered, distributed, handoff):
 * one session process per user, found by name and, from the handoff stage on, kept in a store so
 * that it survives the loss of its node. Not a library; read it as an example.
 */
package dev.cohort.examples.counter;
