package dev.cohort.cluster.global;

import dev.cohort.process.Pid;

/**
 * The exit reason ({@code ExitReason.Custom(NameConflict)}) of a process that lost its global
 * name when two partitions that each registered {@code name} merged: {@code winner} keeps it.
 * A process that traps exits receives it as an {@code Exit} message and may hand its state to
 * the winner before it stops; otherwise it ends with this reason.
 */
public record NameConflict(String name, Pid winner) {
    @Override
    public String toString() {
        return "global name conflict: " + name + " stays with " + winner;
    }
}
