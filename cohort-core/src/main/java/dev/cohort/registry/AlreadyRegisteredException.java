package dev.cohort.registry;

import dev.cohort.process.Pid;

/** A unique key is held by a live process. */
public final class AlreadyRegisteredException extends RuntimeException {
    private final transient Pid holder;

    AlreadyRegisteredException(Registry registry, Object key, Pid holder) {
        super("key " + key + " in registry " + registry.name() + " is already registered to " + holder);
        this.holder = holder;
    }

    /** The process holding the key. */
    public Pid holder() { return holder; }
}
