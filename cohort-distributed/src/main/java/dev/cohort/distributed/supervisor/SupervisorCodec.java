package dev.cohort.distributed.supervisor;

import dev.cohort.crdt.DeltaCodec;
import dev.cohort.process.Pid;
import dev.cohort.supervisor.Restart;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Explicit encodings of what the supervisor replicates and asks other members, so that none of
 * its classes needs the serializer's allow-list (only a child's argument goes through it).
 *
 * <pre>
 * member   := 1 pid leaving:u8
 * child    := 2 id:utf factory:utf restart:u8 owner:utf hasPid:u8 [pid] argLength:i32 arg
 * pid      := node:utf creation:i64 id:i64
 * children := count:i32 (id:utf pid)*
 * </pre>
 */
final class SupervisorCodec implements DeltaCodec.Values {
    private static final int MEMBER = 1, CHILD = 2;
    private static final Restart[] RESTARTS = Restart.values();

    @Override
    public byte[] encode(Object value) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(b)) {
            switch (value) {
                case Member m -> {
                    out.writeByte(MEMBER);
                    writePid(out, m.server());
                    out.writeBoolean(m.leaving());
                }
                case ChildRecord c -> {
                    out.writeByte(CHILD);
                    out.writeUTF(c.id());
                    out.writeUTF(c.factory());
                    out.writeByte(c.restart().ordinal());
                    out.writeUTF(c.owner());
                    out.writeBoolean(c.pid() != null);
                    if (c.pid() != null) writePid(out, c.pid());
                    out.writeInt(c.arg().length);
                    out.write(c.arg());
                }
                default -> throw new IllegalArgumentException("not a supervisor item: " + value);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e); // a ByteArrayOutputStream does not fail
        }
        return b.toByteArray();
    }

    @Override
    public Object decode(byte[] bytes) throws DeltaCodec.Malformed {
        if (bytes.length == 0) throw new DeltaCodec.Malformed("an empty supervisor item");
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes, 1, bytes.length - 1));
            Object item = switch (bytes[0]) {
                case MEMBER -> {
                    Pid server = readPid(in);
                    yield new Member(server.node(), server, in.readBoolean());
                }
                case CHILD -> {
                    String id = in.readUTF(), factory = in.readUTF();
                    int restart = in.readUnsignedByte();
                    if (restart >= RESTARTS.length) throw new DeltaCodec.Malformed("unknown restart type " + restart);
                    String owner = in.readUTF();
                    Pid pid = in.readBoolean() ? readPid(in) : null;
                    int n = in.readInt();
                    if (n < 0 || n > in.available()) throw new DeltaCodec.Malformed("an argument of " + n + " bytes");
                    yield new ChildRecord(id, factory, in.readNBytes(n), RESTARTS[restart], owner, pid);
                }
                default -> throw new DeltaCodec.Malformed("unknown supervisor item tag " + bytes[0]);
            };
            if (in.available() != 0) throw new DeltaCodec.Malformed("trailing bytes after a supervisor item");
            return item;
        } catch (IOException | IllegalArgumentException e) {
            throw new DeltaCodec.Malformed("a damaged supervisor item: " + e.getMessage(), e);
        }
    }

    static byte[] encodeChildren(List<RunningChild> children) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(b)) {
            out.writeInt(children.size());
            for (RunningChild c : children) {
                out.writeUTF(c.id());
                writePid(out, c.pid());
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return b.toByteArray();
    }

    static List<RunningChild> decodeChildren(byte[] bytes) throws DeltaCodec.Malformed {
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
            int n = in.readInt();
            if (n < 0 || n > bytes.length / 20) throw new DeltaCodec.Malformed("a list of " + n + " children in " + bytes.length + " bytes");
            List<RunningChild> children = new ArrayList<>(n);
            for (int i = 0; i < n; i++) children.add(new RunningChild(in.readUTF(), readPid(in)));
            if (in.available() != 0) throw new DeltaCodec.Malformed("trailing bytes after the children");
            return children;
        } catch (IOException | IllegalArgumentException e) {
            throw new DeltaCodec.Malformed("a damaged list of children: " + e.getMessage(), e);
        }
    }

    private static void writePid(DataOutputStream out, Pid pid) throws IOException {
        out.writeUTF(pid.node());
        out.writeLong(pid.creation());
        out.writeLong(pid.id());
    }

    private static Pid readPid(DataInputStream in) throws IOException, DeltaCodec.Malformed {
        String node = in.readUTF();
        long creation = in.readLong(), id = in.readLong();
        if (node.isEmpty() || id < 0) throw new DeltaCodec.Malformed("not a valid pid");
        return new Pid(node, creation, id);
    }
}
