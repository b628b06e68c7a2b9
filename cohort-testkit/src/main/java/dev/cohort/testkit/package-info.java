/**
 * What tests of code built on Cohort need: {@link dev.cohort.testkit.TestProbe} (a process to
 * expect messages with), {@link dev.cohort.testkit.TestCluster} (nodes joined in one JVM, on
 * real or manual time) and {@link dev.cohort.testkit.FreePorts}. A test-scope dependency: no
 * library module of Cohort depends on it (a build check holds this).
 */
package dev.cohort.testkit;
