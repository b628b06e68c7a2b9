package dev.cohort.cluster.internal.jgroups;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.List;
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
    /** This node's serializer registrations (set before connecting); a received token's, after readFrom. */
    private volatile List<String> registrations = List.of();
    static final int MAX_REGISTRATIONS = 4096, MAX_REGISTRATION_BYTES = 1024;

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

    /** The serializer registrations this node presents, and requires of a joiner. */
    void registrations(List<String> names) {
        if (names.size() > MAX_REGISTRATIONS) throw new IllegalArgumentException("more than " + MAX_REGISTRATIONS + " registered classes");
        for (String n : names) {
            if (n.isEmpty() || n.getBytes(StandardCharsets.UTF_8).length > MAX_REGISTRATION_BYTES) {
                throw new IllegalArgumentException("a registered class name of 1.." + MAX_REGISTRATION_BYTES + " bytes, got " + n);
            }
        }
        this.registrations = List.copyOf(names);
    }

    @Override
    public int size() {
        int n = 8 + 8 + 8 + 1 + NONCE + 1 + MAC + 2;
        for (String r : registrations) n += 2 + r.getBytes(StandardCharsets.UTF_8).length;
        return n;
    }

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
        if (!MessageDigest.isEqual(mac(t.msb, t.lsb, t.time, t.nonce, t.registrations), t.mac)) return "it presented another cookie";
        long now = System.currentTimeMillis();
        if (Math.abs(now - t.time) > SealedTcp.MAX_SKEW_MS) {
            return "its token is " + (now - t.time) + " ms from this node's clock (a replayed join, or clocks more than " + SealedTcp.MAX_SKEW_MS + " ms apart)";
        }
        if (seenNonces.size() >= MAX_REMEMBERED) seenNonces.values().removeIf(at -> now - at > 2 * SealedTcp.MAX_SKEW_MS);
        if (seenNonces.size() >= MAX_REMEMBERED) return "too many joins at once; try again";
        if (seenNonces.putIfAbsent(ByteBuffer.wrap(t.nonce), now) != null) return "its token was used before (a replayed join)";
        if (!t.registrations.equals(registrations)) return registrationsDiffer(registrations, t.registrations);
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

    /** Says how two nodes' serializer registrations differ: which classes one has and the other lacks, or where the order parts. */
    static String registrationsDiffer(List<String> here, List<String> there) {
        List<String> onlyHere = new java.util.ArrayList<>(here), onlyThere = new java.util.ArrayList<>(there);
        onlyHere.removeAll(new java.util.HashSet<>(there));
        onlyThere.removeAll(new java.util.HashSet<>(here));
        StringBuilder why = new StringBuilder("its serializer registers other classes than this node's (wire ids follow the allow-list, so a mismatch would decode one class as another):");
        if (!onlyThere.isEmpty()) why.append(" only it allows ").append(limit(onlyThere)).append(';');
        if (!onlyHere.isEmpty()) why.append(" only this node allows ").append(limit(onlyHere)).append(';');
        if (onlyHere.isEmpty() && onlyThere.isEmpty()) {
            int i = 0;
            while (i < here.size() && here.get(i).equals(there.get(i))) i++;
            why.append(" the same classes in another order, first at position ").append(i).append(": ")
                    .append(here.get(i)).append(" here, ").append(there.get(i)).append(" there;");
        }
        return why.append(" give every node the same ForySerializer.builder().allow(...) in the same order").toString();
    }

    private static String limit(List<String> names) {
        return names.size() <= 5 ? names.toString() : names.subList(0, 5) + " and " + (names.size() - 5) + " more";
    }

    private byte[] mac(long msb, long lsb, long time, byte[] nonce, List<String> regs) {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(new SecretKeySpec(key, "HmacSHA256"));
            m.update(CONTEXT);
            m.update(ByteBuffer.allocate(24).putLong(msb).putLong(lsb).putLong(time).array());
            m.update(nonce);
            for (String r : regs) {
                byte[] b = r.getBytes(StandardCharsets.UTF_8);
                m.update(ByteBuffer.allocate(4).putInt(b.length).array());
                m.update(b);
            }
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
        List<String> regs = registrations;
        byte[] mac = key == null ? new byte[MAC] : mac(m, l, now, n, regs);
        out.writeByte(MAC);
        out.write(mac);
        out.writeShort(regs.size());
        for (String r : regs) out.writeUTF(r);
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
        int count = in.readUnsignedShort();
        if (count > MAX_REGISTRATIONS) throw new IOException("a cookie token with " + count + " registrations");
        List<String> regs = new java.util.ArrayList<>(Math.min(count, 64));
        for (int i = 0; i < count; i++) {
            String r = in.readUTF(); // at most 64 KB, inside a message whose length TCP's max_length bounds
            if (r.isEmpty() || r.length() > MAX_REGISTRATION_BYTES) throw new IOException("a registration name of " + r.length() + " characters");
            regs.add(r);
        }
        registrations = List.copyOf(regs);
    }
}
