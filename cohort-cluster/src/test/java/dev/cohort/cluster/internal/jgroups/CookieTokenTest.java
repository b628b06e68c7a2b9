package dev.cohort.cluster.internal.jgroups;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.jgroups.Address;
import org.jgroups.BytesMessage;
import org.jgroups.Message;
import org.jgroups.View;
import org.jgroups.protocols.AUTH;
import org.jgroups.util.ByteArrayDataInputStream;
import org.jgroups.util.ByteArrayDataOutputStream;
import org.jgroups.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The join token: bound to the joiner's address and to the moment, valid once, made only with
 * the cookie's key; a join under a name a live member holds is refused, naming the reason.
 */
class CookieTokenTest {
    private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes();
    private final UUID joiner = UUID.randomUUID(), member = UUID.randomUUID();
    private volatile View view = View.create(member, 1, member);
    private final Map<Address, String> names = new java.util.concurrent.ConcurrentHashMap<>(Map.of(member, "gotham@h", joiner, "robin@h"));

    private CookieToken receiver() {
        return new CookieToken(KEY, () -> view, names::get);
    }

    /** The bytes {@code from} puts on the wire, read back as the receiving side does. */
    private static CookieToken sent(byte[] key, Address from, long at) throws Exception {
        CookieToken t = new CookieToken(key, () -> null, a -> null);
        AUTH auth = new AUTH();
        auth.addr(from);
        t.setAuth(auth);
        ByteArrayDataOutputStream out = new ByteArrayDataOutputStream();
        t.writeTo(out, at);
        CookieToken received = new CookieToken();
        received.readFrom(new ByteArrayDataInputStream(out.buffer(), 0, out.position()));
        return received;
    }

    private static Message from(Address a) {
        return new BytesMessage().setSrc(a);
    }

    @Test
    void aFreshTokenFromItsOwnAddressIsAcceptedOnceAndNeverAgain() throws Exception {
        CookieToken check = receiver();
        CookieToken t = sent(KEY, joiner, System.currentTimeMillis());
        assertThat(check.refusal(t, from(joiner), true)).isNull();
        assertThat(check.refusal(t, from(joiner), true)).contains("used before");
        // two tokens from one node differ: a fresh nonce each time
        assertThat(check.refusal(sent(KEY, joiner, System.currentTimeMillis()), from(joiner), true)).isNull();
    }

    @Test
    void aCapturedTokenFromAnotherAddressAnotherCookieOrAnotherTimeIsRefused() throws Exception {
        CookieToken check = receiver();
        long now = System.currentTimeMillis();
        assertThat(check.refusal(sent(KEY, joiner, now), from(UUID.randomUUID()), true)).contains("another address");
        byte[] otherKey = "fedcba9876543210fedcba9876543210".getBytes();
        assertThat(check.refusal(sent(otherKey, joiner, now), from(joiner), true)).contains("another cookie");
        assertThat(check.refusal(sent(KEY, joiner, now - SealedTcp.MAX_SKEW_MS - 1_000), from(joiner), true)).contains("ms from this node's clock");
        assertThat(check.refusal(sent(KEY, joiner, now + SealedTcp.MAX_SKEW_MS + 1_000), from(joiner), true)).contains("ms from this node's clock");
        assertThat(check.refusal(new CookieToken(), from(joiner), true)).contains("no Cohort cookie token");
        assertThat(check.refusal(null, from(joiner), true)).contains("no Cohort cookie token");
    }

    @Test
    void aJoinUnderANameALiveMemberHoldsIsRefusedNamingIt() throws Exception {
        CookieToken check = receiver();
        UUID impostor = UUID.randomUUID();
        names.put(impostor, "gotham@h");
        String why = check.refusal(sent(KEY, impostor, System.currentTimeMillis()), from(impostor), true);
        assertThat(why).contains("gotham@h").contains(CookieToken.NAME_IN_USE);
        // once the old member has left the view, the name is free again
        view = View.create(joiner, 2, joiner);
        assertThat(check.refusal(sent(KEY, impostor, System.currentTimeMillis()), from(impostor), true)).isNull();
        assertThat(List.of(names.get(impostor))).containsExactly("gotham@h");
    }

    @Test
    void differingRegistrationsAreNamedBySideOrByPosition() {
        org.assertj.core.api.Assertions.assertThat(CookieToken.registrationsDiffer(java.util.List.of("x", "y"), java.util.List.of("y", "x")))
                .contains("the same classes in another order, first at position 0: x here, y there");
        org.assertj.core.api.Assertions.assertThat(CookieToken.registrationsDiffer(java.util.List.of("a", "b"), java.util.List.of("a", "c")))
                .contains("only it allows [c]").contains("only this node allows [b]");
    }
}
