package dev.cohort.crdt.replicator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The replication envelope: round trip, and any bytes at all decode to a message or to null (100,000 cases). */
class ReplicationMessageTest {
    @Test
    void roundTripAndRandomBytes() {
        ReplicationMessage m = new ReplicationMessage(ReplicationMessage.Kind.SYNC, "gotham@127.0.0.1/42", new byte[] {1, 2, 3});
        ReplicationMessage back = ReplicationMessage.decode(m.encode());
        assertThat(back.kind()).isEqualTo(m.kind());
        assertThat(back.sender()).isEqualTo(m.sender());
        assertThat(back.senderNode()).isEqualTo("gotham@127.0.0.1");
        assertThat(back.body()).containsExactly(1, 2, 3);
        Random r = new Random(5);
        int decoded = 0;
        for (int i = 0; i < 100_000; i++) {
            byte[] b = new byte[r.nextInt(40)];
            r.nextBytes(b);
            if (b.length > 1 && r.nextBoolean()) { b[0] = (byte) (1 + r.nextInt(3)); b[1] = (byte) r.nextInt(30); }
            if (ReplicationMessage.decode(b) != null) decoded++;
        }
        assertThat(decoded).isPositive();
    }
}
