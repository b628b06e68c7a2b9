package dev.cohort.crdt.replicator;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * What replicas of one map send each other, as one byte array:
 * {@code kind:u8 sender:str body:rest}, where {@code sender} is the sending replica's id
 * ({@code node/creation}) and the body is a delta ({@link dev.cohort.crdt.DeltaCodec}), a sync step
 * ({@link dev.cohort.crdt.SyncCodec}), or the id of a retired replica the sender holds no write of.
 */
record ReplicationMessage(Kind kind, String sender, byte[] body) {
    enum Kind { DELTA, SYNC, RETIRED }

    static final int MAX_ID = 1024;

    byte[] encode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + 32);
        out.write(kind.ordinal() + 1);
        byte[] name = sender.getBytes(StandardCharsets.UTF_8);
        varint(out, name.length);
        out.write(name, 0, name.length);
        out.write(body, 0, body.length);
        return out.toByteArray();
    }

    /** The node part of the sender's replica id. */
    String senderNode() { return nodeOf(sender); }

    static String nodeOf(String replicaId) {
        int slash = replicaId.lastIndexOf('/');
        return slash < 0 ? replicaId : replicaId.substring(0, slash);
    }

    /** Decodes, or returns null for anything malformed. */
    static ReplicationMessage decode(byte[] b) {
        if (b == null || b.length < 3) return null;
        int k = b[0] - 1;
        if (k < 0 || k >= Kind.values().length) return null;
        int len = 0, pos = 1;
        for (int shift = 0; ; shift += 7) {
            if (pos >= b.length || shift > 14) return null;
            int x = b[pos++] & 0xFF;
            len |= (x & 0x7F) << shift;
            if ((x & 0x80) == 0) break;
        }
        if (len < 1 || len > MAX_ID || pos + len > b.length) return null;
        String sender = new String(b, pos, len, StandardCharsets.UTF_8);
        return new ReplicationMessage(Kind.values()[k], sender, Arrays.copyOfRange(b, pos + len, b.length));
    }

    private static void varint(ByteArrayOutputStream out, int v) {
        while ((v & ~0x7F) != 0) {
            out.write((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        out.write(v);
    }
}
