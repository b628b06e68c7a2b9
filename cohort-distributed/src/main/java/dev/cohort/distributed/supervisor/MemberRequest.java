package dev.cohort.distributed.supervisor;

import dev.cohort.process.Pid;

/**
 * What one member of a distributed supervisor asks another (registered as wire types of
 * cohort-distributed). Replies are JDK values or the supervisor's own byte encodings.
 * Not for applications: use {@link DistributedSupervisor}.
 */
public sealed interface MemberRequest {
    /** Starts the child of an encoded record naming the asked member as owner (replies its pid, or a String saying why not). */
    record Start(byte[] record) implements MemberRequest {}

    /** Stops the asked member's child {@code pid} and forgets it (replies whether it was one). */
    record Terminate(Pid pid) implements MemberRequest {}

    /** The asked member's running children (replies their encoding). */
    record Which() implements MemberRequest {}

    /** How many children the asked member runs (replies an Integer). */
    record Count() implements MemberRequest {}
}
