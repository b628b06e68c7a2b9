package dev.cohort.process;

import dev.cohort.time.Clock;
import dev.cohort.time.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * A Cohort node: the runtime that owns a set of processes, their local names and timers.
 * Build one with {@link #builder()} (or {@link #start()} for defaults); a JVM may run several
 * nodes with distinct names.
 *
 * <p>Each process is a virtual thread with its own mailbox. {@link #send} never blocks;
 * {@link #call} works from processes and from plain threads alike (a plain thread borrows a
 * short-lived mailbox for the call).
 *
 * <p>A pid of another node is handed to the node's {@link RemoteNodes} (the cluster layer);
 * without one, a message to it is dropped and a monitor or link on it fires at once with
 * {@code noconnection}.
 */
public final class Node implements Messenger, AutoCloseable {
    private static final Pattern NODE_NAME = Pattern.compile("[A-Za-z0-9_.-]+@[A-Za-z0-9_.:\\[\\]-]+");

    private final String name;
    private final long creation;
    private final Clock clock;
    private final Scheduler scheduler;
    private final ThreadFactory threads = Thread.ofVirtual().factory();
    private final ConcurrentHashMap<Pid, ProcessImpl> processes = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, ProcessImpl> names = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong();
    private final AtomicLong nextRef = new AtomicLong();
    private final Pid systemPid;
    private volatile RemoteNodes remote = RemoteNodes.NONE;
    private volatile Telemetry telemetry = Telemetry.NONE;
    private final RemoteSignals remoteSignals = new RemoteSignals(this);

    private Node(Builder b) {
        this.name = b.name;
        this.creation = b.creation != 0 ? b.creation : ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
        this.clock = b.clock;
        this.scheduler = b.scheduler;
        this.systemPid = new Pid(name, creation, 0);
    }

    /** A builder for a node. */
    public static Builder builder() { return new Builder(); }

    /** A node named {@code nonode@nohost} with the system clock and scheduler. */
    public static Node start() { return builder().build(); }

    /** {@code NAME@HOST}. */
    public String name() { return name; }

    /** This incarnation's number, part of every pid and ref it makes. */
    public long creation() { return creation; }

    /** The clock used for restart intensity and timers. */
    public Clock clock() { return clock; }

    /** The scheduler used for timers. */
    public Scheduler scheduler() { return scheduler; }

    /** The pid that signals from outside any process carry as their sender ({@code <node.0>}). */
    public Pid systemPid() { return systemPid; }

    // ---------------------------------------------------------------- spawning

    /** Starts a process. */
    public Pid spawn(ProcessBody body) {
        return spawn(body, null, null).pid();
    }

    Spawned spawn(ProcessBody body, ProcessImpl linkTo, ProcessImpl watcher) {
        Objects.requireNonNull(body, "body");
        ProcessImpl p = new ProcessImpl(this, nextId.incrementAndGet(), body, null);
        processes.put(p.pid, p);
        if (linkTo != null) {
            p.addLink(linkTo.pid);
            linkTo.addLink(p.pid);
        }
        Ref ref = null;
        if (watcher != null) {
            ref = makeRef();
            watcher.addWatching(ref, p.pid);
            p.addWatcher(ref, watcher.pid);
        }
        Thread t = threads.newThread(p);
        p.owner = t;
        t.start();
        return new Spawned(p.pid, ref);
    }

    /** A new reference, unique for this node incarnation. */
    public Ref makeRef() {
        return new Ref(name, creation, nextRef.incrementAndGet());
    }

    // ---------------------------------------------------------------- lookup

    /** The local process of {@code pid}, or null if it is not local or not alive. */
    ProcessImpl local(Pid pid) {
        ProcessImpl p = pid.local;
        if (p == null) {
            if (pid.creation() != creation || !pid.node().equals(name)) return null;
            p = processes.get(pid);
        }
        return p != null && p.isAlive() && p.node == this ? p : null;
    }

    private boolean isLocalNode(Pid pid) {
        return pid.node().equals(name);
    }

    /** Whether {@code pid} is a live process of this node. */
    public boolean isAlive(Pid pid) {
        return local(pid) != null;
    }

    /**
     * Resolves an address to a pid, or null if nothing is registered there now. A name on
     * another node ({@link Address.Remote}) is not resolved here (that would need a round
     * trip): it resolves to null, while {@link #send} and {@link #call} deliver to it.
     */
    public Pid resolve(Address address) {
        return switch (address) {
            case Pid p -> p;
            case Address.Name n -> whereis(n.name());
            case Address.Remote r -> r.node().equals(name) ? whereis(r.name()) : null;
            case Address.Via v -> v.resolver().whereis(v.key());
        };
    }

    /** The address a message to {@code to} goes to: a {@link Pid}, a name on another node, or null. */
    private Address target(Address to) {
        if (to instanceof Pid p) return p;
        if (to instanceof Address.Remote r && !r.node().equals(name)) return r;
        return resolve(to);
    }

    /** Stands for the unknown process behind a name on another node in monitors and Downs. */
    static Pid placeholderOn(String node) {
        return new Pid(node, 0, 0);
    }

    /** Number of live processes on this node. */
    public int processCount() { return processes.size(); }

    /** The pids of the live processes on this node (a snapshot). */
    public List<Pid> processes() {
        List<Pid> out = new ArrayList<>(processes.size());
        for (ProcessImpl p : processes.values()) out.add(p.pid);
        return out;
    }

    /** A snapshot of one local process for observers, or empty if it is not alive. */
    public java.util.Optional<ProcessInfo> info(Pid pid) {
        ProcessImpl p = local(pid);
        if (p == null) return java.util.Optional.empty();
        return java.util.Optional.of(new ProcessInfo(p.pid, p.registeredName, p.queueLength(),
                p.linksSnapshot(), p.monitorCount(), p.isTrappingExits(), p.label, p.received, p.isWaiting()));
    }

    /**
     * Where a local process is now, as {@code Class.method:line} (Erlang's
     * {@code current_function}), read from its stack; empty if it is not alive or has no frame
     * of its own yet. Costs a stack walk: for observers looking at a few processes, not for
     * every process every second.
     */
    public java.util.Optional<String> currentFunction(Pid pid) {
        ProcessImpl p = local(pid);
        return p == null ? java.util.Optional.empty() : java.util.Optional.ofNullable(p.currentFunction());
    }

    /** Installs the hooks the runtime calls on calls and restarts ({@link Telemetry#NONE} removes them). */
    public void telemetry(Telemetry telemetry) {
        this.telemetry = Objects.requireNonNull(telemetry, "telemetry");
    }

    /** The installed hooks ({@link Telemetry#NONE} if none). */
    public Telemetry telemetry() { return telemetry; }

    // ---------------------------------------------------------------- messaging

    @Override
    public void send(Address to, Object message) {
        Objects.requireNonNull(message, "message");
        Address target = target(to);
        if (!(target instanceof Pid pid)) {
            if (target instanceof Address.Remote r) remote.sendNamed(r.node(), r.name(), message);
            return;
        }
        ProcessImpl p = pid.local;
        if (p != null && p.node == this) {
            p.deliver(message);
        } else if (isLocalNode(pid)) {
            p = local(pid);
            if (p != null) p.deliver(message);
        } else {
            remote.send(pid, message);
        }
    }

    /**
     * Calls from outside any process: the calling thread borrows a short-lived mailbox (a pid
     * of its own) for the call. Inside a process, call through its {@link ProcessContext}.
     */
    @Override
    public <R> R call(Address server, Object request, Duration timeout) {
        ProcessImpl borrowed = new ProcessImpl(this, nextId.incrementAndGet(), null, Thread.currentThread());
        processes.put(borrowed.pid, borrowed);
        try {
            return callFrom(borrowed, server, request, timeout);
        } catch (ProcessExit e) {
            throw new CallException(server, e.reason(), "the calling thread's mailbox was ended: " + e.reason());
        } finally {
            borrowed.terminate(ExitReason.NORMAL);
        }
    }

    @SuppressWarnings("unchecked")
    <R> R callFrom(ProcessImpl self, Address server, Object request, Duration timeout) {
        Objects.requireNonNull(request, "request");
        long nanos = ProcessImpl.timeoutNanos(timeout);
        Address target = target(server);
        if (target == null) throw new CallException(server, ExitReason.NOPROC, "no process registered as " + server);
        Ref ref = makeRef();
        Telemetry hooks = telemetry;
        // one call in Telemetry.SAMPLE of each process is timed: two clock reads on every call
        // would cost a fast local call a sixth of its time
        long sent = hooks == Telemetry.NONE || (self.callsMade++ & (Telemetry.SAMPLE - 1)) != 0 ? 0 : System.nanoTime();
        self.pendingCall = ref;
        Object m;
        try {
            startCall(self, target, ref, request);
            // Only messages sent after this call began can match, so the save queue is skipped.
            m = self.take(msg -> msg instanceof Reply r ? r.ref().equals(ref)
                    : msg instanceof Down d && d.ref().equals(ref), nanos == 0 ? 1 : nanos, true);
        } finally {
            self.pendingCall = null;
        }
        if (m instanceof Reply r) {
            if (sent != 0) hooks.callCompleted(System.nanoTime() - sent, !(target instanceof Pid p && p.node().equals(name)));
            self.demonitorFlush(ref);
            return (R) r.value();
        }
        if (m instanceof Down d) {
            String what = switch (d.reason()) {
                case ExitReason.NoProc n -> target instanceof Pid p
                        ? "no process " + p + (server instanceof Pid ? "" : " (" + server + ")")
                        : "no process registered as " + server;
                case ExitReason.NoConnection n -> "node " + d.pid().node() + " is not connected";
                default -> "server " + d.pid() + " exited during the call: " + d.reason();
            };
            throw new CallException(server, d.reason(), what);
        }
        self.demonitorFlush(ref);
        throw new CallTimeoutException(server, timeout);
    }

    /** Monitors the server under {@code ref} and sends it the call; a remote call does both in one frame. */
    private void startCall(ProcessImpl self, Address target, Ref ref, Object request) {
        From from = new From(self.pid, ref, this);
        switch (target) {
            case Pid pid when isLocalNode(pid) -> {
                monitorLocal(self, pid, ref);
                send(pid, new Call(from, request));
            }
            case Pid pid -> {
                self.addWatching(ref, pid);
                if (!remote.call(self.pid, pid, ref, request)) {
                    self.removeWatching(ref);
                    self.deliver(new Down(ref, pid, ExitReason.NOCONNECTION));
                }
            }
            case Address.Remote r -> {
                self.addWatching(ref, placeholderOn(r.node()));
                if (!remote.callNamed(self.pid, r.node(), r.name(), ref, request)) {
                    self.removeWatching(ref);
                    self.deliver(new Down(ref, placeholderOn(r.node()), ExitReason.NOCONNECTION));
                }
            }
            default -> throw new IllegalStateException("unresolved call target " + target);
        }
    }

    /** Sends {@code message} to {@code to} after {@code delay}. */
    public TimerRef sendAfter(Address to, Object message, Duration delay) {
        Objects.requireNonNull(message, "message");
        return new TimerRef(scheduler.schedule(delay, () -> send(to, message)));
    }

    // ---------------------------------------------------------------- exit signals

    /**
     * Sends an exit signal as the node itself: its sender is {@link #systemPid()}, the parent
     * of servers started from outside any process. See {@link ProcessContext#exit(Pid, ExitReason)}.
     */
    public void exit(Pid target, ExitReason reason) {
        exitSignal(systemPid, target, reason);
    }

    void exitSignal(Pid from, Pid target, ExitReason reason) {
        Objects.requireNonNull(reason, "reason");
        if (isLocalNode(target)) {
            ProcessImpl p = local(target);
            if (p != null) p.exitSignal(from, reason, false);
        } else {
            remote.exitSignal(from, target, reason);
        }
    }

    void linkedExit(Pid target, Pid from, ExitReason reason) {
        if (isLocalNode(target)) {
            ProcessImpl p = local(target);
            if (p != null) p.linkedExit(from, reason);
        } else {
            remote.linkedExit(from, target, reason);
        }
    }

    // ---------------------------------------------------------------- links and monitors

    void link(ProcessImpl self, Pid other) {
        if (other.equals(self.pid)) return;
        if (isLocalNode(other)) {
            ProcessImpl o = local(other);
            if (o == null || !o.addLink(self.pid)) {
                self.exitSignal(other, ExitReason.NOPROC, false);
                return;
            }
            if (!self.addLink(other)) o.removeLink(self.pid);
        } else if (remote.link(self.pid, other)) {
            self.addLink(other);
        } else {
            self.exitSignal(other, ExitReason.NOCONNECTION, false);
        }
    }

    void removeLinkOf(Pid target, Pid linked) {
        if (isLocalNode(target)) {
            ProcessImpl o = local(target);
            if (o != null) o.removeLink(linked);
        } else {
            remote.unlink(linked, target);
        }
    }

    Ref monitor(ProcessImpl watcher, Address address) {
        Objects.requireNonNull(address, "target");
        Address resolved = target(address);
        if (resolved instanceof Address.Remote r) {
            Ref ref = makeRef();
            Pid placeholder = placeholderOn(r.node());
            watcher.addWatching(ref, placeholder);
            if (!remote.monitorNamed(watcher.pid, r.node(), r.name(), ref)) {
                watcher.removeWatching(ref);
                watcher.deliver(new Down(ref, placeholder, ExitReason.NOCONNECTION));
            }
            return ref;
        }
        if (resolved == null) {
            // Erlang: monitoring a name that is not registered gives an immediate Down(noproc)
            Ref ref = makeRef();
            watcher.deliver(new Down(ref, placeholderOn(name), ExitReason.NOPROC));
            return ref;
        }
        return monitor(watcher, (Pid) resolved);
    }

    Ref monitor(ProcessImpl watcher, Pid target) {
        Objects.requireNonNull(target, "target");
        Ref ref = makeRef();
        if (isLocalNode(target)) {
            monitorLocal(watcher, target, ref);
        } else {
            watcher.addWatching(ref, target);
            if (!remote.monitor(watcher.pid, target, ref)) {
                watcher.removeWatching(ref);
                watcher.deliver(new Down(ref, target, ExitReason.NOCONNECTION));
            }
        }
        return ref;
    }

    private void monitorLocal(ProcessImpl watcher, Pid target, Ref ref) {
        ProcessImpl t = local(target);
        watcher.addWatching(ref, target);
        if (t == null || !t.addWatcher(ref, watcher.pid)) {
            watcher.removeWatching(ref);
            watcher.deliver(new Down(ref, target, ExitReason.NOPROC));
        }
    }

    /**
     * A monitor fired: a local watcher forgets it and gets its Down, unless it removed the monitor
     * first (then no Down arrives, as Erlang's {@code demonitor} promises).
     */
    void monitorFired(Pid watcher, Down down) {
        if (isLocalNode(watcher)) {
            ProcessImpl w = local(watcher);
            if (w != null) w.fired(down);
        } else {
            remote.send(watcher, down);
        }
    }

    boolean demonitor(ProcessImpl watcher, Ref ref) {
        Pid target = watcher.removeWatching(ref);
        if (target == null) return false;
        removeWatcher(target, ref);
        return true;
    }

    void removeWatcher(Pid target, Ref ref) {
        if (isLocalNode(target)) {
            ProcessImpl t = local(target);
            if (t != null) t.removeWatcher(ref);
        } else {
            remote.demonitor(target, ref);
        }
    }

    // ---------------------------------------------------------------- local names

    /**
     * Registers {@code pid} under {@code name} on this node (Erlang's {@code register/2}).
     * The name is freed when the process ends.
     *
     * @throws IllegalArgumentException if the name is taken, the pid is not a live local
     *         process, or it already has a name
     */
    public void register(String name, Pid pid) {
        checkName(name, "a registered name");
        ProcessImpl p = local(pid);
        if (p == null) throw new IllegalArgumentException("cannot register " + name + ": " + pid + " is not a live process of " + this.name);
        synchronized (names) {
            ProcessImpl holder = names.get(name);
            if (holder != null && holder.isAlive()) {
                throw new IllegalArgumentException("name " + name + " is already registered to " + holder.pid);
            }
            if (p.registeredName != null) {
                throw new IllegalArgumentException(pid + " is already registered as " + p.registeredName);
            }
            names.put(name, p);
            p.registeredName = name;
            if (!p.isAlive()) {
                names.remove(name, p);
                throw new IllegalArgumentException("cannot register " + name + ": " + pid + " ended");
            }
        }
    }

    /** The longest name a process may be registered under, in UTF-8 bytes; global names and child ids share it. */
    public static final int MAX_NAME_BYTES = 1024;

    /**
     * Checks a name that will travel: not null, not blank, at most {@link #MAX_NAME_BYTES} UTF-8 bytes.
     *
     * @param what how the error names it ("a registered name", "a child id")
     * @throws IllegalArgumentException saying which rule the name breaks
     */
    public static void checkName(String name, String what) {
        Objects.requireNonNull(name, what);
        if (name.isBlank()) throw new IllegalArgumentException(what + " must not be blank");
        if (name.length() > MAX_NAME_BYTES / 3) {
            int bytes = name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            if (bytes > MAX_NAME_BYTES) {
                throw new IllegalArgumentException(what + " must be at most " + MAX_NAME_BYTES + " UTF-8 bytes, got " + bytes
                        + " (" + name.substring(0, 40) + "...)");
            }
        }
    }

    /** Removes a name; {@code false} if it was not registered. */
    public boolean unregister(String name) {
        synchronized (names) {
            ProcessImpl p = names.remove(name);
            if (p == null) return false;
            p.registeredName = null;
            return true;
        }
    }

    /** The live process registered under {@code name}, or null. Never blocks. */
    public Pid whereis(String name) {
        ProcessImpl p = names.get(name);
        return p != null && p.isAlive() ? p.pid : null;
    }

    /** The names registered on this node (a snapshot). */
    public Map<String, Pid> registered() {
        Map<String, Pid> out = new java.util.TreeMap<>();
        names.forEach((n, p) -> { if (p.isAlive()) out.put(n, p.pid); });
        return out;
    }

    void removeProcess(ProcessImpl p) {
        processes.remove(p.pid, p);
        if (p.registeredName != null) {
            synchronized (names) {
                if (p.registeredName != null) {
                    names.remove(p.registeredName, p);
                }
            }
        }
    }

    // ---------------------------------------------------------------- cluster hook

    /** Installs the cluster layer that carries messages and signals to other nodes. */
    public void attach(RemoteNodes remoteNodes) {
        this.remote = Objects.requireNonNull(remoteNodes, "remoteNodes");
    }

    /** The cluster layer in use ({@link RemoteNodes#NONE} without a cluster). */
    public RemoteNodes remoteNodes() { return remote; }

    /** Where the cluster layer hands over what arrives from other nodes. */
    public RemoteSignals remoteSignals() { return remoteSignals; }

    void deliverFromRemote(Pid to, Object message) {
        ProcessImpl p = local(to);
        if (p != null) p.deliver(message);
    }

    // ---------------------------------------------------------------- shutdown

    /**
     * Ends every process of this node with reason {@code kill} and waits (up to
     * {@code timeout}) until their threads have unwound. For tests and orderly JVM exit;
     * supervised applications should stop their top supervisor first.
     */
    public void shutdown(Duration timeout) {
        List<ProcessImpl> all = new ArrayList<>(processes.values());
        for (ProcessImpl p : all) p.terminate(ExitReason.KILLED);
        long deadline = System.nanoTime() + timeout.toNanos();
        for (ProcessImpl p : all) {
            Thread t = p.owner;
            if (t == null || !t.isVirtual()) continue;
            long left = deadline - System.nanoTime();
            if (left <= 0) break;
            try {
                t.join(Duration.ofNanos(left));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** {@link #shutdown(Duration)} with 5 seconds. */
    @Override
    public void close() {
        shutdown(Duration.ofSeconds(5));
    }

    @Override
    public String toString() { return "Node[" + name + "]"; }

    /** Builds a {@link Node}. */
    public static final class Builder {
        private String name = "nonode@nohost";
        private long creation;
        private Clock clock = Clock.system();
        private Scheduler scheduler = Scheduler.system();

        private Builder() {}

        /** The node name, {@code NAME@HOST} (default {@code nonode@nohost}). */
        public Builder name(String name) {
            if (name == null || !NODE_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("node name must look like NAME@HOST (e.g. gotham@127.0.0.1), got: " + name);
            }
            this.name = name;
            return this;
        }

        /** The incarnation number (default: random, non-zero). */
        public Builder creation(long creation) {
            this.creation = creation;
            return this;
        }

        /** The clock for restart intensity (default: system). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock);
            return this;
        }

        /** The scheduler for timers (default: one daemon thread). */
        public Builder scheduler(Scheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler);
            return this;
        }

        /** Builds and starts the node. */
        public Node build() { return new Node(this); }
    }
}
