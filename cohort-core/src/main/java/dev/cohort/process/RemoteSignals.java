package dev.cohort.process;

import java.util.Objects;

/**
 * What arrives at a node from other nodes, as the cluster layer hands it over: messages,
 * calls, exit signals, and the remote halves of links and monitors. Obtain it with
 * {@link Node#remoteSignals()}. Each method applies the same rules as its local
 * counterpart; answers that must go back (a {@code noproc} for a link or monitor of a process
 * that does not exist here) go out through the node's {@link RemoteNodes}.
 */
public final class RemoteSignals {
    private final Node node;

    RemoteSignals(Node node) {
        this.node = Objects.requireNonNull(node);
    }

    /** A message for a local process; dropped if it does not exist. */
    public void message(Pid to, Object message) {
        node.deliverFromRemote(to, message);
    }

    /** A call from {@code caller} on another node; the reply goes back through {@link RemoteNodes#send}. */
    public void call(Pid to, Pid caller, Ref ref, Object request) {
        ProcessImpl p = node.local(to);
        if (p != null) {
            p.deliver(new Call(new From(caller, ref, node), request));
        }
        // A call to a missing process needs no answer here: the caller monitors it and gets Down(noproc).
    }

    /** An exit signal; {@code fromLink}: the end of a linked process rather than {@code exit/2}. */
    public void exit(Pid from, Pid to, ExitReason reason, boolean fromLink) {
        ProcessImpl p = node.local(to);
        if (p == null) return;
        if (fromLink) p.linkedExit(from, reason);
        else p.exitSignal(from, reason, false);
    }

    /** {@code remote} linked itself to local {@code local}; a missing local process answers noproc. */
    public void link(Pid remote, Pid local) {
        ProcessImpl p = node.local(local);
        if (p == null || !p.addLink(remote)) {
            node.remoteNodes().linkedExit(local, remote, ExitReason.NOPROC);
        }
    }

    /** {@code remote} removed its link to {@code local}. */
    public void unlink(Pid remote, Pid local) {
        ProcessImpl p = node.local(local);
        if (p != null) p.removeLink(remote);
    }

    /** {@code watcher} on another node monitors local {@code target}; a missing target answers Down(noproc). */
    public void monitor(Pid watcher, Pid target, Ref ref) {
        ProcessImpl p = node.local(target);
        if (p == null || !p.addWatcher(ref, watcher)) {
            node.remoteNodes().send(watcher, new Down(ref, target, ExitReason.NOPROC));
        }
    }

    /** A remote watcher removed monitor {@code ref} of local {@code target}. */
    public void demonitor(Pid target, Ref ref) {
        ProcessImpl p = node.local(target);
        if (p != null) p.removeWatcher(ref);
    }

    /** A monitor held by local {@code watcher} fired on another node (or its node was lost). */
    public void down(Pid watcher, Down down) {
        node.monitorFired(watcher, down);
    }
}
