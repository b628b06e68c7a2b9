/**
 * Delta-state CRDTs and what replicates them: an add-wins last-writer-wins map, counters and
 * sets over dots and causal contexts, the hybrid logical clock, and the codecs and Merkle-tree
 * anti-entropy that carry deltas between replicas. Values are checked as they decode.
 */
package dev.cohort.crdt;
