package dev.cohort.process;

/**
 * The cluster layer as seen by a {@link Node}: how messages, signals, links and monitors
 * reach processes of other nodes. Without a cluster ({@link #NONE}) every remote pid is
 * unreachable: sends are dropped and links and monitors fire at once with
 * {@code noconnection}.
 */
public interface RemoteNodes {
    /** Carries a message to a process of another node; drops it if the node is not connected. */
    void send(Pid to, Object message);

    /** Carries a message to the process registered as {@code name} on {@code node}; dropped if there is none. */
    void sendNamed(String node, String name, Object message);

    /**
     * Carries a call and sets up, in the same frame, the caller's monitor {@code ref} of the
     * server (so a call costs one frame each way); {@code false} if the node is not connected.
     */
    boolean call(Pid caller, Pid server, Ref ref, Object request);

    /** {@link #call} to the process registered as {@code name} on {@code node}; Down(noproc) if there is none. */
    boolean callNamed(Pid caller, String node, String name, Ref ref, Object request);

    /** Sets up a monitor of the process registered as {@code name} on {@code node}; {@code false} if not connected. */
    boolean monitorNamed(Pid watcher, String node, String name, Ref ref);

    /** Carries an exit signal ({@code exit/2}). */
    void exitSignal(Pid from, Pid to, ExitReason reason);

    /** Carries the exit of a linked local process to a remote process. */
    void linkedExit(Pid from, Pid to, ExitReason reason);

    /** Sets up the remote half of a link; {@code false} if the node is not connected. */
    boolean link(Pid local, Pid remote);

    /** Removes the remote half of a link. */
    void unlink(Pid local, Pid remote);

    /** Sets up a monitor of a remote process; {@code false} if the node is not connected. */
    boolean monitor(Pid watcher, Pid target, Ref ref);

    /** Removes a monitor of a remote process. */
    void demonitor(Pid target, Ref ref);

    /** No cluster: every other node is unreachable. */
    RemoteNodes NONE = new RemoteNodes() {
        @Override public void send(Pid to, Object message) {}
        @Override public void sendNamed(String node, String name, Object message) {}
        @Override public boolean call(Pid caller, Pid server, Ref ref, Object request) { return false; }
        @Override public boolean callNamed(Pid caller, String node, String name, Ref ref, Object request) { return false; }
        @Override public boolean monitorNamed(Pid watcher, String node, String name, Ref ref) { return false; }
        @Override public void exitSignal(Pid from, Pid to, ExitReason reason) {}
        @Override public void linkedExit(Pid from, Pid to, ExitReason reason) {}
        @Override public boolean link(Pid local, Pid remote) { return false; }
        @Override public void unlink(Pid local, Pid remote) {}
        @Override public boolean monitor(Pid watcher, Pid target, Ref ref) { return false; }
        @Override public void demonitor(Pid target, Ref ref) {}
    };
}
