package dev.cohort.cluster.internal.routing;

import dev.cohort.cluster.FromNode;
import dev.cohort.cluster.TrafficCount;
import dev.cohort.cluster.wire.Frame;
import dev.cohort.cluster.wire.FrameCodec;
import dev.cohort.cluster.wire.FrameException;
import dev.cohort.cluster.wire.RemoteException;
import dev.cohort.cluster.wire.Serializer;
import dev.cohort.process.Call;
import dev.cohort.process.Cast;
import dev.cohort.process.Down;
import dev.cohort.process.ExitReason;
import dev.cohort.process.Node;
import dev.cohort.process.Pid;
import dev.cohort.process.Ref;
import dev.cohort.process.RemoteNodes;
import dev.cohort.process.RemoteSignals;
import dev.cohort.process.Reply;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Location transparency for one node: turns what the local {@link Node} sends to other
 * nodes into {@link Frame}s on a {@link Transport}, and frames that arrive into local
 * deliveries through {@link RemoteSignals}.
 *
 * <p>It remembers every link and monitor that crosses to another node, so that when a node
 * is lost ({@link #nodeDown}) every local watcher of its processes gets
 * {@code Down(noconnection)} and every local process linked to one of them gets an exit
 * signal {@code noconnection}, as Erlang does. Pending calls monitor their server, so they
 * fail at once too.
 *
 * <p>Bad input never escapes: a frame that does not decode, or a payload the serializer
 * refuses, is dropped with one log line and nothing else is affected. A message the
 * serializer cannot write is dropped with one log line, like a message to a dead process.
 */
public final class FrameRouter implements RemoteNodes, dev.cohort.cluster.global.GlobalNames.Network {
    private static final Logger log = LoggerFactory.getLogger(FrameRouter.class);

    private record Monitor(Pid watcher, Pid target) {}
    private record Link(Pid local, Pid remote) {}

    private final Node node;
    private final RemoteSignals signals;
    private final Set<Pid> withOrigin = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final FrameCodec codec;
    private final Serializer serializer;
    private final Transport transport;
    private volatile java.util.function.BiConsumer<String, Frame.Global> globalHandler = (from, f) -> {};
    /** Monitors held by local watchers on processes of each remote node. */
    private final Map<String, Map<Ref, Monitor>> monitors = new ConcurrentHashMap<>();
    /** Monitors that watchers on each remote node hold on local processes: ref to target. */
    private final Map<String, Map<Ref, Pid>> watchedHere = new ConcurrentHashMap<>();
    /** Links between local processes and processes of each remote node. */
    private final Map<String, Set<Link>> links = new ConcurrentHashMap<>();

    public FrameRouter(Node node, Serializer serializer, Transport transport) {
        this(node, serializer, new FrameCodec(serializer), transport);
    }

    public FrameRouter(Node node, Serializer serializer, FrameCodec codec, Transport transport) {
        this.node = node;
        this.signals = node.remoteSignals();
        this.serializer = serializer;
        this.codec = codec;
        this.transport = transport;
    }

    // ------------------------------------------------------------------ outbound (RemoteNodes)

    @Override
    public void send(Pid to, Object message) {
        Frame f;
        try {
            f = switch (message) {
                case Reply r -> {
                    // a reply from the server's node ends the monitor its call frame set up
                    Map<Ref, Pid> w = watchedHere.get(to.node());
                    Pid server = w == null ? null : w.remove(r.ref());
                    if (server != null) signals.demonitor(server, r.ref());
                    yield new Frame.Reply(to, r.ref(), serializer.serialize(sendable(r.value())));
                }
                case Call c -> new Frame.Call(to, c.from().caller(), c.from().ref(), serializer.serialize(c.request()));
                case Cast c -> new Frame.Cast(to, serializer.serialize(c.request()));
                case Down d -> {
                    Map<Ref, Pid> w = watchedHere.get(to.node());
                    if (w != null) w.remove(d.ref());
                    yield new Frame.Down(to, d.ref(), d.pid(), d.reason());
                }
                default -> new Frame.Send(to, serializer.serialize(message));
            };
        } catch (IllegalArgumentException e) {
            log.warn("dropped a message to {}: {}", to, e.getMessage());
            return;
        }
        transmit(to.node(), f);
    }

    /**
     * A reply as it can travel: an exception (a server's error reply) goes as a
     * {@link RemoteException} holding its class name and message, since exceptions themselves do
     * not serialize (their cause points at themselves); anything else as it is.
     */
    static Object sendable(Object reply) {
        if (reply instanceof RemoteException || !(reply instanceof Throwable t)) return reply;
        return new RemoteException(t.getClass().getName(), t.getMessage());
    }

    @Override
    public void sendNamed(String toNode, String name, Object message) {
        byte[] payload;
        try {
            payload = serializer.serialize(message instanceof Cast c ? c.request() : message);
        } catch (IllegalArgumentException e) {
            log.warn("dropped a message to {{}, {}}: {}", name, toNode, e.getMessage());
            return;
        }
        if (message instanceof Cast) {
            // a cast to a name travels as a message wrapped on arrival, like a cast to a pid
            transmit(toNode, new Frame.SendNamed(name, castMarker(payload)));
        } else {
            transmit(toNode, new Frame.SendNamed(name, plainMarker(payload)));
        }
    }

    @Override
    public boolean call(Pid caller, Pid server, Ref ref, Object request) {
        if (!transport.isConnected(server.node())) return false;
        byte[] bytes;
        try {
            bytes = serializer.serialize(request);
        } catch (IllegalArgumentException e) {
            log.warn("dropped a call to {}: {}", server, e.getMessage());
            return true; // the caller times out, as with a message to a dead process
        }
        monitors.computeIfAbsent(server.node(), n -> new ConcurrentHashMap<>()).put(ref, new Monitor(caller, server));
        transmit(server.node(), new Frame.Call(server, caller, ref, bytes));
        return true;
    }

    @Override
    public boolean callNamed(Pid caller, String toNode, String name, Ref ref, Object request) {
        if (!transport.isConnected(toNode)) return false;
        byte[] bytes;
        try {
            bytes = serializer.serialize(request);
        } catch (IllegalArgumentException e) {
            log.warn("dropped a call to {{}, {}}: {}", name, toNode, e.getMessage());
            return true;
        }
        monitors.computeIfAbsent(toNode, n -> new ConcurrentHashMap<>()).put(ref, new Monitor(caller, placeholderOn(toNode)));
        transmit(toNode, new Frame.CallNamed(name, caller, ref, bytes));
        return true;
    }

    @Override
    public boolean monitorNamed(Pid watcher, String toNode, String name, Ref ref) {
        if (!transport.isConnected(toNode)) return false;
        monitors.computeIfAbsent(toNode, n -> new ConcurrentHashMap<>()).put(ref, new Monitor(watcher, placeholderOn(toNode)));
        transmit(toNode, new Frame.MonitorNamed(watcher, name, ref));
        return true;
    }

    /** Stands for the process behind a name on {@code node} (the core does the same). */
    private static Pid placeholderOn(String node) {
        return new Pid(node, 0, 0);
    }

    private static final byte PLAIN = 0, CAST = 1;

    private static byte[] plainMarker(byte[] payload) { return prefixed(PLAIN, payload); }

    private static byte[] castMarker(byte[] payload) { return prefixed(CAST, payload); }

    private static byte[] prefixed(byte tag, byte[] payload) {
        byte[] out = new byte[payload.length + 1];
        out[0] = tag;
        System.arraycopy(payload, 0, out, 1, payload.length);
        return out;
    }

    @Override
    public void exitSignal(Pid from, Pid to, ExitReason reason) {
        transmit(to.node(), new Frame.Exit(from, to, reason, false));
    }

    @Override
    public void linkedExit(Pid from, Pid to, ExitReason reason) {
        forgetLink(to.node(), new Link(from, to));
        transmit(to.node(), new Frame.Exit(from, to, reason, true));
    }

    @Override
    public boolean link(Pid local, Pid remote) {
        if (!transport.isConnected(remote.node())) return false;
        links.computeIfAbsent(remote.node(), n -> ConcurrentHashMap.newKeySet()).add(new Link(local, remote));
        transmit(remote.node(), new Frame.Link(local, remote));
        return true;
    }

    @Override
    public void unlink(Pid local, Pid remote) {
        forgetLink(remote.node(), new Link(local, remote));
        transmit(remote.node(), new Frame.Unlink(local, remote));
    }

    @Override
    public boolean monitor(Pid watcher, Pid target, Ref ref) {
        if (!transport.isConnected(target.node())) return false;
        monitors.computeIfAbsent(target.node(), n -> new ConcurrentHashMap<>()).put(ref, new Monitor(watcher, target));
        transmit(target.node(), new Frame.Monitor(watcher, target, ref));
        return true;
    }

    @Override
    public void demonitor(Pid target, Ref ref) {
        Map<Ref, Monitor> m = monitors.get(target.node());
        // gone already: it fired, its node was lost, or the reply to its call ended it
        if (m == null || m.remove(ref) == null) return;
        transmit(target.node(), new Frame.Demonitor(target, ref));
    }

    private void transmit(String toNode, Frame f) {
        byte[] bytes;
        try {
            bytes = codec.encode(f);
        } catch (IllegalArgumentException e) {
            log.warn("dropped a frame to {}: {}", toNode, e.getMessage());
            return;
        }
        trafficWith(toNode).out(bytes.length);
        transport.send(toNode, bytes);
    }

    private final Map<String, Traffic> traffic = new ConcurrentHashMap<>();

    private Traffic trafficWith(String other) {
        Traffic t = traffic.get(other);
        return t != null ? t : traffic.computeIfAbsent(other, x -> new Traffic());
    }

    /** Frames and bytes exchanged with each node since this node started (broadcasts not included). */
    public Map<String, TrafficCount> traffic() {
        Map<String, TrafficCount> out = new java.util.TreeMap<>();
        traffic.forEach((n, t) -> out.put(n, new TrafficCount(t.framesIn.sum(), t.framesOut.sum(), t.bytesIn.sum(), t.bytesOut.sum())));
        return out;
    }

    /** Counts of frames and bytes to and from one node. */

    private static final class Traffic {
        final java.util.concurrent.atomic.LongAdder framesIn = new java.util.concurrent.atomic.LongAdder(), framesOut = new java.util.concurrent.atomic.LongAdder(),
                bytesIn = new java.util.concurrent.atomic.LongAdder(), bytesOut = new java.util.concurrent.atomic.LongAdder();

        void in(int bytes) {
            framesIn.increment();
            bytesIn.add(bytes);
        }

        void out(int bytes) {
            framesOut.increment();
            bytesOut.add(bytes);
        }
    }

    /** Sends a global-name frame to {@code toNode}; to this node it is handled at once, on the caller's thread. */
    @Override
    public void sendGlobal(String toNode, Frame.Global frame) {
        if (toNode.equals(node.name())) {
            globalHandler.accept(toNode, frame);
        } else {
            transmit(toNode, frame);
        }
    }

    /** The coordinator of the current membership; see {@link Transport#coordinator()}. */
    @Override
    public String coordinator() { return transport.coordinator(); }

    /** Broadcasts a global-name frame to every node (this one too). */
    @Override
    public void broadcast(Frame.Global frame) {
        byte[] bytes;
        try {
            bytes = codec.encode(frame);
        } catch (IllegalArgumentException e) {
            log.warn("dropped a global-name frame: {}", e.getMessage());
            return;
        }
        transport.broadcast(bytes);
    }

    /** Where global-name frames go ({@code GlobalNames}); they arrive on the transport's thread, in order per sender. */
    @Override
    public void onGlobal(java.util.function.BiConsumer<String, Frame.Global> handler) {
        this.globalHandler = java.util.Objects.requireNonNull(handler);
    }

    /** The node this router serves. */
    @Override
    public Node node() { return node; }

    private void forgetLink(String remoteNode, Link link) {
        Set<Link> s = links.get(remoteNode);
        if (s != null) s.remove(link);
    }

    // ------------------------------------------------------------------ inbound

    /** Handles one frame from {@code fromNode}. Never throws for bad input. */
    public void onFrame(String fromNode, byte[] bytes) {
        trafficWith(fromNode).in(bytes == null ? 0 : bytes.length);
        Frame frame;
        try {
            frame = codec.decode(bytes);
            dispatch(fromNode, frame);
        } catch (FrameException e) {
            log.warn("dropped a frame of {} bytes from {}: {}", bytes == null ? 0 : bytes.length, fromNode, e.getMessage());
        }
    }

    /**
     * Identity rules: a frame may only name its sender's node as the source of anything (a
     * caller, a watcher, a linking or exiting process, a monitor's ref, the process whose
     * {@code Down} it reports), and only this node's processes as targets. A frame that breaks
     * one is dropped whole: no member can speak for another.
     */
    private static void check(boolean ok, String what) throws FrameException {
        if (!ok) throw new FrameException(what);
    }

    private void fromSender(String fromNode, Pid p, String role) throws FrameException {
        check(p.node().equals(fromNode), "its " + role + " " + p + " is not a process of the sending node " + fromNode);
    }

    private void fromSender(String fromNode, Ref r) throws FrameException {
        check(r.node().equals(fromNode), "its ref " + r + " was not made on the sending node " + fromNode);
    }

    private void local(Pid p) throws FrameException {
        check(p.node().equals(node.name()), "its target " + p + " is not a process of this node");
    }

    /**
     * From now on, messages that other nodes send to {@code pid} (by pid or by a name it holds)
     * arrive wrapped in {@link FromNode}, naming the node they came from; messages from this
     * node arrive as they are. For processes that must check who a message claims to be from.
     */
    public void deliverWithOrigin(Pid pid) {
        if (!pid.node().equals(node.name())) throw new IllegalArgumentException(pid + " is not a process of this node");
        withOrigin.removeIf(p -> node.info(p).isEmpty()); // processes that ended since
        withOrigin.add(pid);
    }

    private Object tagged(String fromNode, Pid to, Object value) {
        return withOrigin.contains(to) ? new FromNode(fromNode, value) : value;
    }

    private Object value(byte[] bytes) throws FrameException {
        Object v = serializer.deserialize(bytes);
        if (v == null) throw new FrameException("a null value (null is never a message)");
        return v;
    }

    private void dispatch(String fromNode, Frame frame) throws FrameException {
        switch (frame) {
            case Frame.Send f -> {
                local(f.to());
                signals.message(f.to(), tagged(fromNode, f.to(), value(f.payload())));
            }
            case Frame.Call f -> {
                local(f.to());
                fromSender(fromNode, f.caller(), "caller");
                fromSender(fromNode, f.ref());
                Object request = value(f.request());
                acceptMonitor(fromNode, f.caller(), f.to(), f.ref());
                signals.call(f.to(), f.caller(), f.ref(), request);
            }
            case Frame.CallNamed f -> {
                fromSender(fromNode, f.caller(), "caller");
                fromSender(fromNode, f.ref());
                Object request = value(f.request());
                Pid to = node.whereis(f.name());
                if (to == null) {
                    transmit(fromNode, new Frame.Down(f.caller(), f.ref(), placeholderOn(node.name()), ExitReason.NOPROC));
                } else {
                    acceptMonitor(fromNode, f.caller(), to, f.ref());
                    signals.call(to, f.caller(), f.ref(), request);
                }
            }
            case Frame.MonitorNamed f -> {
                fromSender(fromNode, f.watcher(), "watcher");
                fromSender(fromNode, f.ref());
                Pid target = node.whereis(f.name());
                if (target == null) {
                    transmit(fromNode, new Frame.Down(f.watcher(), f.ref(), placeholderOn(node.name()), ExitReason.NOPROC));
                } else {
                    acceptMonitor(fromNode, f.watcher(), target, f.ref());
                }
            }
            case Frame.SendNamed f -> {
                byte[] p = f.payload();
                if (p.length == 0 || p[0] < PLAIN || p[0] > CAST) throw new FrameException("named message without a valid kind byte");
                Object value = value(java.util.Arrays.copyOfRange(p, 1, p.length));
                Pid to = node.whereis(f.name());
                if (to != null) signals.message(to, tagged(fromNode, to, p[0] == CAST ? new Cast(value) : value));
            }
            case Frame.Cast f -> {
                local(f.to());
                signals.message(f.to(), new Cast(value(f.request())));
            }
            case Frame.Reply f -> {
                local(f.to());
                check(f.ref().node().equals(node.name()), "it answers a call " + f.ref() + " this node did not make");
                Object value = serializer.deserialize(f.value());
                // the server's node ended the call's monitor when it sent this reply
                // (any node may answer: a server can hand its From to a process elsewhere, as in OTP)
                Map<Ref, Monitor> m = monitors.get(fromNode);
                if (m != null) m.remove(f.ref());
                signals.message(f.to(), new Reply(f.ref(), value));
            }
            case Frame.Global f -> globalHandler.accept(fromNode, f);
            case Frame.Exit f -> {
                fromSender(fromNode, f.from(), "exiting process");
                local(f.to());
                if (f.fromLink()) forgetLink(fromNode, new Link(f.to(), f.from()));
                signals.exit(f.from(), f.to(), f.reason(), f.fromLink());
            }
            case Frame.Link f -> {
                fromSender(fromNode, f.from(), "linking process");
                local(f.to());
                links.computeIfAbsent(fromNode, n -> ConcurrentHashMap.newKeySet()).add(new Link(f.to(), f.from()));
                signals.link(f.from(), f.to());
            }
            case Frame.Unlink f -> {
                fromSender(fromNode, f.from(), "unlinking process");
                local(f.to());
                forgetLink(fromNode, new Link(f.to(), f.from()));
                signals.unlink(f.from(), f.to());
            }
            case Frame.Monitor f -> {
                fromSender(fromNode, f.watcher(), "watcher");
                fromSender(fromNode, f.ref());
                local(f.target());
                acceptMonitor(fromNode, f.watcher(), f.target(), f.ref());
            }
            case Frame.Demonitor f -> {
                fromSender(fromNode, f.ref());
                Map<Ref, Pid> w = watchedHere.get(fromNode);
                Pid actual = w == null ? null : w.remove(f.ref());
                // a monitor of a name was set on the process the name had: use that; a ref the
                // sender never set up here names nothing it may remove
                if (actual != null) signals.demonitor(actual, f.ref());
            }
            case Frame.Down f -> {
                local(f.watcher());
                fromSender(fromNode, f.pid(), "ended process");
                Map<Ref, Monitor> m = monitors.get(fromNode);
                // only a monitor this node set up on the sender's processes can fire
                check(m != null && m.remove(f.ref()) != null, "it fires a monitor " + f.ref() + " that is not set on " + fromNode);
                signals.down(f.watcher(), new Down(f.ref(), f.pid(), f.reason()));
            }
        }
    }

    private void acceptMonitor(String fromNode, Pid watcher, Pid target, Ref ref) {
        watchedHere.computeIfAbsent(fromNode, n -> new ConcurrentHashMap<>()).put(ref, target);
        signals.monitor(watcher, target, ref);
    }

    /**
     * {@code lostNode} is gone (crash, kill -9, partition): fire every monitor and link that
     * crossed to it with {@code noconnection}, and forget the monitors its processes held here.
     */
    public void nodeDown(String lostNode) {
        Map<Ref, Pid> w = watchedHere.remove(lostNode);
        if (w != null) w.forEach((ref, target) -> signals.demonitor(target, ref));
        Map<Ref, Monitor> m = monitors.remove(lostNode);
        if (m != null) {
            m.forEach((ref, mon) -> signals.down(mon.watcher(), new Down(ref, mon.target(), ExitReason.NOCONNECTION)));
        }
        Set<Link> l = links.remove(lostNode);
        if (l != null) {
            for (Link link : l) signals.exit(link.remote(), link.local(), ExitReason.NOCONNECTION, true);
        }
    }
}
