package dev.cohort.distributed.registry;

import dev.cohort.wire.WireTypes;
import java.util.List;

/**
 * cohort-distributed's wire types (ids 1300..): the exit reason of a registry conflict's loser,
 * registrations and running children, so a remote monitor or caller can read them. Found
 * through {@link java.util.ServiceLoader}.
 */
public final class DistributedWireTypes implements WireTypes {
    @Override public String module() { return "cohort-distributed"; }

    @Override public int firstId() { return 1300; }

    @Override public List<Class<?>> types() {
        return List.of(RegistryConflict.class, Registration.class, dev.cohort.distributed.supervisor.RunningChild.class);
    }
}
