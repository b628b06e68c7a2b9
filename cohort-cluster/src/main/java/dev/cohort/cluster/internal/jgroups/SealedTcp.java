package dev.cohort.cluster.internal.jgroups;

import java.io.DataInput;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import org.jgroups.Address;
import org.jgroups.protocols.TCP;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JGroups' TCP transport with every message sealed (AES-256-GCM) under the cluster key before
 * it is written, and opened before JGroups reads a byte of it. What it guarantees:
 * <ul>
 * <li>Nothing from a sender without the key is parsed: JGroups' own headers, discovery, view
 *     and join messages included. A tampered, truncated or forged message fails the tag and
 *     is dropped, counted, and logged at most once a minute per connection.</li>
 * <li>No message is accepted twice: each carries its sender's incarnation (a random 64-bit
 *     id) and a sequence number, both authenticated as the GCM nonce, checked against a
 *     sliding window per incarnation; a message from an incarnation not seen before must have
 *     been sealed within {@link #MAX_SKEW_MS} of this node's clock.</li>
 * <li>Nonces never repeat under one key: an incarnation seals at most 2^32 messages, then
 *     draws a new id.</li>
 * </ul>
 * It does not hide who talks to whom or how much, and the TCP connection handshake (the
 * peer's physical address) is not sealed; the failure detector's own sockets (FD_SOCK2) are
 * not covered either (they carry only liveness pings).
 */
final class SealedTcp extends TCP {
    private static final Logger log = LoggerFactory.getLogger(SealedTcp.class);
    static final byte VERSION = 1;
    /**
     * The one unsealed message: "your messages do not open under my key", sent back (at most
     * once per 5 s per peer) to a node whose message failed the seal, so that a node started
     * with another cookie learns it at once instead of forming a cluster of its own. It carries
     * nothing else; a node that is already in a cluster only counts it.
     */
    private static final byte[] REFUSED = "\u007Fcohort: another key".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final int NONCE = 12, TAG = 16, STAMP = 8;
    /** Bytes a sealed message adds to the JGroups message it carries. */
    static final int OVERHEAD = 1 + NONCE + TAG + STAMP;
    /** How far a new incarnation's first message may be from this node's clock. */
    static final long MAX_SKEW_MS = 5 * 60_000L;
    private static final int WINDOW = 4096;
    private static final int MAX_INCARNATIONS = 65_536;

    private final SecretKey key;
    private final SecureRandom random = new SecureRandom();
    private final AtomicLong sequence = new AtomicLong();
    private volatile long incarnation;
    private final ConcurrentLinkedQueue<Cipher> ciphers = new ConcurrentLinkedQueue<>();
    private final Map<Long, ReplayWindow> windows = new ConcurrentHashMap<>();
    private final LongAdder tampered = new LongAdder(), replayed = new LongAdder(), stale = new LongAdder();
    private final RateLimitedLog refusals = new RateLimitedLog(60_000);
    private final RateLimitedLog refusalReplies = new RateLimitedLog(5_000);
    private final java.util.Set<String> refusedBy = ConcurrentHashMap.newKeySet();

    /** Sees every sealed message this node sends (hostile-peer tests replay them); null in production. */
    volatile java.util.function.BiConsumer<Address, byte[]> tap;

    SealedTcp(SecretKey key) {
        this.key = key;
        this.incarnation = random.nextLong();
        // headers are keyed by protocol id, and JGroups registers ids by class: speak as TCP
        setId(org.jgroups.conf.ClassConfigurator.getProtocolId(org.jgroups.protocols.TCP.class));
    }

    /** Dispatches what this transport opens through {@code gate}, in place of JGroups' default. */
    SealedTcp dispatchThrough(MemberGate gate) {
        message_processing_policy = null; // else init() replaces the gate with the policy this names
        msgProcessingPolicy(gate);
        return this;
    }

    /** Messages refused so far: tag failures (forged, tampered, truncated or another key), replays, stale first messages. */
    long refused() { return tampered.sum() + replayed.sum() + stale.sum(); }

    long replaysRefused() { return replayed.sum(); }

    long tamperedRefused() { return tampered.sum(); }

    @Override
    public void start() throws Exception {
        super.start();
        // JGroups' connection code logs through the server's logger, which TCP gives its own:
        // keep those lines under JGroups' name, so that they are not taken for Cohort's
        srv.log(org.jgroups.logging.LogFactory.getLog(org.jgroups.protocols.TCP.class));
    }

    /**
     * Before JGroups closes the connections of members a new view leaves out (gracefully, by
     * writing a last message under the connection's stream lock), this closes them at once: a
     * member that stopped reading holds that lock in a write that never returns, and the
     * graceful close would hang the view installation behind it, so the member would never
     * leave. Closing the socket ends the stuck write.
     */
    @Override
    public Object down(org.jgroups.Event evt) {
        if (evt.getType() == org.jgroups.Event.VIEW_CHANGE && srv != null) {
            org.jgroups.View view = evt.getArg();
            java.util.Set<Address> stay = new java.util.HashSet<>();
            for (Address m : view.getMembers()) {
                org.jgroups.PhysicalAddress pa = getPhysicalAddressFromCache(m);
                if (pa != null) stay.add(pa);
            }
            java.util.List<org.jgroups.blocks.cs.Connection> leaving = new java.util.ArrayList<>();
            srv.forAllConnections((peer, conn) -> {
                if (!stay.contains(peer)) leaving.add(conn);
            });
            for (var conn : leaving) {
                try {
                    conn.close(false); // not the server's closeConnection: that one closes gracefully whatever it is told
                } catch (java.io.IOException e) {
                    log.debug("closing a connection to a departed member: {}", e.toString());
                }
            }
        }
        return super.down(evt);
    }

    @Override
    public void send(Address dest, byte[] data, int offset, int length) throws Exception {
        byte[] sealed = seal(data, offset, length);
        java.util.function.BiConsumer<Address, byte[]> t = tap;
        if (t != null) t.accept(dest, sealed);
        super.send(dest, sealed, 0, sealed.length);
    }

    @Override
    public void receive(Address sender, byte[] data, int offset, int length) {
        byte[] plain = open(sender, data, offset, length);
        if (plain != null) super.receive(sender, plain, 0, plain.length);
    }

    @Override
    public void receive(Address sender, DataInput in, int length) throws Exception {
        // the server checked length against max_length, but not its sign
        if (length < 0 || length > getMaxLength()) {
            refuse(tampered, sender, "a length prefix of " + length + " (the limit is " + getMaxLength() + " bytes)");
            throw new java.io.IOException("refused a length prefix of " + length + " from " + sender);
        }
        byte[] buf = new byte[length];
        in.readFully(buf);
        receive(sender, buf, 0, length);
    }

    @Override
    public void receive(Address sender, ByteBuffer buf) {
        byte[] b = new byte[buf.remaining()];
        buf.get(b);
        receive(sender, b, 0, b.length);
    }

    byte[] seal(byte[] data, int offset, int length) throws GeneralSecurityException {
        return seal(data, offset, length, System.currentTimeMillis());
    }

    /** Seals with {@code stampMillis} as the sealing time (tests seal messages from the past). */
    byte[] seal(byte[] data, int offset, int length, long stampMillis) throws GeneralSecurityException {
        long n = sequence.getAndIncrement();
        long inc = incarnation;
        if ((n & 0xFFFF_FFFFL) == 0xFFFF_FFFFL) {
            // the last nonce of this incarnation: the next message starts a new one
            incarnation = random.nextLong();
        }
        byte[] out = new byte[OVERHEAD + length];
        out[0] = VERSION;
        ByteBuffer nonce = ByteBuffer.wrap(out, 1, NONCE);
        nonce.putLong(inc).putInt((int) n);
        byte[] plain = new byte[STAMP + length];
        ByteBuffer.wrap(plain).putLong(stampMillis);
        System.arraycopy(data, offset, plain, STAMP, length);
        Cipher c = cipher();
        try {
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG * 8, out, 1, NONCE));
            c.doFinal(plain, 0, plain.length, out, 1 + NONCE);
        } finally {
            ciphers.offer(c);
        }
        return out;
    }

    /** The peers (physical addresses) that said this node's messages do not open under their key. */
    java.util.Set<String> refusedBy() { return java.util.Set.copyOf(refusedBy); }

    private void tellWrongKey(Address sender) {
        if (sender == null || !refusalReplies.shouldLog(sender.toString())) return;
        Thread.ofVirtual().start(() -> {
            try {
                super.send(sender, REFUSED, 0, REFUSED.length);
            } catch (Exception e) {
                log.debug("could not tell {} that its key differs: {}", sender, e.toString());
            }
        });
    }

    /** The JGroups message inside, or null (counted and logged) if it is not a fresh message sealed under the key. */
    byte[] open(Address sender, byte[] data, int offset, int length) {
        if (length == REFUSED.length && java.util.Arrays.equals(data, offset, offset + length, REFUSED, 0, REFUSED.length)) {
            if (refusedBy.size() < RateLimitedLog.MAX_SOURCES) refusedBy.add(String.valueOf(sender));
            return null;
        }
        if (length < OVERHEAD || data[offset] != VERSION) {
            refuse(tampered, sender, "not a sealed message (an unsealed sender, or damaged bytes)");
            tellWrongKey(sender);
            return null;
        }
        byte[] plain;
        Cipher c = cipher();
        try {
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG * 8, data, offset + 1, NONCE));
            plain = c.doFinal(data, offset + 1 + NONCE, length - 1 - NONCE);
        } catch (GeneralSecurityException e) {
            refuse(tampered, sender, "its seal did not verify (another cookie or secret, or the bytes were changed)");
            tellWrongKey(sender);
            return null;
        } finally {
            ciphers.offer(c);
        }
        ByteBuffer nonce = ByteBuffer.wrap(data, offset + 1, NONCE);
        long inc = nonce.getLong();
        long seq = nonce.getInt() & 0xFFFF_FFFFL;
        long stamp = ByteBuffer.wrap(plain).getLong();
        long now = System.currentTimeMillis();
        ReplayWindow w = windows.get(inc);
        if (w == null) {
            if (Math.abs(now - stamp) > MAX_SKEW_MS) {
                refuse(stale, sender, "a first message sealed " + (now - stamp) + " ms from this node's clock (replayed, or the clocks differ by more than " + MAX_SKEW_MS + " ms)");
                return null;
            }
            if (windows.size() >= MAX_INCARNATIONS) evictIdle(now);
            w = windows.computeIfAbsent(inc, x -> new ReplayWindow());
        }
        if (!w.accept(seq, now)) {
            refuse(replayed, sender, "a message it had already delivered (a replay)");
            return null;
        }
        byte[] inner = new byte[plain.length - STAMP];
        System.arraycopy(plain, STAMP, inner, 0, inner.length);
        return inner;
    }

    private void evictIdle(long now) {
        windows.values().removeIf(w -> now - w.lastUsed > 2 * MAX_SKEW_MS);
    }

    private void refuse(LongAdder counter, Address sender, String why) {
        counter.increment();
        String from = String.valueOf(sender);
        if (refusals.shouldLog(from)) {
            log.warn("{}: refused a message from {}: {} ({} refused so far; at most one line a minute per sender)",
                    getAddress(), from, why, refused());
        }
    }

    private Cipher cipher() {
        Cipher c = ciphers.poll();
        if (c != null) return c;
        try {
            return Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM is not available", e);
        }
    }

    /** Sequence numbers seen from one incarnation: the highest, and a bitmap of the {@link #WINDOW} below it. */
    private static final class ReplayWindow {
        private long highest = -1;
        private final long[] seen = new long[WINDOW / 64];
        volatile long lastUsed;

        synchronized boolean accept(long seq, long now) {
            lastUsed = now;
            if (seq > highest) {
                long shift = highest < 0 ? WINDOW : seq - highest;
                if (shift >= WINDOW) {
                    java.util.Arrays.fill(seen, 0);
                } else {
                    for (long s = highest + 1; s <= seq; s++) clear(s);
                }
                highest = seq;
                set(seq);
                return true;
            }
            if (highest - seq >= WINDOW) return false; // too old to tell: refuse
            if (isSet(seq)) return false;
            set(seq);
            return true;
        }

        private int slot(long s) { return (int) ((s % WINDOW) >>> 6); }

        private long bit(long s) { return 1L << (s & 63); }

        private boolean isSet(long s) { return (seen[slot(s)] & bit(s)) != 0; }

        private void set(long s) { seen[slot(s)] |= bit(s); }

        private void clear(long s) { seen[slot(s)] &= ~bit(s); }
    }
}
