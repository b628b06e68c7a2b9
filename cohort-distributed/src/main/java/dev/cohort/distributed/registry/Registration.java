package dev.cohort.distributed.registry;

import dev.cohort.process.Pid;
import java.util.Objects;

/** A key's holder in a {@link DistributedRegistry}, and the value registered with it (may be null). */
public record Registration(Pid pid, Object value) {
    public Registration {
        Objects.requireNonNull(pid, "pid");
    }
}
