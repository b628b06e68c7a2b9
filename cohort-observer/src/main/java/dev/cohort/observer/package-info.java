/**
 * {@link dev.cohort.observer.Observer}: a node's live web page (processes, supervision trees,
 * cluster, registries, replication) over WebSocket, its JSON API and its Prometheus metrics.
 */
package dev.cohort.observer;
