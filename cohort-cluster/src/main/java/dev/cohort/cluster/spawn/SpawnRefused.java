package dev.cohort.cluster.spawn;

/** Wire message of {@link RemoteSpawn}: why the node could not start what was asked. */
public record SpawnRefused(String reason) {}
