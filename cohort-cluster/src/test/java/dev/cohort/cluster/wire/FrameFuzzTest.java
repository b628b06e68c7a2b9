package dev.cohort.cluster.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Feeds 100,000 random and mutated frames to the decoder: each either decodes or fails with a
 * {@link FrameException}; nothing else escapes, nothing hangs. Seeded, so a failure replays.
 */
class FrameFuzzTest {
    private static final long SEED = Long.getLong("cohort.fuzz.seed", 0xC0407L);

    @Test
    void randomAndMutatedFramesNeverEscapeAsAnythingButFrameException() {
        Serializer serializer = ForySerializer.builder().build();
        FrameCodec codec = new FrameCodec(serializer, 1 << 16);
        Random r = new Random(SEED);
        List<byte[]> seeds = new ArrayList<>();
        for (int i = 0; i < 200; i++) seeds.add(codec.encode(Frames.frame(r, serializer)));
        int[] outcome = new int[2];
        assertTimeoutPreemptively(Duration.ofMinutes(3), () -> {
            for (int i = 0; i < 100_000; i++) {
                byte[] input = i % 4 == 0 ? random(r) : Mutations.mutate(r, seeds.get(r.nextInt(seeds.size())));
                try {
                    Frame f = codec.decode(input);
                    assertThat(f).isNotNull();
                    outcome[0]++;
                } catch (FrameException expected) {
                    outcome[1]++;
                } catch (Throwable t) {
                    throw new AssertionError("seed " + SEED + ", case " + i + ": " + t + " escaped for input " + java.util.HexFormat.of().formatHex(input), t);
                }
            }
        });
        assertThat(outcome[0] + outcome[1]).isEqualTo(100_000);
        assertThat(outcome[1]).as("most mutations are refused").isGreaterThan(10_000);
        assertThat(outcome[0]).as("some mutations still decode (payload bytes, ids)").isGreaterThan(100);
    }

    private static byte[] random(Random r) {
        byte[] b = new byte[r.nextInt(200)];
        r.nextBytes(b);
        if (b.length > 1 && r.nextBoolean()) {
            b[0] = 1;
            b[1] = (byte) (1 + r.nextInt(10));
        }
        return b;
    }
}
