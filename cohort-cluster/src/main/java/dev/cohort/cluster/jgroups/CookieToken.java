package dev.cohort.cluster.jgroups;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jgroups.Message;
import org.jgroups.auth.AuthToken;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JGroups' AUTH token for Erlang-style cookies: a joining node presents an HMAC-SHA256 of
 * the cluster cookie (never the cookie itself), and the coordinator admits it only if it
 * matches its own. A refusal is logged on the admitting side here and surfaces on the joining
 * side as a failed connect. It keeps out nodes with another cookie; it is not encryption (use
 * TLS or JGroups' encryption for that).
 */
public final class CookieToken extends AuthToken {
    private static final Logger log = LoggerFactory.getLogger(CookieToken.class);
    private byte[] digest = new byte[0];

    /** For JGroups, which builds the remote side's token reflectively. */
    public CookieToken() {}

    CookieToken(String cookie) {
        if (cookie == null || cookie.isEmpty()) throw new IllegalArgumentException("the cookie must not be empty");
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(cookie.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            digest = mac.doFinal("cohort-cluster-cookie-v1".getBytes(StandardCharsets.UTF_8));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    @Override
    public String getName() { return CookieToken.class.getName(); }

    @Override
    public int size() { return 4 + digest.length; }

    @Override
    public boolean authenticate(AuthToken token, Message msg) {
        boolean ok = token instanceof CookieToken other && other.digest.length > 0
                && MessageDigest.isEqual(digest, other.digest);
        if (!ok) {
            log.warn("refused a node at {}: it presented another cookie", msg == null ? "?" : msg.src());
        }
        return ok;
    }

    @Override
    public void writeTo(DataOutput out) throws IOException {
        out.writeInt(digest.length);
        out.write(digest);
    }

    @Override
    public void readFrom(DataInput in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > 64) throw new IOException("bad cookie token length " + n);
        digest = new byte[n];
        in.readFully(digest);
    }
}
