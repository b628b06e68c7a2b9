package dev.cohort.cluster.wire;

import java.util.List;
import java.util.function.Consumer;

/**
 * Several encoded frames for one node carried in one transport message, so that a burst of
 * small frames costs one network write and one wake-up on the receiver, not one each.
 *
 * <pre>
 * batch := tag:u8 (=2) (length:varint frame)+      (no trailing bytes)
 * </pre>
 *
 * A single frame is sent bare (it starts with the wire version, 1), so the receiver tells the
 * two apart by the first byte. Frames keep their order inside a batch.
 */
public final class FrameBatch {
    /** The first byte of a batch. */
    public static final byte TAG = 2;

    private FrameBatch() {}

    /** Packs frames (at least two) into one batch. */
    public static byte[] pack(List<byte[]> frames) {
        int size = 1;
        for (byte[] f : frames) size += varintSize(f.length) + f.length;
        byte[] out = new byte[size];
        out[0] = TAG;
        int n = 1;
        for (byte[] f : frames) {
            int v = f.length;
            while ((v & ~0x7F) != 0) {
                out[n++] = (byte) ((v & 0x7F) | 0x80);
                v >>>= 7;
            }
            out[n++] = (byte) v;
            System.arraycopy(f, 0, out, n, f.length);
            n += f.length;
        }
        return out;
    }

    /** Bytes a batch of frames this size would add per frame. */
    public static int varintSize(int v) {
        int n = 1;
        while ((v & ~0x7F) != 0) {
            n++;
            v >>>= 7;
        }
        return n;
    }

    /**
     * Hands each frame of the batch in {@code buf[offset, offset + length)} to {@code each}, in
     * order. A malformed batch delivers the frames before the damage and then throws.
     */
    public static void unpack(byte[] buf, int offset, int length, int maxFrame, Consumer<byte[]> each) throws FrameException {
        int end = offset + length;
        if (length < 1 || buf[offset] != TAG) throw new FrameException("not a frame batch");
        int pos = offset + 1;
        if (pos == end) throw new FrameException("empty frame batch");
        while (pos < end) {
            int len = 0;
            int shift = 0;
            for (;;) {
                if (pos >= end) throw new FrameException("truncated frame length in a batch at byte " + (pos - offset));
                int b = buf[pos++] & 0xFF;
                if (shift == 28 && b > 0x07) throw new FrameException("frame length in a batch overflows at byte " + (pos - offset));
                len |= (b & 0x7F) << shift;
                if ((b & 0x80) == 0) break;
                shift += 7;
            }
            if (len == 0 || len > maxFrame) throw new FrameException("frame of " + len + " bytes in a batch (limit " + maxFrame + ")");
            if (len > end - pos) throw new FrameException("frame of " + len + " bytes in a batch exceeds the " + (end - pos) + " bytes left");
            each.accept(java.util.Arrays.copyOfRange(buf, pos, pos + len));
            pos += len;
        }
    }
}
