package dev.cohort.cluster.wire;

import dev.cohort.wire.WireTypes;
import java.util.List;

/** cohort-cluster's wire types (ids 1100..): global-name conflicts, remote spawn, and the stand-in for an exception a server replied. Found through {@link java.util.ServiceLoader}. */
public final class ClusterWireTypes implements WireTypes {
    @Override public String module() { return "cohort-cluster"; }

    @Override public int firstId() { return 1100; }

    @Override public List<Class<?>> types() {
        return List.of(dev.cohort.cluster.global.NameConflict.class, dev.cohort.cluster.spawn.SpawnRequest.class,
                dev.cohort.cluster.spawn.SpawnRefused.class, RemoteException.class);
    }
}
