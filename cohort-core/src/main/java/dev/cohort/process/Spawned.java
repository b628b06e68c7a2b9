package dev.cohort.process;

/** The result of {@code spawnMonitor}: the new process and the monitor on it. */
public record Spawned(Pid pid, Ref monitor) {}
