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
                byte[] input = i % 4 == 0 ? random(r) : mutate(r, seeds.get(r.nextInt(seeds.size())));
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

    /** Flips, overwrites, inserts, deletes, truncates or duplicates bytes of a valid frame. */
    static byte[] mutate(Random r, byte[] in) {
        byte[] b = in.clone();
        int edits = 1 + r.nextInt(4);
        for (int e = 0; e < edits && b.length > 0; e++) {
            int at = r.nextInt(b.length);
            switch (r.nextInt(6)) {
                case 0 -> b[at] ^= (byte) (1 << r.nextInt(8));
                case 1 -> b[at] = (byte) r.nextInt(256);
                case 2 -> b = java.util.Arrays.copyOf(b, at);
                case 3 -> {
                    byte[] c = new byte[b.length + 1];
                    System.arraycopy(b, 0, c, 0, at);
                    c[at] = (byte) r.nextInt(256);
                    System.arraycopy(b, at, c, at + 1, b.length - at);
                    b = c;
                }
                case 4 -> {
                    byte[] c = new byte[b.length - 1];
                    System.arraycopy(b, 0, c, 0, at);
                    System.arraycopy(b, at + 1, c, at, b.length - at - 1);
                    b = c;
                }
                default -> b[at] = (byte) 0xFF;
            }
        }
        return b;
    }
}
