package dev.cohort.crdt.replicator;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * What replicas of one map send each other, as one byte array: a delta, an anti-entropy slice,
 * or the answer to a slice. {@code kind:u8 sender:str sync:varlong delta:rest}.
 */
record ReplicationMessage(Kind kind, String sender, long sync, byte[] delta) {
    enum Kind { DELTA, SLICE, ANSWER }

    byte[] encode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(delta.length + 32);
        out.write(kind.ordinal() + 1);
        byte[] name = sender.getBytes(StandardCharsets.UTF_8);
        varlong(out, name.length);
        out.write(name, 0, name.length);
        varlong(out, sync);
        out.write(delta, 0, delta.length);
        return out.toByteArray();
    }

    /** Decodes, or returns null for anything malformed. */
    static ReplicationMessage decode(byte[] b) {
        if (b == null || b.length < 3) return null;
        int k = b[0] - 1;
        if (k < 0 || k >= Kind.values().length) return null;
        int[] pos = {1};
        long len = varlong(b, pos);
        if (len < 1 || len > 1024 || pos[0] + len > b.length) return null;
        String sender = new String(b, pos[0], (int) len, StandardCharsets.UTF_8);
        pos[0] += (int) len;
        long sync = varlong(b, pos);
        if (sync < 0) return null;
        return new ReplicationMessage(Kind.values()[k], sender, sync, Arrays.copyOfRange(b, pos[0], b.length));
    }

    private static void varlong(ByteArrayOutputStream out, long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }

    private static long varlong(byte[] b, int[] pos) {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos[0] >= b.length) return -1;
            int x = b[pos[0]++] & 0xFF;
            v |= (long) (x & 0x7F) << shift;
            if ((x & 0x80) == 0) return v;
        }
        return -1;
    }
}
