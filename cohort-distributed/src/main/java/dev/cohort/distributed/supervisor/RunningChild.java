package dev.cohort.distributed.supervisor;

import dev.cohort.process.Pid;
import java.util.Objects;

/** A child of a {@link DistributedSupervisor} as one member reports it: its id and the process it runs as. */
public record RunningChild(String id, Pid pid) {
    public RunningChild {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(pid, "pid");
    }
}
