package dev.cohort.crdt;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Appends the primitives of Cohort's CRDT encodings: bytes, varints, fixed longs, strings. */
final class ByteWriter {
    private final ByteArrayOutputStream b = new ByteArrayOutputStream();

    void u8(int v) { b.write(v); }

    void varlong(long v) {
        while ((v & ~0x7FL) != 0) {
            b.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        b.write((int) v);
    }

    void long64(long v) {
        for (int i = 56; i >= 0; i -= 8) b.write((int) (v >>> i));
    }

    void bytes(byte[] v) {
        varlong(v.length);
        b.write(v, 0, v.length);
    }

    void raw(byte[] v) { b.write(v, 0, v.length); }

    void str(String s) { bytes(s.getBytes(StandardCharsets.UTF_8)); }

    byte[] toBytes() { return b.toByteArray(); }
}
