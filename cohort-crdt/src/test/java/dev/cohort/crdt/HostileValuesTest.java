package dev.cohort.crdt;

import dev.cohort.time.Timestamp;

import dev.cohort.time.HybridLogicalClock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Values that decode cleanly but would break a replica: counters near 2^63, a context at the top
 * for the receiver's own id, clocks hours ahead. Each is refused where it enters, and the work of
 * joining what is taken is bounded by the message, never by a number in it.
 */
class HostileValuesTest {
    private final DeltaCodec<String, Integer> codec = new DeltaCodec<>(DeltaCodecTest.VALUES, String.class, Integer.class);

    @Test
    void contextCountersBeyondTwoToThe53AreMalformed() {
        for (long c : new long[] {Long.MAX_VALUE, Long.MAX_VALUE - 1, Dot.MAX_COUNTER + 1, 1L << 62}) {
            assertThatThrownBy(() -> codec.decode(HostileDeltas.contextOnly(new String[] {"x", "y"}, new long[] {c, 1})))
                    .as("counter %d", c).isInstanceOf(DeltaCodec.Malformed.class).hasMessageContaining("2^53");
        }
        assertThatThrownBy(() -> codec.decode(HostileDeltas.oneWrite("x", 1000, Long.MAX_VALUE, "k", 1)))
                .isInstanceOf(DeltaCodec.Malformed.class).hasMessageContaining("timestamp counter");
        assertThatThrownBy(() -> codec.decode(HostileDeltas.oneWrite("x", Long.MAX_VALUE, 0, "k", 1)))
                .isInstanceOf(DeltaCodec.Malformed.class).hasMessageContaining("timestamp of");
        assertThatThrownBy(() -> new Dot("x", Dot.MAX_COUNTER + 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Timestamp(0, Dot.MAX_COUNTER + 1, "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CausalContext.ofVector(Map.of("x", Long.MAX_VALUE))).isInstanceOf(IllegalArgumentException.class);
    }

    /** The case seen on a live node: {x: MAX, y: 1} looped for ever in forEachDot. Now the largest legal context joins at once. */
    @Test
    void joiningTheLargestLegalContextCostsWhatTheReplicaHoldsNotWhatTheContextClaims() throws Exception {
        AWLWWMapReplica<String, Integer> r = new AWLWWMapReplica<>();
        HybridLogicalClock clock = new HybridLogicalClock("me", () -> 1000);
        for (int i = 0; i < 100; i++) r.put("k" + i, i, clock.now());
        String[] replicas = new String[2000];
        long[] counters = new long[replicas.length];
        for (int i = 0; i < replicas.length; i++) { replicas[i] = "r" + i; counters[i] = Dot.MAX_COUNTER; }
        AWLWWMap<String, Integer> huge = codec.decode(HostileDeltas.contextOnly(replicas, counters));
        assertThat(huge.context().dotCount()).isEqualTo(Long.MAX_VALUE); // 2000 x 2^53 saturates, never wraps
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(30), () -> r.join(huge, null)); // a hang guard, not a timing
        assertThat(r.size()).isEqualTo(100); // none of the 100 writes is among the foreign dots
        assertThat(r.put("after", 1, clock.now()).context().max("me")).isEqualTo(101);
    }

    @Test
    void aReadingFarAheadIsNotObservedAndTheClockStaysUsable() {
        AtomicLong wall = new AtomicLong(1_000_000);
        HybridLogicalClock clock = new HybridLogicalClock("me", wall::get);
        assertThat(clock.maxOffset()).isEqualTo(Duration.ofMillis(500));
        assertThat(clock.observe(new Timestamp(Timestamp.MAX_MILLIS, Dot.MAX_COUNTER, "evil"))).isFalse();
        assertThat(clock.observe(new Timestamp(Timestamp.MAX_MILLIS, 0, "evil"))).isFalse();
        assertThat(clock.observe(new Timestamp(wall.get() + 3_600_000, 0, "ahead-an-hour"))).isFalse();
        assertThat(clock.now().millis()).isEqualTo(1_000_000);
        assertThat(clock.observe(new Timestamp(wall.get() + 400, 7, "a-little-ahead"))).isTrue();
        Timestamp t = clock.now();
        assertThat(t.millis()).isEqualTo(1_000_400);
        assertThat(t.counter()).isEqualTo(8);
        HybridLogicalClock strict = new HybridLogicalClock("strict", wall::get, Duration.ZERO);
        assertThat(strict.observe(new Timestamp(wall.get() + 1, 0, "x"))).isFalse();
        assertThat(strict.observe(new Timestamp(wall.get(), 3, "x"))).isTrue();
    }

    @Test
    void aCounterAtTheTopMovesTheClockToTheNextMillisecond() {
        HybridLogicalClock clock = new HybridLogicalClock("me", () -> 5000);
        assertThat(clock.observe(new Timestamp(5000, Dot.MAX_COUNTER, "peer"))).isTrue();
        Timestamp next = clock.now();
        assertThat(next).isEqualTo(new Timestamp(5001, 0, "me"));
        assertThat(clock.now()).isEqualTo(new Timestamp(5001, 1, "me"));
    }

    /** Seeded: random well-formed deltas with counters and stamps drawn near every limit decode or fail only with Malformed. */
    @Test
    void extremeButWellFormedDeltasDecodeOrAreMalformedNeverAnythingElse() {
        long seed = 20261206L;
        Random rnd = new Random(seed);
        long[] edges = {0, 1, 2, Dot.MAX_COUNTER - 1, Dot.MAX_COUNTER, Dot.MAX_COUNTER + 1, Long.MAX_VALUE, Long.MIN_VALUE, -1,
                Timestamp.MAX_MILLIS, Timestamp.MAX_MILLIS + 1, Integer.MAX_VALUE};
        Map<String, Integer> outcomes = new HashMap<>();
        for (int i = 0; i < 20_000; i++) {
            long a = edges[rnd.nextInt(edges.length)], b = edges[rnd.nextInt(edges.length)];
            byte[] bytes = rnd.nextBoolean() ? HostileDeltas.contextOnly(new String[] {"x", "y"}, new long[] {a, b})
                    : HostileDeltas.oneWrite("x", a, b, "k", rnd.nextInt());
            try {
                AWLWWMap<String, Integer> d = codec.decode(bytes);
                AWLWWMapReplica<String, Integer> r = new AWLWWMapReplica<>();
                r.join(d, null);
                outcomes.merge("joined", 1, Integer::sum);
            } catch (DeltaCodec.Malformed e) {
                outcomes.merge("malformed", 1, Integer::sum);
            } catch (RuntimeException e) {
                throw new AssertionError("seed " + seed + " case " + i + " (" + a + ", " + b + "): " + e, e);
            }
        }
        assertThat(outcomes.get("joined")).isPositive();
        assertThat(outcomes.get("malformed")).isPositive();
    }
}
