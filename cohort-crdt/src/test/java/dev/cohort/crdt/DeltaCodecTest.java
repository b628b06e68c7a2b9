package dev.cohort.crdt;

import dev.cohort.time.HybridLogicalClock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Deltas survive the round trip; damaged input only ever fails with {@code Malformed} (100,000 cases). */
class DeltaCodecTest {
    private static final long SEED = 99L;

    /** Strings and ints, tagged: a stand-in for the cluster's serializer. */
    static final DeltaCodec.Values VALUES = new DeltaCodec.Values() {
        @Override public byte[] encode(Object v) {
            if (v instanceof String s) {
                byte[] b = s.getBytes(StandardCharsets.UTF_8);
                return ByteBuffer.allocate(1 + b.length).put((byte) 's').put(b).array();
            }
            return ByteBuffer.allocate(5).put((byte) 'i').putInt((Integer) v).array();
        }

        @Override public Object decode(byte[] b) throws DeltaCodec.Malformed {
            if (b.length == 0) throw new DeltaCodec.Malformed("empty value");
            if (b[0] == 's') return new String(b, 1, b.length - 1, StandardCharsets.UTF_8);
            if (b[0] == 'i' && b.length == 5) return ByteBuffer.wrap(b, 1, 4).getInt();
            throw new DeltaCodec.Malformed("unknown value tag " + b[0]);
        }
    };

    private final DeltaCodec<String, Integer> codec = new DeltaCodec<>(VALUES, String.class, Integer.class);

    private static List<AWLWWMap<String, Integer>> randomDeltas(Random r, int n) {
        List<AWLWWMap<String, Integer>> out = new ArrayList<>();
        AWLWWMapReplica<String, Integer> a = new AWLWWMapReplica<>(), b = new AWLWWMapReplica<>();
        HybridLogicalClock ca = new HybridLogicalClock("gotham@127.0.0.1", () -> 10), cb = new HybridLogicalClock("métropolis", () -> 10);
        for (int i = 0; i < n; i++) {
            AWLWWMapReplica<String, Integer> s = r.nextBoolean() ? a : b;
            String key = "key-" + r.nextInt(20);
            AWLWWMap<String, Integer> d = r.nextInt(4) == 0 ? s.remove(key) : s.put(key, r.nextInt(), (s == a ? ca : cb).now());
            out.add(d);
            if (r.nextInt(3) == 0) (s == a ? b : a).join(d, null);
            if (r.nextInt(10) == 0) out.add(s.snapshot());
        }
        return out;
    }

    @Test
    void deltasAndStatesSurviveTheRoundTrip() throws Exception {
        for (AWLWWMap<String, Integer> d : randomDeltas(new Random(SEED), 2_000)) {
            assertThat(codec.decode(codec.encode(d))).isEqualTo(d);
        }
    }

    @Test
    void damagedDeltasFailOnlyWithMalformed() {
        Random r = new Random(SEED + 1);
        List<byte[]> seeds = new ArrayList<>();
        for (AWLWWMap<String, Integer> d : randomDeltas(r, 300)) seeds.add(codec.encode(d));
        int refused = 0;
        for (int i = 0; i < 100_000; i++) {
            byte[] in;
            if (i % 5 == 0) {
                in = new byte[r.nextInt(80)];
                r.nextBytes(in);
                if (in.length > 0) in[0] = 2;
            } else {
                in = dev.cohort.cluster.wire.Mutations.mutate(r, seeds.get(r.nextInt(seeds.size())));
            }
            try {
                AWLWWMap<String, Integer> d = codec.decode(in);
                assertThat(d).isNotNull();
            } catch (DeltaCodec.Malformed expected) {
                refused++;
            } catch (RuntimeException e) {
                throw new AssertionError("seed " + SEED + " case " + i + ": " + e, e);
            }
        }
        assertThat(refused).isGreaterThan(50_000);
        assertThatThrownBy(() -> codec.decode(new byte[] {3})).isInstanceOf(DeltaCodec.Malformed.class).hasMessageContaining("version");
    }
}
