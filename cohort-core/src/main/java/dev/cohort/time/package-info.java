/**
 * Time as a dependency: {@link dev.cohort.time.Clock} and {@link dev.cohort.time.Scheduler}
 * for the running system, {@link dev.cohort.time.ManualTime} for tests that move time by hand;
 * and {@link dev.cohort.time.HybridLogicalClock}, whose {@link dev.cohort.time.Timestamp}s compare
 * across nodes (the CRDTs' writes and global names are stamped with it).
 */
package dev.cohort.time;
