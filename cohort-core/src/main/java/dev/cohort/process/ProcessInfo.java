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
 * @param label what it runs, as it describes itself ({@link ProcessContext#setLabel}); a
 *              {@code GenServer} is labelled with its class name; null if none
 * @param messagesReceived messages it has taken from its mailbox since it started (read
 *                         without synchronization: a recent value, not an exact one)
 * @param waiting whether it is parked waiting for a message
 */
public record ProcessInfo(Pid pid, String registeredName, int messageQueueLength, Set<Pid> links, int monitors, boolean trapsExits,
                          String label, long messagesReceived, boolean waiting) {

    /** Bytes a process costs before it holds anything (the S3 benchmark measures about 800). */
    public static final int BASE_BYTES = 800;

    /**
     * A rough estimate of the memory this process holds in the runtime: {@link #BASE_BYTES}
     * plus 48 bytes per waiting message (its cell, not the message itself, whose size the
     * runtime does not know) and 64 per link or monitor. Its stack and the objects its code
     * holds are not counted.
     */
    public long memoryEstimate() {
        return BASE_BYTES + 48L * messageQueueLength + 64L * (links.size() + monitors);
    }
}
