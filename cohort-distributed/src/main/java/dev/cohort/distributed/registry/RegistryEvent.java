package dev.cohort.distributed.registry;

/**
 * What {@link DistributedRegistry#subscribe} listeners receive, on every node, for every change
 * of a key's holder: by a local or a remote register, an unregister, an exit, a node leaving.
 */
public sealed interface RegistryEvent {
    Object key();

    /** {@code key} now resolves to {@code registration} (replacing {@code previous}, if any: a conflict's winner). */
    record Registered(Object key, Registration registration, Registration previous) implements RegistryEvent {}

    /** {@code key} no longer resolves; it was held by {@code registration}. */
    record Unregistered(Object key, Registration registration) implements RegistryEvent {}
}
