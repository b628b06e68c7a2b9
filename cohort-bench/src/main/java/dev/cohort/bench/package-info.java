/**
 * The benchmark scenarios behind {@code ./cohort bench NAME}: each prints
 * {@code scenario figure value unit} lines. Not a library: it depends on the modules' test jars.
 */
package dev.cohort.bench;
