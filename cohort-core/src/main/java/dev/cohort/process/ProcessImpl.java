package dev.cohort.process;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One process: its mailbox, its links and monitors, and how it ends. The object is its own
 * {@link ProcessContext} and the {@link Runnable} of its virtual thread.
 *
 * <p>Lifecycle state (exit reason, links, monitors) is guarded by {@code this}. Ending is
 * {@link #terminate}: idempotent, and the first caller wins, whether it is the process's own
 * thread (its body returned or threw) or another thread delivering an exit signal.
 */
final class ProcessImpl extends Mailbox implements ProcessContext, Runnable {
    private static final Logger log = LoggerFactory.getLogger("dev.cohort.process");

    final Node node;
    final Pid pid;
    private final ProcessBody body;
    /** A borrowed mailbox serves a non-process thread for one call; it is never interrupted. */
    private final boolean borrowed;

    private volatile ExitReason exitReason;
    private volatile boolean trapExit;
    /** Linked pids; null until the first link. Guarded by this. */
    private Set<Pid> links;
    /** Monitors on this process: ref to watcher. Guarded by this. */
    private Map<Ref, Pid> watchers;
    /** Monitors this process holds: ref to target. Guarded by this. */
    private Map<Ref, Pid> watching;
    /** The call this process is waiting on; replies to other refs are dropped. */
    volatile Ref pendingCall;
    /** The locally registered name, if any. Guarded by node's name lock. */
    String registeredName;
    /** Calls this process made (owned by the process; samples which calls are timed). */
    int callsMade;
    /** What the process says it is ({@link #setLabel}); null if nothing. */
    volatile String label;

    ProcessImpl(Node node, long id, ProcessBody body, Thread borrower) {
        this.node = node;
        this.pid = new Pid(node.name(), node.creation(), id, this);
        this.body = body;
        this.borrowed = borrower != null;
        if (borrower != null) owner = borrower;
    }

    // ---------------------------------------------------------------- running

    @Override
    public void run() {
        owner = Thread.currentThread();
        ExitReason reason = ExitReason.NORMAL;
        try {
            body.run(this);
        } catch (ProcessExit e) {
            reason = e.reason();
        } catch (Throwable t) {
            reason = new ExitReason.Crashed(t);
        }
        if (terminate(reason)) report(reason);
    }

    private void report(ExitReason reason) {
        if (reason instanceof ExitReason.Crashed c) {
            log.error("process {} crashed: {}", describe(), c.exception().toString(), c.exception());
        } else if (reason instanceof ExitReason.Custom) {
            log.warn("process {} exited: {}", describe(), reason);
        }
    }

    String describe() {
        String name = registeredName;
        return name == null ? pid.toString() : name + " " + pid;
    }

    boolean isAlive() { return exitReason == null; }

    ExitReason exitReason() { return exitReason; }

    @Override
    void checkAlive() {
        ExitReason r = exitReason;
        if (r != null) throw new ProcessExit(r);
    }

    // ---------------------------------------------------------------- delivery

    /** Delivers a message unless the process has ended or it is a reply nobody waits for. */
    void deliver(Object msg) {
        if (exitReason != null) return;
        if (msg instanceof Reply r && !r.ref().equals(pendingCall)) return;
        enqueue(msg);
    }

    /**
     * An exit signal from {@code from}. {@code fromLink}: the signal of a linked process that
     * ended (reason {@code kill} never travels on a link; it arrives as {@code killed}).
     */
    void exitSignal(Pid from, ExitReason reason, boolean fromLink) {
        if (reason instanceof ExitReason.Kill && !fromLink) {
            terminate(ExitReason.KILLED);
        } else if (trapExit) {
            deliver(new Exit(from, reason));
        } else if (reason instanceof ExitReason.Normal) {
            if (!fromLink && from.equals(pid)) terminate(reason);
        } else {
            terminate(reason);
        }
    }

    /** A linked process ended; ignored if the link was removed meanwhile. */
    void linkedExit(Pid from, ExitReason reason) {
        synchronized (this) {
            if (links == null || !links.remove(from)) return;
        }
        exitSignal(from, reason, true);
    }

    // ---------------------------------------------------------------- ending

    /**
     * Ends the process with {@code reason} if it has not ended yet: frees its name, fires its
     * links and monitors, and wakes its thread so it unwinds.
     *
     * @return {@code true} for the call that ended it
     */
    boolean terminate(ExitReason reason) {
        Set<Pid> ls;
        Map<Ref, Pid> ws;
        Map<Ref, Pid> mine;
        synchronized (this) {
            if (exitReason != null) return false;
            exitReason = reason;
            ls = links;
            ws = watchers;
            mine = watching;
            links = null;
            watchers = null;
            watching = null;
        }
        node.removeProcess(this);
        Thread t = owner;
        if (!borrowed && t != null && t != Thread.currentThread()) {
            t.interrupt();
            wake();
        }
        ExitReason linkReason = reason instanceof ExitReason.Kill ? ExitReason.KILLED : reason;
        if (ls != null) for (Pid p : ls) node.linkedExit(p, pid, linkReason);
        if (ws != null) for (var w : ws.entrySet()) node.monitorFired(w.getValue(), new Down(w.getKey(), pid, reason));
        if (mine != null) for (var m : mine.entrySet()) node.removeWatcher(m.getValue(), m.getKey());
        if (!reason.isOrderly() && log.isDebugEnabled()) log.debug("process {} ended: {}", describe(), reason);
        return true;
    }

    // ---------------------------------------------------------------- links and monitors

    /** Adds {@code other} to this side's links; {@code false} if this process has ended. */
    synchronized boolean addLink(Pid other) {
        if (exitReason != null) return false;
        if (links == null) links = new HashSet<>(4);
        links.add(other);
        return true;
    }

    synchronized void removeLink(Pid other) {
        if (links != null) links.remove(other);
    }

    /** Adds a watcher; {@code false} if this process has ended (the caller then sends noproc). */
    synchronized boolean addWatcher(Ref ref, Pid watcher) {
        if (exitReason != null) return false;
        if (watchers == null) watchers = new java.util.LinkedHashMap<>(4); // Downs fire in the order the monitors were made
        watchers.put(ref, watcher);
        return true;
    }

    synchronized boolean removeWatcher(Ref ref) {
        return watchers != null && watchers.remove(ref) != null;
    }

    synchronized void addWatching(Ref ref, Pid target) {
        if (exitReason != null) return;
        if (watching == null) watching = new HashMap<>(4);
        watching.put(ref, target);
    }

    /**
     * Delivers the Down of a monitor this process still holds, atomically with forgetting the
     * monitor: a {@code demonitor} that wins the race means no Down ever arrives; one that loses
     * (returns false) finds the Down already in the mailbox, so {@code demonitorFlush} removes it.
     */
    synchronized void fired(Down down) {
        if (watching != null && watching.remove(down.ref()) != null) deliver(down);
    }

    synchronized Pid removeWatching(Ref ref) {
        return watching == null ? null : watching.remove(ref);
    }

    synchronized Set<Pid> linksSnapshot() {
        return links == null ? Set.of() : Set.copyOf(links);
    }

    synchronized int monitorCount() {
        return (watchers == null ? 0 : watchers.size()) + (watching == null ? 0 : watching.size());
    }

    // ---------------------------------------------------------------- ProcessContext

    @Override public Pid self() { return pid; }

    @Override public Node node() { return node; }

    @Override
    public Object receive() {
        return take(null, -1, false);
    }

    @Override
    public Optional<Object> receive(Duration timeout) {
        return receive(null, timeout);
    }

    @Override
    public Object receive(Predicate<Object> match) {
        return take(match, -1, false);
    }

    @Override
    public Optional<Object> receive(Predicate<Object> match, Duration timeout) {
        Object m = take(match, timeoutNanos(timeout), false);
        return m == NONE ? Optional.empty() : Optional.of(m);
    }

    static long timeoutNanos(Duration timeout) {
        if (timeout.isNegative()) throw new IllegalArgumentException("timeout must not be negative: " + timeout);
        try {
            return timeout.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE / 2;
        }
    }

    @Override public Pid spawn(ProcessBody body) { return node.spawn(body); }

    @Override public Pid spawnLink(ProcessBody body) { return node.spawn(body, this, null).pid(); }

    @Override public Spawned spawnMonitor(ProcessBody body) { return node.spawn(body, null, this); }

    @Override public void link(Pid other) { node.link(this, other); }

    @Override
    public void unlink(Pid other) {
        removeLink(other);
        node.removeLinkOf(other, pid);
    }

    @Override public Ref monitor(Pid target) { return node.monitor(this, target); }
    @Override public Ref monitor(Address target) { return node.monitor(this, target); }

    @Override public boolean demonitor(Ref ref) { return node.demonitor(this, ref); }

    @Override
    public boolean demonitorFlush(Ref ref) {
        boolean active = node.demonitor(this, ref);
        removeAll(m -> m instanceof Down d && d.ref().equals(ref));
        return active;
    }

    @Override
    public boolean trapExit(boolean trap) {
        boolean old = trapExit;
        trapExit = trap;
        return old;
    }

    @Override public boolean isTrappingExits() { return trapExit; }

    @Override
    public ProcessExit exit(ExitReason reason) {
        throw new ProcessExit(reason);
    }

    @Override public void exit(Pid target, ExitReason reason) { node.exitSignal(pid, target, reason); }

    @Override public void register(String name) { node.register(name, pid); }

    @Override public TimerRef sendAfter(Address to, Object message, Duration delay) { return node.sendAfter(to, message, delay); }

    @Override public int messageQueueLength() { return queueLength(); }

    @Override public void setLabel(String label) { this.label = label; }

    /**
     * Where the process is now: the innermost frame of its stack outside the JDK and the
     * runtime's own process and server loops (those show only when nothing else is on the
     * stack), as {@code Class.method:line}; null if it has not started or has no frame.
     */
    String currentFunction() {
        Thread t = owner;
        if (t == null || borrowed) return null;
        StackTraceElement fallback = null;
        for (StackTraceElement e : t.getStackTrace()) {
            String c = e.getClassName();
            if (c.startsWith("java.") || c.startsWith("jdk.") || c.startsWith("sun.") || c.startsWith("dev.cohort.process.")) continue;
            if (c.startsWith("dev.cohort.server.")) {
                if (fallback == null) fallback = e;
                continue;
            }
            return frame(e);
        }
        return fallback == null ? null : frame(fallback);
    }

    private static String frame(StackTraceElement e) {
        String c = e.getClassName();
        return c.substring(c.lastIndexOf('.') + 1) + "." + e.getMethodName() + (e.getLineNumber() > 0 ? ":" + e.getLineNumber() : "");
    }

    @Override public void send(Address to, Object message) { node.send(to, message); }

    @Override public <R> R call(Address server, Object request, Duration timeout) { return node.callFrom(this, server, request, timeout); }

    @Override public String toString() { return "Process" + pid; }
}
