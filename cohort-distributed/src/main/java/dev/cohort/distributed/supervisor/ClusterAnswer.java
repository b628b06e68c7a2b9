package dev.cohort.distributed.supervisor;

import java.util.Map;
import java.util.Set;

/**
 * What the members of a {@link DistributedSupervisor} answered to a cluster-wide question within
 * its timeout, and which members did not answer (crashed, partitioned or too slow). A caller
 * that needs a complete answer checks {@link #complete()}.
 */
public record ClusterAnswer<T>(Map<String, T> answers, Set<String> missing) {
    public ClusterAnswer {
        answers = Map.copyOf(answers);
        missing = Set.copyOf(missing);
    }

    /** True when every member asked answered. */
    public boolean complete() { return missing.isEmpty(); }
}
