package dev.cohort.distributed.registry;

import dev.cohort.wire.WireTypes;
import java.util.List;

/**
 * cohort-distributed's wire types (ids 1300..): the exit reason of a registry conflict's loser,
 * registrations and running children, so a remote monitor or caller can read them, and the
 * requests registry servers and supervisor members send each other. Found
 * through {@link java.util.ServiceLoader}.
 */
public final class DistributedWireTypes implements WireTypes {
    @Override public String module() { return "cohort-distributed"; }

    @Override public int firstId() { return 1300; }

    @Override public List<Class<?>> types() {
        // appended only: ids follow this order, and nodes compare the digest of it at join
        return List.of(RegistryConflict.class, Registration.class, dev.cohort.distributed.supervisor.RunningChild.class,
                RegistryRequest.Whereis.class, RegistryRequest.Unregister.class,
                dev.cohort.distributed.supervisor.MemberRequest.Start.class, dev.cohort.distributed.supervisor.MemberRequest.Terminate.class,
                dev.cohort.distributed.supervisor.MemberRequest.Which.class, dev.cohort.distributed.supervisor.MemberRequest.Count.class);
    }
}
