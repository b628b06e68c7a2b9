package dev.cohort.cluster.spawn;

import dev.cohort.process.Pid;

/**
 * Wire message of {@link RemoteSpawn}: start what factory {@code factory} makes of {@code arg};
 * under the dynamic supervisor registered as {@code supervisor} if it is not null, otherwise as
 * a plain process, linked to {@code linkTo} if it is not null.
 */
public record SpawnRequest(String factory, Object arg, Pid linkTo, String supervisor) {}
