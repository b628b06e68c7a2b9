package dev.cohort.distributed.supervisor;

import dev.cohort.process.Pid;

/**
 * A member as the replicated map holds it, under key {@code "m/" + node}: the pid of its
 * supervisor server (whose exit, seen through a monitor, marks the member dead while its node
 * stays up) and whether it is leaving.
 */
record Member(String node, Pid server, boolean leaving) {
    static final String PREFIX = "m/";

    String key() { return PREFIX + node; }
}
