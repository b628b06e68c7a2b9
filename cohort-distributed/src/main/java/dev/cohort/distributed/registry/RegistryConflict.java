package dev.cohort.distributed.registry;

import dev.cohort.process.Pid;

/**
 * Why a process was told to exit by a {@link DistributedRegistry}: after a partition healed,
 * two processes held unique {@code key} in {@code registry}, and {@code winner} keeps it. The
 * exit signal is {@code ExitReason.Custom(RegistryConflict)}: a process that traps exits can hand
 * its state to the winner before it stops.
 */
public record RegistryConflict(Object key, String registry, Pid winner) implements dev.cohort.supervisor.RoutineExit {}
