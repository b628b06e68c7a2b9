package dev.cohort.crdt;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The explicit binary encoding of {@link AWLWWMap} states and deltas, for shipping between
 * replicas. Keys and values go through a pluggable {@link Values} codec (on a cluster, the
 * allow-listed serializer); the causal structure (dots, contexts, timestamps) is encoded here.
 *
 * <pre>
 * delta   := version:u8 (=1) context entries           (no trailing bytes)
 * context := n:varint (replica:str counter:varlong)^n  m:varint (replica:str counter:varlong)^m
 * entries := k:varint (key:bytes w:varint write^w)^k
 * write   := replica:str counter:varlong millis:varlong tick:varlong tsReplica:str value:bytes
 * </pre>
 *
 * Decoding trusts no length or count: everything is checked against what remains, and any
 * problem is a {@link Malformed}. Thread-safe if the {@link Values} codec is.
 */
public final class DeltaCodec<K, V> {
    private static final int VERSION = 1;
    private static final int MAX_NAME = 1024;

    /** Encodes and decodes keys and values. */
    public interface Values {
        byte[] encode(Object value);

        Object decode(byte[] bytes) throws Malformed;
    }

    /** Input that is not a delta this codec wrote. */
    public static final class Malformed extends Exception {
        public Malformed(String message) { super(message); }

        public Malformed(String message, Throwable cause) { super(message, cause); }
    }

    private final Values values;
    private final Class<K> keyType;
    private final Class<V> valueType;

    public DeltaCodec(Values values, Class<K> keyType, Class<V> valueType) {
        this.values = Objects.requireNonNull(values, "values");
        this.keyType = Objects.requireNonNull(keyType, "keyType");
        this.valueType = Objects.requireNonNull(valueType, "valueType");
    }

    public byte[] encode(AWLWWMap<K, V> delta) {
        Out out = new Out();
        out.u8(VERSION);
        CausalContext c = delta.context();
        out.varlong(c.vector().size());
        c.vector().forEach((r, n) -> { out.str(r); out.varlong(n); });
        out.varlong(c.cloud().size());
        for (Dot d : c.cloud()) { out.str(d.replica()); out.varlong(d.counter()); }
        Map<K, Map<Dot, AWLWWMap.Entry<V>>> writes = delta.writes();
        out.varlong(writes.size());
        writes.forEach((k, w) -> {
            out.bytes(values.encode(k));
            out.varlong(w.size());
            w.forEach((d, e) -> {
                out.str(d.replica());
                out.varlong(d.counter());
                out.varlong(e.timestamp().millis());
                out.varlong(e.timestamp().counter());
                out.str(e.timestamp().replica());
                out.bytes(values.encode(e.value()));
            });
        });
        return out.toBytes();
    }

    public AWLWWMap<K, V> decode(byte[] bytes) throws Malformed {
        if (bytes == null) throw new Malformed("no delta");
        In in = new In(bytes);
        int version = in.u8();
        if (version != VERSION) throw new Malformed("unsupported delta version " + version);
        Map<String, Long> vector = new HashMap<>();
        long n = in.count(2);
        for (long i = 0; i < n; i++) {
            String r = in.str();
            long c = in.varlong();
            if (c < 0) throw new Malformed("negative counter in a context");
            if (vector.put(r, c) != null) throw new Malformed("replica " + r + " twice in a context");
        }
        Set<Dot> cloud = new HashSet<>();
        long m = in.count(2);
        for (long i = 0; i < m; i++) cloud.add(in.dot());
        Map<K, Map<Dot, AWLWWMap.Entry<V>>> writes = new HashMap<>();
        long k = in.count(2);
        for (long i = 0; i < k; i++) {
            K key = typed(values.decode(in.bytes()), keyType, "key");
            long w = in.count(6);
            if (w == 0) throw new Malformed("a key without writes");
            Map<Dot, AWLWWMap.Entry<V>> dots = new HashMap<>();
            for (long j = 0; j < w; j++) {
                Dot d = in.dot();
                long millis = in.varlong(), tick = in.varlong();
                if (tick < 0) throw new Malformed("negative timestamp counter");
                Timestamp ts = new Timestamp(millis, tick, in.str());
                V value = typed(values.decode(in.bytes()), valueType, "value");
                if (dots.put(d, new AWLWWMap.Entry<>(value, ts)) != null) throw new Malformed("dot " + d + " twice");
            }
            if (writes.put(key, dots) != null) throw new Malformed("key twice in a delta");
        }
        if (in.remaining() != 0) throw new Malformed(in.remaining() + " trailing bytes after a delta");
        CausalContext context = CausalContext.from(vector, cloud);
        for (Map<Dot, AWLWWMap.Entry<V>> dots : writes.values()) {
            for (Dot d : dots.keySet()) if (!context.contains(d)) throw new Malformed("write " + d + " outside the delta's context");
        }
        return AWLWWMap.of(writes, context);
    }

    private static <T> T typed(Object o, Class<T> type, String what) throws Malformed {
        if (o != null && !type.isInstance(o)) throw new Malformed("a " + what + " of type " + o.getClass().getName() + ", expected " + type.getName());
        return type.cast(o);
    }

    private static final class Out {
        private final ByteArrayOutputStream b = new ByteArrayOutputStream();

        void u8(int v) { b.write(v); }

        void varlong(long v) {
            while ((v & ~0x7FL) != 0) {
                b.write((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            b.write((int) v);
        }

        void bytes(byte[] v) {
            varlong(v.length);
            b.write(v, 0, v.length);
        }

        void str(String s) { bytes(s.getBytes(StandardCharsets.UTF_8)); }

        byte[] toBytes() { return b.toByteArray(); }
    }

    private static final class In {
        private final byte[] buf;
        private int pos;

        In(byte[] buf) { this.buf = buf; }

        int remaining() { return buf.length - pos; }

        int u8() throws Malformed {
            if (pos >= buf.length) throw new Malformed("truncated delta at byte " + pos);
            return buf[pos++] & 0xFF;
        }

        long varlong() throws Malformed {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                int b = u8();
                v |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) return v;
            }
            throw new Malformed("varint longer than 10 bytes at byte " + pos);
        }

        /** A count of items of at least {@code minBytes} each: never more than the input can hold. */
        long count(int minBytes) throws Malformed {
            long n = varlong();
            if (n < 0 || n > (long) remaining() / minBytes) throw new Malformed("count " + n + " does not fit in the " + remaining() + " bytes left");
            return n;
        }

        byte[] bytes() throws Malformed {
            long len = varlong();
            if (len < 0 || len > remaining()) throw new Malformed("length " + len + " exceeds the " + remaining() + " bytes left");
            byte[] out = java.util.Arrays.copyOfRange(buf, pos, pos + (int) len);
            pos += (int) len;
            return out;
        }

        String str() throws Malformed {
            byte[] b = bytes();
            if (b.length == 0 || b.length > MAX_NAME) throw new Malformed("a replica name of " + b.length + " bytes");
            var d = StandardCharsets.UTF_8.newDecoder();
            try {
                return d.decode(java.nio.ByteBuffer.wrap(b)).toString();
            } catch (java.nio.charset.CharacterCodingException e) {
                throw new Malformed("invalid UTF-8 in a replica name", e);
            }
        }

        Dot dot() throws Malformed {
            String r = str();
            long c = varlong();
            if (c < 1) throw new Malformed("dot counter " + c);
            return new Dot(r, c);
        }
    }
}
