package dev.cohort.crdt;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads what {@link ByteWriter} wrote, trusting no length or count: each is checked against the
 * bytes that remain, and any problem is a {@link DeltaCodec.Malformed}.
 */
final class ByteReader {
    static final int MAX_NAME = 1024;

    private final byte[] buf;
    private int pos;
    private java.nio.charset.CharsetDecoder decoder;

    ByteReader(byte[] buf) { this.buf = buf; }

    int remaining() { return buf.length - pos; }

    int u8() throws DeltaCodec.Malformed {
        if (pos >= buf.length) throw new DeltaCodec.Malformed("truncated input at byte " + pos);
        return buf[pos++] & 0xFF;
    }

    long varlong() throws DeltaCodec.Malformed {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = u8();
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) return v;
        }
        throw new DeltaCodec.Malformed("varint longer than 10 bytes at byte " + pos);
    }

    long long64() throws DeltaCodec.Malformed {
        if (remaining() < 8) throw new DeltaCodec.Malformed("truncated input at byte " + pos);
        long v = 0;
        for (int i = 0; i < 8; i++) v = (v << 8) | (buf[pos++] & 0xFF);
        return v;
    }

    /** A count of items of at least {@code minBytes} each: never more than the input can hold. */
    int count(int minBytes) throws DeltaCodec.Malformed {
        long n = varlong();
        if (n < 0 || n > (long) remaining() / minBytes) {
            throw new DeltaCodec.Malformed("count " + n + " does not fit in the " + remaining() + " bytes left");
        }
        return (int) n;
    }

    byte[] bytes() throws DeltaCodec.Malformed {
        long len = varlong();
        if (len < 0 || len > remaining()) throw new DeltaCodec.Malformed("length " + len + " exceeds the " + remaining() + " bytes left");
        byte[] out = Arrays.copyOfRange(buf, pos, pos + (int) len);
        pos += (int) len;
        return out;
    }

    byte[] rest() {
        byte[] out = Arrays.copyOfRange(buf, pos, buf.length);
        pos = buf.length;
        return out;
    }

    String str() throws DeltaCodec.Malformed {
        long len = varlong();
        if (len < 1 || len > MAX_NAME) throw new DeltaCodec.Malformed("a name of " + len + " bytes");
        return utf8((int) len);
    }

    /** A length-prefixed string of strict UTF-8 (ASCII decoded directly; anything else checked). */
    String utf8() throws DeltaCodec.Malformed {
        long len = varlong();
        if (len < 0) throw new DeltaCodec.Malformed("negative length");
        return utf8(len);
    }

    private String utf8(long len) throws DeltaCodec.Malformed {
        if (len > remaining()) throw new DeltaCodec.Malformed("length " + len + " exceeds the " + remaining() + " bytes left");
        int from = pos, to = pos + (int) len;
        pos = to;
        boolean ascii = true;
        for (int i = from; i < to && ascii; i++) ascii = buf[i] >= 0;
        if (ascii) return new String(buf, from, to - from, StandardCharsets.ISO_8859_1);
        if (decoder == null) decoder = StandardCharsets.UTF_8.newDecoder();
        try {
            return decoder.decode(java.nio.ByteBuffer.wrap(buf, from, to - from)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new DeltaCodec.Malformed("invalid UTF-8 in a string", e);
        }
    }
}
