package dev.cohort.crdt;

import java.nio.charset.StandardCharsets;

/**
 * Well-formed deltas, in {@link DeltaCodec}'s encoding, carrying the extreme values a broken or
 * hostile member could send: what decoders' byte-damage fuzzing never builds. For tests in any
 * package.
 */
public final class HostileDeltas {
    private HostileDeltas() {}

    /** A delta with no writes whose context claims every dot of each {@code replicas[i]} up to {@code counters[i]}. */
    public static byte[] contextOnly(String[] replicas, long[] counters) {
        ByteWriter out = new ByteWriter();
        out.u8(2);
        out.varlong(replicas.length);
        for (String r : replicas) out.str(r);
        out.varlong(replicas.length);
        for (int i = 0; i < replicas.length; i++) { out.varlong(i); out.varlong(counters[i]); }
        out.varlong(0); // cloud
        out.varlong(0); // entries
        return out.toBytes();
    }

    /** A delta holding one write {@code key = value} by {@code writer} (its dot 1), stamped {@code millis}/{@code tick}. */
    public static byte[] oneWrite(String writer, long millis, long tick, String key, int value) {
        ByteWriter out = new ByteWriter();
        out.u8(2);
        out.varlong(1);
        out.str(writer);
        out.varlong(1);
        out.varlong(0);
        out.varlong(1); // the context: writer's dot 1
        out.varlong(0);
        out.varlong(1);
        out.u8(1);
        out.bytes(key.getBytes(StandardCharsets.UTF_8));
        out.varlong(1);
        out.varlong(0);
        out.varlong(1); // the dot
        out.varlong(millis);
        out.varlong(tick);
        out.varlong(0);
        out.u8(2);
        out.varlong(((value << 1) ^ (value >> 31)) & 0xFFFFFFFFL);
        return out.toBytes();
    }
}
