package dev.cohort.cluster.internal.jgroups;

import dev.cohort.cluster.Tls;
import dev.cohort.cluster.Tls;
import dev.cohort.cluster.discovery.Discovery;
import dev.cohort.cluster.internal.routing.Transport;
import dev.cohort.cluster.wire.FrameBatch;
import dev.cohort.cluster.wire.FrameCodec;
import dev.cohort.cluster.wire.FrameException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.jgroups.Address;
import org.jgroups.BytesMessage;
import org.jgroups.JChannel;
import org.jgroups.Message;
import org.jgroups.Receiver;
import org.jgroups.View;
import org.jgroups.protocols.AUTH;
import org.jgroups.protocols.FD_ALL3;
import org.jgroups.protocols.FD_SOCK2;
import org.jgroups.protocols.MERGE3;
import org.jgroups.protocols.DISCARD;
import org.jgroups.protocols.UFC;
import org.jgroups.protocols.UNICAST3;
import org.jgroups.protocols.VERIFY_SUSPECT2;
import org.jgroups.protocols.pbcast.GMS;
import org.jgroups.protocols.pbcast.NAKACK2;
import org.jgroups.protocols.pbcast.STABLE;
import org.jgroups.stack.Protocol;
import org.jgroups.util.NameCache;
import org.jgroups.util.TLS;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Frames between Cohort nodes over one JGroups channel: TCP transport (optionally TLS), a
 * pluggable {@link Discovery}, and JGroups' membership and failure detection: a node is
 * connected while it is in the current view; it is lost when a view without it arrives
 * (kill -9: about 0.25 s with these settings; a hung process: about 3 s).
 *
 * <p>The trust boundary: every message, JGroups' own included, is sealed with AES-256-GCM
 * under a key derived from the cookie (and the secret, if one is set) before it is written,
 * and opened before JGroups parses it ({@link SealedTcp}): a node without the cookie can
 * neither read nor inject anything, nor replay what it captured. Joins carry a token bound to
 * the joiner's address and used once ({@link CookieToken}). On top of that, a frame is handed
 * to Cohort only if its sender is in the current view and names itself as exactly one member;
 * a second node claiming a live node's name is refused at join. No message larger than
 * {@link Settings#maxMessageBytes()} is read.
 *
 * <p>Settings follow the measurements in the team's JGroups notes: VERIFY_SUSPECT2 150 ms,
 * FD_ALL3 500 ms / 2 s, MERGE3 1 s / 3 s, GMS join timeout 500 ms.
 */
public final class JGroupsTransport implements Transport, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(JGroupsTransport.class);
    /** The JGroups cluster all Cohort nodes join. */
    public static final String CLUSTER = "cohort";
    private static final String NAME_KEY = "cohort-node";
    private static final byte HELLO = 0;
    private static final java.time.Duration NAME_IN_USE_RETRY = java.time.Duration.ofSeconds(15);
    private volatile View lastView;
    private static final short UNICAST_ID = org.jgroups.conf.ClassConfigurator.getProtocolId(UNICAST3.class);
    private static final short NAKACK_ID = org.jgroups.conf.ClassConfigurator.getProtocolId(NAKACK2.class);

    /**
     * How to join.
     *
     * @param nodeName this node's name, {@code NAME@HOST}
     * @param bindHost the address to listen on
     * @param port the TCP port to listen on
     * @param discovery how to find the other nodes
     * @param cookie the shared secret every member must hold: joins are checked against it and
     *        every message is sealed (AES-256-GCM) under a key derived from it
     * @param encryptionSecret if not null, a second secret every member must hold, mixed into
     *        the sealing key (for a long random key kept apart from the cookie)
     * @param tls if not null, node-to-node connections use TLS with these key and trust stores
     * @param maxMessageBytes the largest message a node reads off a connection (a longer length
     *        prefix closes the connection before anything is allocated)
     */
    public record Settings(String nodeName, String bindHost, int port, Discovery discovery, String cookie,
                           String encryptionSecret, Tls tls, int maxMessageBytes) {
        /** The default bound on one message: the largest frame plus room for JGroups' headers and a batch. */
        public static final int DEFAULT_MAX_MESSAGE_BYTES = FrameCodec.DEFAULT_MAX_FRAME + (256 << 10);

        /** As the canonical constructor, with {@link #DEFAULT_MAX_MESSAGE_BYTES}. */
        public Settings(String nodeName, String bindHost, int port, Discovery discovery, String cookie,
                        String encryptionSecret, Tls tls) {
            this(nodeName, bindHost, port, discovery, cookie, encryptionSecret, tls, DEFAULT_MAX_MESSAGE_BYTES);
        }

        public Settings {
            if (maxMessageBytes < 64 << 10) throw new IllegalArgumentException("maxMessageBytes must be at least 64 KB, got " + maxMessageBytes);
            Objects.requireNonNull(nodeName, "nodeName");
            Objects.requireNonNull(bindHost, "bindHost");
            if (port <= 0 || port > 65535) throw new IllegalArgumentException("port must be 1..65535, got " + port);
            Objects.requireNonNull(discovery, "discovery");
            Objects.requireNonNull(cookie, "cookie");
            if (cookie.isEmpty()) throw new IllegalArgumentException("the cookie must not be empty");
            if (encryptionSecret != null && encryptionSecret.isEmpty()) throw new IllegalArgumentException("the encryption secret must not be empty");
        }

        /** Static seeds, cookie only: the common case. */
        public Settings(String nodeName, String bindHost, int port, List<InetSocketAddress> seeds, String cookie) {
            this(nodeName, bindHost, port, Discovery.staticHosts(seeds), cookie, null, null, DEFAULT_MAX_MESSAGE_BYTES);
        }
    }

    private final Settings settings;
    private final JChannel channel;
    private final SealedTcp tcp;
    private final java.util.concurrent.atomic.LongAdder fromNonMembers = new java.util.concurrent.atomic.LongAdder();
    private final RateLimitedLog nonMemberLog = new RateLimitedLog(60_000);
    private final EarlyFrames early = new EarlyFrames();
    private CookieToken joinToken;
    private final DISCARD discard = new DISCARD();
    /** Default bound on the bytes queued for one node. */
    public static final long DEFAULT_MAX_OUTBOX_BYTES = 32L << 20;
    /** Default time a sender waits for room before its node counts as congested. */
    public static final java.time.Duration DEFAULT_MAX_SEND_STALL = java.time.Duration.ofSeconds(5);
    private final Map<String, PeerOutbox> members = new ConcurrentHashMap<>();
    private final PeerOutbox.Totals outboxTotals = new PeerOutbox.Totals();
    private volatile long maxOutboxBytes = DEFAULT_MAX_OUTBOX_BYTES;
    private volatile java.time.Duration maxSendStall = DEFAULT_MAX_SEND_STALL;
    private final SuspectWatch suspects = new SuspectWatch();
    /** Names learned from hello frames, for members whose address did not carry one. */
    private final Map<Address, String> learnedNames = new ConcurrentHashMap<>();
    private final byte[] hello;
    private final BiConsumer<String, byte[]> onFrame;
    private final Consumer<String> onNodeUp;
    private final Consumer<String> onNodeDown;

    /**
     * Builds the channel; {@link #connect()} joins. The callbacks run on JGroups' threads and
     * may start as soon as {@code connect} is called.
     *
     * @throws Exception if the protocol stack cannot be built (a bad address, key or store)
     */
    public JGroupsTransport(Settings settings, BiConsumer<String, byte[]> onFrame,
                            Consumer<String> onNodeUp, Consumer<String> onNodeDown) throws Exception {
        this.settings = settings;
        this.onFrame = onFrame;
        this.onNodeUp = onNodeUp;
        this.onNodeDown = onNodeDown;
        byte[] n = settings.nodeName().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        this.hello = new byte[n.length + 1]; // byte 0 = HELLO; Cohort frames start with their version, 1
        System.arraycopy(n, 0, hello, 1, n.length);
        InetAddress bind = InetAddress.getByName(settings.bindHost());
        byte[] keys = keysFrom(settings.cookie(), settings.encryptionSecret());
        this.tcp = new SealedTcp(new javax.crypto.spec.SecretKeySpec(keys, 0, 32, "AES"));
        tcp.setValue("max_length", settings.maxMessageBytes() + SealedTcp.OVERHEAD);
        tcp.setValue("bind_addr", bind);
        tcp.setValue("bind_port", settings.port());
        tcp.setValue("port_range", 0);
        // Measured here: no bundler and no Nagle give the best latency and throughput (team notes).
        tcp.setValue("bundler_type", "no-bundler");
        tcp.setValue("tcp_nodelay", true);
        // A member that stops reading must not block JGroups' own threads in a socket write
        // (heartbeats, suspicion checks and views would wait behind it, and the member would
        // never be removed): each connection gets a writer thread and a bounded queue, and what
        // does not fit is dropped, for UNICAST3 and NAKACK2 to retransmit.
        tcp.setValue("non_blocking_sends", true);
        tcp.setValue("max_send_queue", 128);
        if (settings.tls() != null) {
            Tls t = settings.tls();
            tcp.tls(new TLS().enabled(true)
                    .setKeystorePath(t.keyStore().toString()).setKeystorePassword(t.keyStorePassword())
                    .setTruststorePath(t.trustStore().toString()).setTruststorePassword(t.trustStorePassword())
                    .setClientAuth(org.jgroups.util.TLSClientAuth.NEED));
        }
        Protocol ping = settings.discovery().protocol(new InetSocketAddress(bind, settings.port()));
        tcp.dispatchThrough(new MemberGate(ping.getId(), this::dropNonMember));
        joinToken = new CookieToken(java.util.Arrays.copyOfRange(keys, 32, 64), () -> lastView, this::nameOf);
        AUTH auth = new CohortAuth(joinToken);
        List<Protocol> stack = new java.util.ArrayList<>();
        stack.add(tcp);
        stack.add(discard);
        stack.add(ping);
        stack.addAll(List.of(
            new MERGE3().setMinInterval(1000).setMaxInterval(3000),
            new FD_SOCK2().setBindAddress(bind).setOffset(100).setPortRange(5),
            new FD_ALL3().setInterval(500).setTimeout(2000),
            suspects,
            new VERIFY_SUSPECT2().setTimeout(150),
            new NAKACK2(),
            new UNICAST3(),
            new STABLE(),
            auth,
            // no fragmentation: TCP carries a message whole, bounded by max_length, and a
            // fragmenting layer would size its reassembly from a count in a header
            new GMS().setJoinTimeout(500).printLocalAddress(false),
            // credit-based flow control per member: at most one largest message unacknowledged
            // by its receiver (credits must cover a whole message: there is no fragmentation)
            new UFC().setMaxCredits(settings.maxMessageBytes())));
        this.channel = new JChannel(stack);
        channel.setName(settings.nodeName());
        // The node name travels inside the address, so every member knows every other's name
        // from the view alone, even those it never discovered directly.
        byte[] nameBytes = settings.nodeName().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        channel.addAddressGenerator(() -> org.jgroups.util.ExtendedUUID.randomUUID(settings.nodeName()).put(NAME_KEY, nameBytes));
        channel.setReceiver(new Receiver() {
            @Override public void receive(Message msg) { onMessage(msg); }
            @Override public void viewAccepted(View view) { onView(view); }
        });
    }

    /**
     * The serializer registrations this node presents when it joins and requires of every node
     * that joins or merges with it ({@link dev.cohort.cluster.wire.Serializer#registrations}). Call
     * before {@link #connect}.
     */
    public void requireRegistrations(List<String> names) { joinToken.registrations(names); }

    /**
     * Joins the cluster; returns once this node is in a view (alone, if no seed answered).
     *
     * @throws SecurityException if the cluster refused this node's cookie
     * @throws Exception if the channel cannot start (for example, the port is taken)
     */
    public void connect() throws Exception {
        // A node restarted under its old name may find its previous incarnation still in the
        // view (a kill -9 takes the failure detector about 0.25 s, a hung host about 3 s): its
        // join is refused until then, so it retries for a while; every other refusal is final.
        long deadline = System.nanoTime() + NAME_IN_USE_RETRY.toNanos();
        for (;;) {
            try {
                channel.connect(CLUSTER);
                break;
            } catch (SecurityException e) {
                boolean nameInUse = e.getMessage() != null && e.getMessage().contains(CookieToken.NAME_IN_USE);
                if (!nameInUse || System.nanoTime() > deadline) {
                    channel.close();
                    throw e;
                }
                log.info("{}: {}; retrying until the failure detector removes it", settings.nodeName(), e.getMessage());
                channel.disconnect();
                Thread.sleep(250);
            }
        }
        View v = channel.getView();
        java.util.Set<String> refusing = tcp.refusedBy();
        if (!refusing.isEmpty() && (v == null || v.size() == 1)) {
            channel.close();
            throw new SecurityException("authentication failed: the nodes at " + refusing
                    + " could not open this node's messages: they hold another cookie (or secret)");
        }
    }

    /**
     * 64 bytes derived from the cookie and the secret (PBKDF2-HMAC-SHA256, 100,000 rounds, fixed
     * salt: every node must derive the same): the sealing key, then the join-token key.
     */
    static byte[] keysFrom(String cookie, String secret) throws java.security.GeneralSecurityException {
        String material = cookie + "\u0000" + (secret == null ? "" : secret);
        var spec = new javax.crypto.spec.PBEKeySpec(material.toCharArray(), "cohort-cluster-keys-v2".getBytes(java.nio.charset.StandardCharsets.UTF_8), 100_000, 512);
        return javax.crypto.SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
    }

    /** The current view (tests address members by it). */
    View view() { return lastView; }

    /** The sealing transport (tests tap what it sends). */
    SealedTcp sealing() { return tcp; }

    /** Frames dropped because their sender was not a member of the current view (or named no single member). */
    public long framesFromNonMembers() { return fromNonMembers.sum(); }

    /** Messages the sealing layer refused: forged, tampered, sealed under another key, or replayed. */
    public long sealRefusals() { return tcp.refused(); }

    /**
     * Fault injection for partition tests and chaos drills: while isolated, this node drops
     * every message it would send or receive (JGroups' DISCARD), as if its network were cut.
     * The others declare it lost after the failure-detection timeout; un-isolated, the sides
     * merge again within a few seconds.
     */
    public void isolate(boolean isolated) {
        discard.discardAll(isolated);
    }

    private void onMessage(Message msg) {
        Address src = msg.getSrc();
        View view = lastView;
        if (src == null) {
            dropNonMember(null, "it has no source address");
            return;
        }
        if (!src.equals(channel.getAddress()) && (view == null || !view.containsMember(src))) {
            // most often a member whose view this node has not installed yet: held for the next view
            if (!early.hold(msg, this::dropNonMember)) dropNonMember(src, "it is not a member of the current view");
            return;
        }
        if (early.isEmpty()) fromMember(msg);
        else early.deliverAfterHeld(msg, this::fromMember);
    }

    /** A message whose source is this node or a member of the current view. */
    private void fromMember(Message msg) {
        Address src = msg.getSrc();
        boolean self = src.equals(channel.getAddress());
        if (msg.isFlagSet(Message.Flag.NO_RELIABILITY) || (msg.getHeader(UNICAST_ID) == null && msg.getHeader(NAKACK_ID) == null)) {
            // Cohort sends nothing unreliable: every frame went through UNICAST3 or NAKACK2
            dropNonMember(src, "it came without JGroups' reliability");
            return;
        }
        if (msg.getLength() > 0 && msg.getArray()[msg.getOffset()] == HELLO) {
            if (addressName(src) != null) return; // its address names it already, and that name stands
            String name = new String(msg.getArray(), msg.getOffset() + 1, msg.getLength() - 1, java.nio.charset.StandardCharsets.UTF_8);
            if (!msg.getSrc().equals(channel.getAddress()) && !name.equals(learnedNames.put(msg.getSrc(), name))) {
                View v = channel.getView();
                if (v != null) onView(v);
            }
            return;
        }
        String from = self ? settings.nodeName() : nameOf(src);
        PeerOutbox owner = from == null || self ? null : members.get(from);
        if (!self && (owner == null || !owner.to.equals(src))) {
            // no name, or a name another member of the view holds: nobody speaks for another node
            dropNonMember(src, from == null ? "it has no node name" : "it is not the member that holds the name " + from);
            return;
        }
        byte[] bytes = msg.getArray();
        if (msg.getLength() > 0 && bytes[msg.getOffset()] == FrameBatch.TAG) {
            try {
                FrameBatch.unpack(bytes, msg.getOffset(), msg.getLength(), FrameCodec.DEFAULT_MAX_FRAME, f -> onFrame.accept(from, f));
            } catch (FrameException e) {
                log.warn("{}: dropped the rest of a frame batch from {}: {}", settings.nodeName(), from, e.getMessage());
            }
            return;
        }
        if (msg.getOffset() != 0 || msg.getLength() != bytes.length) {
            bytes = java.util.Arrays.copyOfRange(bytes, msg.getOffset(), msg.getOffset() + msg.getLength());
        }
        onFrame.accept(from, bytes);
    }

    private void dropNonMember(Address src, String why) {
        fromNonMembers.increment();
        String s = String.valueOf(src);
        if (nonMemberLog.shouldLog(s)) {
            log.warn("{}: dropped a frame from {}: {} ({} so far; at most one line a minute per sender)", settings.nodeName(), s, why, fromNonMembers.sum());
        }
    }

    private synchronized void onView(View view) {
        learnedNames.keySet().retainAll(view.getMembers());
        boolean changed = !view.equals(lastView);
        if (changed) {
            // Tell everyone who we are: a node that joined through a merge may not know our name.
            Thread.ofVirtual().start(() -> {
                try {
                    channel.send(new BytesMessage(null, hello));
                } catch (Exception e) {
                    log.debug("{}: hello not sent: {}", settings.nodeName(), e.toString());
                }
            });
        }
        Set<String> now = new HashSet<>();
        for (Address a : view.getMembers()) {
            String name = nameOf(a);
            if (name == null || (name.equals(settings.nodeName()) && a.equals(channel.getAddress()))) continue;
            if (!now.add(name) || name.equals(settings.nodeName())) {
                // two members of one view (a merge after a partition) claim one name: the older
                // member (first in the view) keeps it; frames from the other are dropped
                log.error("{}: {} claims the node name {}, which an older member holds; its frames are dropped until it leaves",
                        settings.nodeName(), a, name);
                continue;
            }
            PeerOutbox known = members.get(name);
            if (known == null || !known.to.equals(a)) {
                members.put(name, new PeerOutbox(settings.nodeName(), name, a, channel, maxOutboxBytes, maxSendStall, outboxTotals));
                if (known != null) known.close();
            }
            if (known == null) {
                log.info("{}: node {} is up", settings.nodeName(), name);
                onNodeUp.accept(name);
            }
        }
        for (String gone : Set.copyOf(members.keySet())) {
            if (!now.contains(gone)) {
                members.remove(gone).close();
                log.info("{}: node {} is down", settings.nodeName(), gone);
                onNodeDown.accept(gone);
            }
        }
        // only now, with every member's name known: a message that saw the old view was held
        lastView = view;
        early.release(view::containsMember, this::fromMember, this::dropNonMember);
    }

    private static String addressName(Address a) {
        if (a instanceof org.jgroups.util.ExtendedUUID e) {
            byte[] b = e.get(NAME_KEY);
            if (b != null) return new String(b, java.nio.charset.StandardCharsets.UTF_8);
        }
        return null;
    }

    private String nameOf(Address a) {
        String named = addressName(a);
        if (named != null) return named;
        String learned = learnedNames.get(a);
        return learned != null ? learned : NameCache.get(a);
    }

    @Override
    public String coordinator() {
        View v = lastView;
        String c = v == null ? null : nameOf(v.getCoord());
        return c != null ? c : settings.nodeName();
    }

    /** The nodes in the current view, this one excluded. */
    public Set<String> connectedNodes() { return Set.copyOf(members.keySet()); }

    /**
     * How many times the failure detectors suspected a member since start. A suspected node is
     * still in the view but missed heartbeats or closed its socket; it becomes down when
     * excluded, or up again when acquitted.
     */
    public long suspicions() { return suspects.suspicions(); }

    /** The nodes the failure detectors suspect now (see {@link #suspicions()} for the count so far). */
    public Set<String> suspectedNodes() {
        Set<String> out = new java.util.HashSet<>();
        for (Address a : suspects.suspected()) {
            String n = nameOf(a);
            if (n != null) out.add(n);
        }
        return out;
    }

    @Override
    public boolean isConnected(String node) { return members.containsKey(node); }

    /**
     * Queues a frame for {@code node}. Frames to one node leave in the order they were queued;
     * if nobody is writing to that node, a virtual thread starts and writes everything queued,
     * packed into as few messages as possible, so a burst from many processes costs few writes.
     *
     * <p>Back-pressure: the frames queued for one node are bounded in bytes
     * ({@link #outboxLimit}, 32 MiB by default). A caller whose frame does not fit waits for room,
     * as Erlang suspends a process on a busy distribution port. A node that stops reading (a
     * stopped or hung process) is removed by the failure detector within about 2.2 s, and its
     * waiting senders go on, their frames dropped. A node that stays in the view yet drains no
     * room for the stall bound (5 s by default) is congested: its frames are dropped at once,
     * counted in {@link #framesDroppedToSlowNodes}, until half its outbox has drained.
     */
    @Override
    public void send(String node, byte[] frame) {
        PeerOutbox out = members.get(node);
        if (out == null) return;
        try {
            out.offer(frame);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the caller is being stopped: its frame is not sent
        }
    }

    /**
     * Sets the bound on the bytes queued for one node and how long a sender waits for room
     * before the node counts as congested (see {@link #send}). Call before {@link #connect}.
     */
    public void outboxLimit(long maxBytes, java.time.Duration maxStall) {
        if (maxBytes < settings.maxMessageBytes()) throw new IllegalArgumentException(
                "the outbox bound (" + maxBytes + " bytes) must hold the largest message (" + settings.maxMessageBytes() + " bytes)");
        if (maxStall.isNegative() || maxStall.isZero()) throw new IllegalArgumentException("the stall bound must be positive, got " + maxStall);
        this.maxOutboxBytes = maxBytes;
        this.maxSendStall = maxStall;
    }

    /** Bytes queued for other nodes now, over all of them. */
    public long outboxBytes() { return outboxTotals.queuedBytes.get(); }

    /** The most bytes ever queued for one node at once (never more than the outbox bound, or one frame). */
    public long peakOutboxBytes() { return outboxTotals.peakQueuedBytes.get(); }

    /** Frames dropped because their node was congested or left while they waited. */
    public long framesDroppedToSlowNodes() { return outboxTotals.dropped.sum(); }

    /** How many times a node became congested (see {@link #send}). */
    public long congestions() { return outboxTotals.congestions.sum(); }

    @Override
    public void broadcast(byte[] frame) {
        try {
            channel.send(new BytesMessage(null, frame));
        } catch (Exception e) {
            log.warn("{}: could not broadcast: {}", settings.nodeName(), e.toString());
        }
    }

    @Override
    public void close() {
        channel.close();
    }
}
