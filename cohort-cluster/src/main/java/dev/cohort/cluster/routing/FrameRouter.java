package dev.cohort.cluster.routing;

import dev.cohort.cluster.wire.Frame;
import dev.cohort.cluster.wire.FrameCodec;
import dev.cohort.cluster.wire.FrameException;
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
public final class FrameRouter implements RemoteNodes {
    private static final Logger log = LoggerFactory.getLogger(FrameRouter.class);

    private record Monitor(Pid watcher, Pid target) {}
    private record Link(Pid local, Pid remote) {}

    private final Node node;
    private final RemoteSignals signals;
    private final FrameCodec codec;
    private final Serializer serializer;
    private final Transport transport;
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
                case Reply r -> new Frame.Reply(to, r.ref(), serializer.serialize(r.value()));
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
        if (m != null) m.remove(ref);
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
        transport.send(toNode, bytes);
    }

    private void forgetLink(String remoteNode, Link link) {
        Set<Link> s = links.get(remoteNode);
        if (s != null) s.remove(link);
    }

    // ------------------------------------------------------------------ inbound

    /** Handles one frame from {@code fromNode}. Never throws for bad input. */
    public void onFrame(String fromNode, byte[] bytes) {
        Frame frame;
        try {
            frame = codec.decode(bytes);
            dispatch(fromNode, frame);
        } catch (FrameException e) {
            log.warn("dropped a frame of {} bytes from {}: {}", bytes == null ? 0 : bytes.length, fromNode, e.getMessage());
        }
    }

    private void dispatch(String fromNode, Frame frame) throws FrameException {
        switch (frame) {
            case Frame.Send f -> signals.message(f.to(), serializer.deserialize(f.payload()));
            case Frame.Call f -> signals.call(f.to(), f.caller(), f.ref(), serializer.deserialize(f.request()));
            case Frame.Cast f -> signals.message(f.to(), new Cast(serializer.deserialize(f.request())));
            case Frame.Reply f -> signals.message(f.to(), new Reply(f.ref(), serializer.deserialize(f.value())));
            case Frame.Exit f -> {
                if (f.fromLink()) forgetLink(fromNode, new Link(f.to(), f.from()));
                signals.exit(f.from(), f.to(), f.reason(), f.fromLink());
            }
            case Frame.Link f -> {
                links.computeIfAbsent(fromNode, n -> ConcurrentHashMap.newKeySet()).add(new Link(f.to(), f.from()));
                signals.link(f.from(), f.to());
            }
            case Frame.Unlink f -> {
                forgetLink(fromNode, new Link(f.to(), f.from()));
                signals.unlink(f.from(), f.to());
            }
            case Frame.Monitor f -> {
                watchedHere.computeIfAbsent(fromNode, n -> new ConcurrentHashMap<>()).put(f.ref(), f.target());
                signals.monitor(f.watcher(), f.target(), f.ref());
            }
            case Frame.Demonitor f -> {
                Map<Ref, Pid> w = watchedHere.get(fromNode);
                if (w != null) w.remove(f.ref());
                signals.demonitor(f.target(), f.ref());
            }
            case Frame.Down f -> {
                Map<Ref, Monitor> m = monitors.get(fromNode);
                if (m != null) m.remove(f.ref());
                signals.down(f.watcher(), new Down(f.ref(), f.pid(), f.reason()));
            }
        }
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
