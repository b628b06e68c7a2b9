package dev.cohort.crdt;

import dev.cohort.time.Timestamp;

import dev.cohort.time.HybridLogicalClock;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The explicit binary encoding of {@link AWLWWMap} states and deltas, for shipping between
 * replicas. The causal structure (dots, contexts, timestamps) is encoded here, with each replica
 * name once per delta. Strings, Integers and Longs (as keys or values) are encoded natively; any
 * other key or value goes through a pluggable {@link Values} codec (on a cluster, the
 * allow-listed serializer).
 *
 * <pre>
 * delta   := version:u8 (=2) names context entries              (no trailing bytes)
 * names   := n:varint (name:str)^n                               every replica name used below
 * context := n:varint (name:idx counter:varlong)^n  m:varint (name:idx counter:varlong)^m
 * entries := k:varint (key:item w:varint write^w)^k
 * write   := name:idx counter:varlong millis:varlong tick:varlong tsName:idx value:item
 * item    := 0 (null) | 1 str | 2 zigzag-varint (Integer) | 3 zigzag-varlong (Long) | 4 bytes (Values codec)
 * </pre>
 *
 * Decoding trusts no length, count, index or counter: lengths and counts are checked against what
 * remains, counters against {@link Dot#MAX_COUNTER}, timestamps against {@link Timestamp#MAX_MILLIS};
 * any problem is a {@link Malformed}. Whether a timestamp is too far ahead of this node's clock is
 * the receiver's check ({@link HybridLogicalClock#admits}). Thread-safe if the {@link Values} codec is.
 */
public final class DeltaCodec<K, V> {
    private static final int VERSION = 2;
    private static final int NULL = 0, STRING = 1, INT = 2, LONG = 3, OTHER = 4;

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
        CausalContext c = delta.context();
        Map<K, Map<Dot, AWLWWMap.Entry<V>>> writes = delta.writes();
        Map<String, Integer> names = new LinkedHashMap<>();
        c.vector().keySet().forEach(r -> names.putIfAbsent(r, names.size()));
        for (Dot d : c.cloud()) names.putIfAbsent(d.replica(), names.size());
        for (Map<Dot, AWLWWMap.Entry<V>> w : writes.values()) {
            w.forEach((d, e) -> {
                names.putIfAbsent(d.replica(), names.size());
                names.putIfAbsent(e.timestamp().replica(), names.size());
            });
        }
        ByteWriter out = new ByteWriter();
        out.u8(VERSION);
        out.varlong(names.size());
        names.keySet().forEach(out::str);
        out.varlong(c.vector().size());
        c.vector().forEach((r, n) -> { out.varlong(names.get(r)); out.varlong(n); });
        out.varlong(c.cloud().size());
        for (Dot d : c.cloud()) { out.varlong(names.get(d.replica())); out.varlong(d.counter()); }
        out.varlong(writes.size());
        writes.forEach((k, w) -> {
            item(out, k);
            out.varlong(w.size());
            w.forEach((d, e) -> {
                out.varlong(names.get(d.replica()));
                out.varlong(d.counter());
                out.varlong(e.timestamp().millis());
                out.varlong(e.timestamp().counter());
                out.varlong(names.get(e.timestamp().replica()));
                item(out, e.value());
            });
        });
        return out.toBytes();
    }

    private void item(ByteWriter out, Object o) {
        switch (o) {
            case String s -> { out.u8(STRING); out.bytes(s.getBytes(StandardCharsets.UTF_8)); }
            case Integer i -> { out.u8(INT); out.varlong(((i << 1) ^ (i >> 31)) & 0xFFFFFFFFL); }
            case Long l -> { out.u8(LONG); out.varlong((l << 1) ^ (l >> 63)); }
            case null -> out.u8(NULL);
            default -> { out.u8(OTHER); out.bytes(values.encode(o)); }
        }
    }

    private Object item(ByteReader in) throws Malformed {
        int tag = in.u8();
        return switch (tag) {
            case STRING -> in.utf8();
            case INT -> {
                long z = in.varlong();
                if ((z >>> 32) != 0) throw new Malformed("an Integer out of range");
                int v = (int) z;
                yield (v >>> 1) ^ -(v & 1);
            }
            case LONG -> {
                long z = in.varlong();
                yield (z >>> 1) ^ -(z & 1);
            }
            case NULL -> null;
            case OTHER -> values.decode(in.bytes());
            default -> throw new Malformed("unknown item tag " + tag);
        };
    }

    public AWLWWMap<K, V> decode(byte[] bytes) throws Malformed {
        if (bytes == null) throw new Malformed("no delta");
        ByteReader in = new ByteReader(bytes);
        int version = in.u8();
        if (version != VERSION) throw new Malformed("unsupported delta version " + version);
        String[] names = new String[in.count(2)];
        for (int i = 0; i < names.length; i++) names[i] = in.str();
        Map<String, Long> vector = new HashMap<>();
        long n = in.count(2);
        for (long i = 0; i < n; i++) {
            String r = name(names, in);
            long c = in.varlong();
            if (c < 0 || c > Dot.MAX_COUNTER) throw new Malformed("a context counter " + c + " out of 0..2^53");
            if (vector.put(r, c) != null) throw new Malformed("replica " + r + " twice in a context");
        }
        Set<Dot> cloud = new HashSet<>();
        long m = in.count(2);
        for (long i = 0; i < m; i++) cloud.add(dot(names, in));
        Map<K, Map<Dot, AWLWWMap.Entry<V>>> writes = new HashMap<>();
        long k = in.count(2);
        for (long i = 0; i < k; i++) {
            K key = typed(item(in), keyType, "key");
            long w = in.count(6);
            if (w == 0) throw new Malformed("a key without writes");
            Map<Dot, AWLWWMap.Entry<V>> dots = new HashMap<>();
            for (long j = 0; j < w; j++) {
                Dot d = dot(names, in);
                long millis = in.varlong(), tick = in.varlong();
                if (tick < 0 || tick > Dot.MAX_COUNTER) throw new Malformed("a timestamp counter " + tick + " out of 0..2^53");
                if (millis < 0 || millis > Timestamp.MAX_MILLIS) throw new Malformed("a timestamp of " + millis + " ms");
                Timestamp ts = new Timestamp(millis, tick, name(names, in));
                V value = typed(item(in), valueType, "value");
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

    private static String name(String[] names, ByteReader in) throws Malformed {
        long i = in.varlong();
        if (i < 0 || i >= names.length) throw new Malformed("name index " + i + " of " + names.length);
        return names[(int) i];
    }

    private static Dot dot(String[] names, ByteReader in) throws Malformed {
        String r = name(names, in);
        long c = in.varlong();
        if (c < 1 || c > Dot.MAX_COUNTER) throw new Malformed("a dot counter " + c + " out of 1..2^53");
        return new Dot(r, c);
    }

    private static <T> T typed(Object o, Class<T> type, String what) throws Malformed {
        if (o != null && !type.isInstance(o)) throw new Malformed("a " + what + " of type " + o.getClass().getName() + ", expected " + type.getName());
        return type.cast(o);
    }
}
