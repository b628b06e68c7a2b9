/**
 * Time as a dependency: {@link dev.cohort.time.Clock} and {@link dev.cohort.time.Scheduler}
 * for the running system, {@link dev.cohort.time.ManualTime} for tests that move time by hand.
 */
package dev.cohort.time;
