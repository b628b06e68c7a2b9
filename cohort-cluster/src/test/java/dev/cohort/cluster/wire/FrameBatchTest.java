package dev.cohort.cluster.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Batches of frames: round trips keep order; damaged batches fail with FrameException only. */
class FrameBatchTest {

    @Test
    void packedFramesComeBackInOrder() throws Exception {
        Random r = new Random(42);
        for (int round = 0; round < 1_000; round++) {
            List<byte[]> frames = new ArrayList<>();
            int n = 2 + r.nextInt(20);
            for (int i = 0; i < n; i++) {
                byte[] f = new byte[1 + r.nextInt(r.nextBoolean() ? 100 : 20_000)];
                r.nextBytes(f);
                frames.add(f);
            }
            byte[] batch = FrameBatch.pack(frames);
            List<byte[]> out = new ArrayList<>();
            FrameBatch.unpack(batch, 0, batch.length, FrameCodec.DEFAULT_MAX_FRAME, out::add);
            assertThat(out).hasSize(n);
            for (int i = 0; i < n; i++) assertThat(out.get(i)).isEqualTo(frames.get(i));
        }
    }

    @Test
    void damagedBatchesOnlyEverThrowFrameException() {
        Random r = new Random(7);
        int refused = 0;
        for (int round = 0; round < 100_000; round++) {
            List<byte[]> frames = List.of(new byte[1 + r.nextInt(40)], new byte[1 + r.nextInt(40)], new byte[1 + r.nextInt(300)]);
            byte[] b = FrameBatch.pack(frames);
            switch (r.nextInt(3)) {
                case 0 -> b = java.util.Arrays.copyOf(b, r.nextInt(b.length)); // truncated
                case 1 -> { for (int k = 0; k < 3; k++) b[r.nextInt(b.length)] = (byte) r.nextInt(); } // flipped
                default -> { b = new byte[r.nextInt(64)]; r.nextBytes(b); if (b.length > 0) b[0] = FrameBatch.TAG; } // noise
            }
            try {
                FrameBatch.unpack(b, 0, b.length, 1 << 16, f -> assertThat(f).isNotEmpty());
            } catch (FrameException e) {
                refused++;
            }
        }
        assertThat(refused).isPositive();
        assertThatThrownBy(() -> FrameBatch.unpack(new byte[] {FrameBatch.TAG}, 0, 1, 1024, f -> {}))
                .isInstanceOf(FrameException.class).hasMessageContaining("empty");
    }
}
