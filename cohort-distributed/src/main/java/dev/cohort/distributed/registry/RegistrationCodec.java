package dev.cohort.distributed.registry;

import dev.cohort.cluster.wire.FrameException;
import dev.cohort.cluster.wire.Serializer;
import dev.cohort.crdt.DeltaCodec;
import dev.cohort.process.Pid;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * Encodes registrations explicitly (pid fields, then the value through the serializer) and any
 * other key through the serializer, so that the registry needs no class of its own on the
 * serializer's allow-list.
 *
 * <pre>
 * registration := 1 node:utf creation:i64 id:i64 hasValue:u8 [value:len-bytes]
 * other        := 2 serialized-bytes
 * </pre>
 */
final class RegistrationCodec implements DeltaCodec.Values {
    private static final int REGISTRATION = 1, OTHER = 2;
    private final Serializer serializer;

    RegistrationCodec(Serializer serializer) {
        this.serializer = serializer;
    }

    @Override
    public byte[] encode(Object o) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(b)) {
            if (o instanceof Registration r) {
                out.writeByte(REGISTRATION);
                out.writeUTF(r.pid().node());
                out.writeLong(r.pid().creation());
                out.writeLong(r.pid().id());
                out.writeBoolean(r.value() != null);
                if (r.value() != null) {
                    byte[] v = serializer.serialize(r.value());
                    out.writeInt(v.length);
                    out.write(v);
                }
            } else {
                out.writeByte(OTHER);
                out.write(serializer.serialize(o));
            }
        } catch (IOException e) {
            throw new IllegalStateException(e); // a ByteArrayOutputStream does not fail
        }
        return b.toByteArray();
    }

    @Override
    public Object decode(byte[] bytes) throws DeltaCodec.Malformed {
        if (bytes.length == 0) throw new DeltaCodec.Malformed("an empty registry item");
        try {
            if (bytes[0] == OTHER) return serializer.deserialize(java.util.Arrays.copyOfRange(bytes, 1, bytes.length));
            if (bytes[0] != REGISTRATION) throw new DeltaCodec.Malformed("unknown registry item tag " + bytes[0]);
            DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(bytes, 1, bytes.length - 1));
            String node = in.readUTF();
            long creation = in.readLong(), id = in.readLong();
            Object value = null;
            if (in.readBoolean()) {
                int n = in.readInt();
                if (n < 0 || n > in.available()) throw new DeltaCodec.Malformed("a value of " + n + " bytes");
                value = serializer.deserialize(in.readNBytes(n));
            }
            if (in.available() != 0) throw new DeltaCodec.Malformed("trailing bytes after a registration");
            if (node.isEmpty() || id < 0) throw new DeltaCodec.Malformed("a registration without a valid pid");
            return new Registration(new Pid(node, creation, id), value);
        } catch (IOException | FrameException | IllegalArgumentException e) {
            throw new DeltaCodec.Malformed("a damaged registry item: " + e.getMessage(), e);
        }
    }
}
