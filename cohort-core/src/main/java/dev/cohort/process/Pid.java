package dev.cohort.process;

import java.util.Objects;

/**
 * The identity of one process: the node it runs on, that node's incarnation, and a number
 * unique on that incarnation. Printed as Erlang prints pids: {@code <gotham@127.0.0.1.42>}.
 *
 * <p>Value semantics: two pids are equal when node, creation and id are equal, whether they
 * were handed out by {@code spawn} or rebuilt from the wire. The creation number keeps a pid
 * of a node's earlier incarnation from matching a new process after the node restarts.
 *
 * <p>A pid handed out by a local {@link Node} also carries a direct reference to its
 * process, so sending to it skips the process table; that reference is not part of
 * equality and never travels.
 */
public final class Pid implements Address, Comparable<Pid> {
    private final String node;
    private final long creation;
    private final long id;
    /** The local process, when this pid was created by the node that runs it. */
    final transient ProcessImpl local;

    /** Rebuilds a pid, for example from a wire frame. */
    public Pid(String node, long creation, long id) {
        this(node, creation, id, null);
    }

    Pid(String node, long creation, long id, ProcessImpl local) {
        this.node = Objects.requireNonNull(node, "node");
        if (id < 0) throw new IllegalArgumentException("pid id must be >= 0, got " + id);
        this.creation = creation;
        this.id = id;
        this.local = local;
    }

    /** The node name, {@code NAME@HOST}. */
    public String node() { return node; }

    /** The incarnation of the node that created this pid. */
    public long creation() { return creation; }

    /** The number of this process on its node incarnation. */
    public long id() { return id; }

    @Override
    public boolean equals(Object o) {
        return o instanceof Pid p && p.id == id && p.creation == creation && p.node.equals(node);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(id) * 31 + node.hashCode();
    }

    /** Orders by node name, then creation, then id: the deterministic order used for tie-breaks. */
    @Override
    public int compareTo(Pid o) {
        int c = node.compareTo(o.node);
        if (c != 0) return c;
        c = Long.compare(creation, o.creation);
        return c != 0 ? c : Long.compare(id, o.id);
    }

    @Override
    public String toString() {
        return "<" + node + "." + id + ">";
    }
}
