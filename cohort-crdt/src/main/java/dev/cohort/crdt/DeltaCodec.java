package dev.cohort.crdt;

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
        ByteWriter out = new ByteWriter();
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
        ByteReader in = new ByteReader(bytes);
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
}
