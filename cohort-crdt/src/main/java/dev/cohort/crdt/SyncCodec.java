package dev.cohort.crdt;

import java.util.Objects;

/**
 * The explicit binary encoding of {@link SyncStep}s; deltas inside them use a {@link DeltaCodec}.
 *
 * <pre>
 * step    := kind:u8 flags:u8 (bit 0: fromOwner) sync:varlong body        (no trailing bytes)
 * Hashes  := depth:u8 level:u8 n:varint (nodeGap:varint hash:i64)^n         nodes ascending
 * Digests := n:varint (leafGap:varint c:varint (keyHash:i64 digest:i64)^c)^n leaves ascending
 * Slice   := w:varint (keyHash:i64)^w delta:rest
 * Answer, Removed := delta:rest
 * Done    := (nothing)
 * </pre>
 *
 * Decoding trusts no count, and any problem is a {@link DeltaCodec.Malformed}. Thread-safe if the
 * delta codec is.
 */
public final class SyncCodec<K, V> {
    private static final int HASHES = 1, DIGESTS = 2, SLICE = 3, ANSWER = 4, REMOVED = 5, DONE = 6;

    private final DeltaCodec<K, V> deltas;

    public SyncCodec(DeltaCodec<K, V> deltas) {
        this.deltas = Objects.requireNonNull(deltas, "deltas");
    }

    @SuppressWarnings("unchecked")
    public byte[] encode(SyncStep step) {
        ByteWriter out = new ByteWriter();
        out.u8(switch (step) {
            case SyncStep.Hashes h -> HASHES;
            case SyncStep.Digests d -> DIGESTS;
            case SyncStep.Slice<?, ?> s -> SLICE;
            case SyncStep.Answer<?, ?> a -> ANSWER;
            case SyncStep.Removed<?, ?> r -> REMOVED;
            case SyncStep.Done d -> DONE;
        });
        out.u8(step.fromOwner() ? 1 : 0);
        out.varlong(step.sync());
        switch (step) {
            case SyncStep.Hashes h -> {
                out.u8(h.depth());
                out.u8(h.level());
                out.varlong(h.nodes().length);
                int prev = 0;
                for (int i = 0; i < h.nodes().length; i++) {
                    if (h.nodes()[i] <= prev) throw new IllegalArgumentException("nodes must ascend");
                    out.varlong(h.nodes()[i] - prev);
                    prev = h.nodes()[i];
                    out.long64(h.hashes()[i]);
                }
            }
            case SyncStep.Digests d -> {
                out.varlong(d.leaves().length);
                int prev = 0, at = 0;
                for (int i = 0; i < d.leaves().length; i++) {
                    if (d.leaves()[i] <= prev) throw new IllegalArgumentException("leaves must ascend");
                    out.varlong(d.leaves()[i] - prev);
                    prev = d.leaves()[i];
                    out.varlong(d.counts()[i]);
                    for (int j = 0; j < d.counts()[i]; j++, at++) {
                        out.long64(d.keyHashes()[at]);
                        out.long64(d.digests()[at]);
                    }
                }
            }
            case SyncStep.Slice<?, ?> s -> {
                out.varlong(s.wants().length);
                for (long w : s.wants()) out.long64(w);
                out.raw(deltas.encode((AWLWWMap<K, V>) s.delta()));
            }
            case SyncStep.Answer<?, ?> a -> out.raw(deltas.encode((AWLWWMap<K, V>) a.delta()));
            case SyncStep.Removed<?, ?> r -> out.raw(deltas.encode((AWLWWMap<K, V>) r.delta()));
            case SyncStep.Done d -> { }
        }
        return out.toBytes();
    }

    public SyncStep decode(byte[] bytes) throws DeltaCodec.Malformed {
        if (bytes == null) throw new DeltaCodec.Malformed("no sync step");
        ByteReader in = new ByteReader(bytes);
        int kind = in.u8(), flags = in.u8();
        if ((flags & ~1) != 0) throw new DeltaCodec.Malformed("unknown flags " + flags);
        boolean fromOwner = flags == 1;
        long sync = in.varlong();
        if (sync < 0) throw new DeltaCodec.Malformed("negative sync number");
        SyncStep step = switch (kind) {
            case HASHES -> {
                int depth = in.u8(), level = in.u8();
                if (depth < 1 || depth > 24 || level > depth) throw new DeltaCodec.Malformed("level " + level + " of depth " + depth);
                int n = in.count(9);
                int[] nodes = new int[n];
                long[] hashes = new long[n];
                long prev = 0;
                for (int i = 0; i < n; i++) {
                    prev = ascending(prev, in.varlong(), 2L << level);
                    nodes[i] = (int) prev;
                    hashes[i] = in.long64();
                }
                yield new SyncStep.Hashes(sync, fromOwner, depth, level, nodes, hashes);
            }
            case DIGESTS -> {
                int n = in.count(2);
                int[] leaves = new int[n], counts = new int[n];
                long[] keyHashes = new long[in.remaining() / 16], digests = new long[keyHashes.length];
                long prev = 0;
                int at = 0;
                for (int i = 0; i < n; i++) {
                    prev = ascending(prev, in.varlong(), 2L << 24);
                    leaves[i] = (int) prev;
                    counts[i] = in.count(16);
                    for (int j = 0; j < counts[i]; j++, at++) {
                        keyHashes[at] = in.long64();
                        digests[at] = in.long64();
                    }
                }
                yield new SyncStep.Digests(sync, fromOwner, leaves, counts,
                        java.util.Arrays.copyOf(keyHashes, at), java.util.Arrays.copyOf(digests, at));
            }
            case SLICE -> {
                long[] wants = new long[in.count(8)];
                for (int i = 0; i < wants.length; i++) wants[i] = in.long64();
                yield new SyncStep.Slice<>(sync, fromOwner, wants, deltas.decode(in.rest()));
            }
            case ANSWER -> new SyncStep.Answer<>(sync, fromOwner, deltas.decode(in.rest()));
            case REMOVED -> new SyncStep.Removed<>(sync, fromOwner, deltas.decode(in.rest()));
            case DONE -> new SyncStep.Done(sync, fromOwner);
            default -> throw new DeltaCodec.Malformed("unknown sync step kind " + kind);
        };
        if (in.remaining() != 0) throw new DeltaCodec.Malformed(in.remaining() + " trailing bytes after a sync step");
        return step;
    }

    private static long ascending(long prev, long gap, long limit) throws DeltaCodec.Malformed {
        if (gap < 1 || gap >= limit || prev + gap >= limit) throw new DeltaCodec.Malformed("node index out of order or range");
        return prev + gap;
    }
}
