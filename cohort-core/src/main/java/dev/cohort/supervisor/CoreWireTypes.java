package dev.cohort.supervisor;

import dev.cohort.process.Address;
import dev.cohort.process.Pid;
import dev.cohort.process.Ref;
import dev.cohort.wire.WireTypes;
import java.util.List;

/**
 * cohort-core's wire types (ids 1000..): pids, refs, addresses, and the supervisors' replies and
 * requests, so that a supervisor can be asked from another node. Found by the serializer through
 * {@link java.util.ServiceLoader}; not for use by applications.
 */
public final class CoreWireTypes implements WireTypes {
    @Override public String module() { return "cohort-core"; }

    @Override public int firstId() { return 1000; }

    @Override public List<Class<?>> types() {
        return List.of(Pid.class, Ref.class, Address.Name.class, Address.Remote.class,
                ChildCounts.class, ChildInfo.class, ChildType.class, Restart.class,
                DynamicSupervisorServer.Request.class, DynamicSupervisorServer.TerminateChild.class,
                SupervisorServer.Request.class, SupervisorServer.TerminateChild.class,
                SupervisorServer.RestartChild.class, SupervisorServer.DeleteChild.class);
    }
}
