/**
 * State stores: JDBC on SQLite (the embedded default) or PostgreSQL, and memory for tests;
 * every write compares the fencing epoch, and unreadable rows are reported, not guessed at.
 */
package dev.cohort.state.store;
