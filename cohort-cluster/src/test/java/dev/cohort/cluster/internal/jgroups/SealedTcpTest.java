package dev.cohort.cluster.internal.jgroups;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import javax.crypto.spec.SecretKeySpec;
import org.jgroups.stack.IpAddress;
import org.junit.jupiter.api.Test;

/**
 * The sealing layer on its own: what one node seals, another with the same key opens exactly
 * once; a changed byte, another key, a replay or a stale first message is refused and counted.
 */
class SealedTcpTest {
    private static final long SEED = 20261205L;

    private static SealedTcp sealer(int keyByte) {
        byte[] k = new byte[32];
        java.util.Arrays.fill(k, (byte) keyByte);
        return new SealedTcp(new SecretKeySpec(k, "AES"));
    }

    private static final IpAddress PEER = new IpAddress(java.net.InetAddress.getLoopbackAddress(), 7800);

    @Test
    void aSealedMessageOpensOnceUnderTheSameKey() throws Exception {
        SealedTcp a = sealer(1), b = sealer(1);
        byte[] msg = "hello, member".getBytes(StandardCharsets.UTF_8);
        byte[] sealed = a.seal(msg, 0, msg.length);
        assertThat(sealed).hasSize(msg.length + SealedTcp.OVERHEAD);
        assertThat(b.open(PEER, sealed, 0, sealed.length)).isEqualTo(msg);
        assertThat(b.open(PEER, sealed, 0, sealed.length)).as("a replay").isNull();
        assertThat(b.replaysRefused()).isEqualTo(1);
        // the same plain bytes sealed twice never look alike (a fresh nonce each time)
        assertThat(a.seal(msg, 0, msg.length)).isNotEqualTo(a.seal(msg, 0, msg.length));
    }

    @Test
    void everyChangedByteAnotherKeyAndUnsealedBytesAreRefused() throws Exception {
        SealedTcp a = sealer(1), b = sealer(1), other = sealer(2);
        byte[] msg = new byte[64];
        new Random(SEED).nextBytes(msg);
        byte[] sealed = a.seal(msg, 0, msg.length);
        for (int i = 0; i < sealed.length; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] t = sealed.clone();
                t[i] ^= (byte) (1 << bit);
                assertThat(b.open(PEER, t, 0, t.length)).as("byte %d bit %d flipped", i, bit).isNull();
            }
        }
        assertThat(b.tamperedRefused()).isEqualTo(sealed.length * 8L);
        assertThat(other.open(PEER, sealed, 0, sealed.length)).as("another key").isNull();
        assertThat(b.open(PEER, msg, 0, msg.length)).as("unsealed bytes").isNull();
        assertThat(b.open(PEER, sealed, 0, sealed.length - 1)).as("truncated").isNull();
        assertThat(b.open(PEER, new byte[0], 0, 0)).as("empty").isNull();
        // the untouched message still opens: refusals left no state behind
        assertThat(b.open(PEER, sealed, 0, sealed.length)).isEqualTo(msg);
    }

    @Test
    void aFirstMessageSealedLongAgoIsRefusedAsStale() throws Exception {
        SealedTcp a = sealer(1), b = sealer(1);
        byte[] msg = {1, 2, 3};
        long past = System.currentTimeMillis() - SealedTcp.MAX_SKEW_MS - 60_000;
        byte[] old = a.seal(msg, 0, msg.length, past);
        assertThat(b.open(PEER, old, 0, old.length)).isNull();
        byte[] future = a.seal(msg, 0, msg.length, System.currentTimeMillis() + SealedTcp.MAX_SKEW_MS + 60_000);
        assertThat(b.open(PEER, future, 0, future.length)).isNull();
        assertThat(b.refused()).isEqualTo(2);
    }

    @Test
    void outOfOrderDeliveryWithinTheWindowIsAcceptedAndEveryReplayRefused() throws Exception {
        SealedTcp a = sealer(1), b = sealer(1);
        Random r = new Random(SEED);
        byte[][] sealed = new byte[3000][];
        for (int i = 0; i < sealed.length; i++) sealed[i] = a.seal(new byte[] {(byte) i}, 0, 1);
        java.util.List<Integer> order = new java.util.ArrayList<>();
        for (int i = 0; i < sealed.length; i++) order.add(i);
        java.util.Collections.shuffle(order, r);
        for (int i : order) assertThat(b.open(PEER, sealed[i], 0, sealed[i].length)).as("message %d", i).isNotNull();
        for (int i = 0; i < sealed.length; i += 7) assertThat(b.open(PEER, sealed[i], 0, sealed[i].length)).isNull();
        assertThat(b.replaysRefused()).isEqualTo((sealed.length + 6) / 7);
    }
}
