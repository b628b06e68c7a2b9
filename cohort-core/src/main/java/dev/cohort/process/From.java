package dev.cohort.process;

import java.util.Objects;

/**
 * Who is waiting for a reply to a {@link Call}. {@link #reply(Object)} may be called once,
 * from any thread, at any time; a reply to a caller that gave up (timeout, or it ended) is
 * dropped.
 */
public final class From {
    private final Pid caller;
    private final Ref ref;
    private final transient Node node;

    From(Pid caller, Ref ref, Node node) {
        this.caller = caller;
        this.ref = ref;
        this.node = node;
    }

    /** The waiting process. */
    public Pid caller() { return caller; }

    /** The reference that identifies this call. */
    public Ref ref() { return ref; }

    /** Sends {@code value} as the reply. */
    public void reply(Object value) {
        node.send(caller, new Reply(ref, value));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof From f && f.ref.equals(ref) && f.caller.equals(caller);
    }

    @Override
    public int hashCode() { return Objects.hash(caller, ref); }

    @Override
    public String toString() { return "From[" + caller + ", " + ref + "]"; }
}
