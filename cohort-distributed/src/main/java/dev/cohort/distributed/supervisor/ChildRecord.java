package dev.cohort.distributed.supervisor;

import dev.cohort.process.Pid;
import dev.cohort.supervisor.Restart;

/**
 * A child as the supervisor's replicated map holds it, under key {@code "c/" + id}: how to
 * start it anywhere (a factory name and its serialized argument), its restart type, the member
 * that owns it, and the pid it runs as there (null while a hand-over waits for the new owner).
 * Only the owner writes a record, except when a member takes over the children of a failed one
 * or hands its own over.
 */
record ChildRecord(String id, String factory, byte[] arg, Restart restart, String owner, Pid pid) {
    static final String PREFIX = "c/";

    String key() { return PREFIX + id; }

    ChildRecord ownedBy(String node, Pid running) { return new ChildRecord(id, factory, arg, restart, node, running); }

    @Override
    public String toString() { return "ChildRecord[" + id + " " + factory + " " + restart + " owner " + owner + " pid " + pid + "]"; }
}
