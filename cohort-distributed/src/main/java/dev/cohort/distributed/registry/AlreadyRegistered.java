package dev.cohort.distributed.registry;

import dev.cohort.process.Pid;

/** {@link DistributedRegistry#register} of a unique key that another process holds. */
public final class AlreadyRegistered extends RuntimeException {
    private final transient Object key;
    private final Pid holder;

    public AlreadyRegistered(Object key, Pid holder) {
        super(key + " is registered to " + holder);
        this.key = key;
        this.holder = holder;
    }

    public Object key() { return key; }

    public Pid holder() { return holder; }
}
