/**
 * The node command with an observer attached ({@code cohort node --observer-port}).
 */
package dev.cohort.observer.cli;
