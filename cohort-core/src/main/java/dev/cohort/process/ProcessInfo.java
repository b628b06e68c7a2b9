package dev.cohort.process;

import java.util.Set;

/**
 * A snapshot of one process, for observers and debugging. Values may be stale by the time
 * they are read.
 *
 * @param pid the process
 * @param registeredName its local name, or null
 * @param messageQueueLength messages waiting in its mailbox
 * @param links the processes it is linked to
 * @param monitors monitors it holds plus monitors held on it
 * @param trapsExits whether it traps exits
 */
public record ProcessInfo(Pid pid, String registeredName, int messageQueueLength, Set<Pid> links, int monitors, boolean trapsExits) {}
