package dev.cohort.cluster.jgroups;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jgroups.Address;
import org.jgroups.Message;
import org.jgroups.View;
import org.jgroups.auth.AuthToken;
import org.jgroups.util.UUID;

/**
 * JGroups' AUTH token for Erlang-style cookies, bound to the sender and never valid twice.
 * A node presents {@code HMAC(k, address, time, nonce)}: {@code k} is derived from the cookie
 * (PBKDF2, so a captured token does not reveal it cheaply), {@code address} is the sender's own
 * JGroups address, {@code nonce} is fresh for every join or merge message. The receiver refuses
 * a token whose address is not the message's sender, whose time is more than
 * {@link SealedTcp#MAX_SKEW_MS} from its clock, or whose nonce it has seen: a captured join
 * replayed later, or from another address, is refused. (Every message is also sealed by
 * {@link SealedTcp}, which refuses replays on its own; this token keeps the join check sound
 * by itself.) A join that claims a node name held by a live member is refused too, naming it.
 *
 * <p>What it does not do: a joiner cannot prove freshness to a coordinator whose clock is off
 * by more than the skew bound; such a join is refused and says why.
 */
public final class CookieToken extends AuthToken {
    private static final byte[] CONTEXT = "cohort-join-v2".getBytes(StandardCharsets.UTF_8);
    private static final int NONCE = 16, MAC = 32;
    private static final int MAX_REMEMBERED = 100_000;
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Part of the refusal of a join under a name a live member holds. */
    static final String NAME_IN_USE = "is held by a live member";

    private final byte[] key;
    private final Supplier<View> view;
    private final java.util.function.Function<Address, String> names;
    private final Map<ByteBuffer, Long> seenNonces = new ConcurrentHashMap<>();
    // what a received token carried
    private long msb, lsb, time;
    private byte[] nonce = new byte[0], mac = new byte[0];

    /** For JGroups, which builds the remote side's token reflectively. */
    public CookieToken() {
        this.key = null;
        this.view = () -> null;
        this.names = a -> null;
    }

    /**
     * @param key the join key derived from the cookie
     * @param view the current view (for the duplicate-name check)
     * @param names the node name an address carries
     */
    CookieToken(byte[] key, Supplier<View> view, java.util.function.Function<Address, String> names) {
        if (key == null || key.length < 16) throw new IllegalArgumentException("the join key must be at least 16 bytes");
        this.key = key.clone();
        this.view = view;
        this.names = names;
    }

    @Override
    public String getName() { return CookieToken.class.getName(); }

    @Override
    public int size() { return 8 + 8 + 8 + 1 + NONCE + 1 + MAC; }

    @Override
    public boolean authenticate(AuthToken token, Message msg) {
        return refusal(token, msg, false) == null;
    }

    /**
     * Why the token that came with {@code msg} is refused, or null if it is accepted.
     *
     * @param join whether {@code msg} is a join request (then a name held by another live member is refused)
     */
    String refusal(AuthToken token, Message msg, boolean join) {
        if (!(token instanceof CookieToken t) || t.mac.length != MAC || t.nonce.length != NONCE) return "it presented no Cohort cookie token";
        Address src = msg == null ? null : msg.getSrc();
        if (!(src instanceof UUID u) || u.getMostSignificantBits() != t.msb || u.getLeastSignificantBits() != t.lsb) {
            return "its token was made for another address (a replayed join)";
        }
        if (!MessageDigest.isEqual(mac(t.msb, t.lsb, t.time, t.nonce), t.mac)) return "it presented another cookie";
        long now = System.currentTimeMillis();
        if (Math.abs(now - t.time) > SealedTcp.MAX_SKEW_MS) {
            return "its token is " + (now - t.time) + " ms from this node's clock (a replayed join, or clocks more than " + SealedTcp.MAX_SKEW_MS + " ms apart)";
        }
        if (seenNonces.size() >= MAX_REMEMBERED) seenNonces.values().removeIf(at -> now - at > 2 * SealedTcp.MAX_SKEW_MS);
        if (seenNonces.size() >= MAX_REMEMBERED) return "too many joins at once; try again";
        if (seenNonces.putIfAbsent(ByteBuffer.wrap(t.nonce), now) != null) return "its token was used before (a replayed join)";
        if (join) {
            String name = names.apply(src);
            View v = view.get();
            if (name != null && v != null) {
                for (Address m : v.getMembers()) {
                    if (!m.equals(src) && name.equals(names.apply(m))) {
                        return "the node name " + name + " " + NAME_IN_USE + "; stop it, or start this node under another name";
                    }
                }
            }
        }
        return null;
    }

    private byte[] mac(long msb, long lsb, long time, byte[] nonce) {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(new SecretKeySpec(key, "HmacSHA256"));
            m.update(CONTEXT);
            m.update(ByteBuffer.allocate(24).putLong(msb).putLong(lsb).putLong(time).array());
            m.update(nonce);
            return m.doFinal();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    @Override
    public void writeTo(DataOutput out) throws IOException {
        writeTo(out, System.currentTimeMillis());
    }

    /** Writes a token made at {@code now} (tests make tokens from the past). */
    void writeTo(DataOutput out, long now) throws IOException {
        Address self = auth == null ? null : auth.getAddress();
        long m = 0, l = 0;
        if (self instanceof UUID u) {
            m = u.getMostSignificantBits();
            l = u.getLeastSignificantBits();
        }
        byte[] n = new byte[NONCE];
        RANDOM.nextBytes(n);
        out.writeLong(m);
        out.writeLong(l);
        out.writeLong(now);
        out.writeByte(NONCE);
        out.write(n);
        byte[] mac = key == null ? new byte[MAC] : mac(m, l, now, n);
        out.writeByte(MAC);
        out.write(mac);
    }

    @Override
    public void readFrom(DataInput in) throws IOException {
        msb = in.readLong();
        lsb = in.readLong();
        time = in.readLong();
        int n = in.readUnsignedByte();
        if (n != NONCE) throw new IOException("bad cookie token nonce length " + n);
        nonce = new byte[n];
        in.readFully(nonce);
        int m = in.readUnsignedByte();
        if (m != MAC) throw new IOException("bad cookie token length " + m);
        mac = new byte[m];
        in.readFully(mac);
    }
}
