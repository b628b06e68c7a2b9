package dev.cohort.cluster.wire;

import dev.cohort.process.ExitReason;
import dev.cohort.process.Pid;
import dev.cohort.process.Ref;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The explicit binary encoding of {@link Frame}s.
 *
 * <pre>
 * frame   := version:u8 (=1) type:u8 body            (no trailing bytes)
 * pid     := node:str creation:varlong id:varlong
 * ref     := node:str creation:varlong id:varlong
 * str     := length:varint utf8-bytes                (at most 1,024 bytes: node and process names)
 * bytes   := length:varint raw                       (at most the frame limit)
 * reason  := tag:u8 ...   normal | shutdown [detail:value?] | kill | killed | noproc
 *                       | noconnection | crashed class:str8k message:str8k? | custom value
 * value   := bytes made by the Serializer
 * </pre>
 *
 * Decoding never trusts a length: every read is checked against what remains, frames over
 * the size limit are refused before they are read, and every failure is a
 * {@link FrameException}. Thread-safe.
 */
public final class FrameCodec {
    /** The wire version this codec writes and accepts. */
    public static final int VERSION = 1;
    /** Default largest frame: 16 MiB. */
    public static final int DEFAULT_MAX_FRAME = 16 << 20;
    private static final int MAX_NODE_NAME = 1024;
    private static final int MAX_TEXT = 8192;

    private static final int SEND = 1, CALL = 2, CAST = 3, REPLY = 4, EXIT = 5, LINK = 6, UNLINK = 7,
            MONITOR = 8, DEMONITOR = 9, DOWN = 10, SEND_NAMED = 11, CALL_NAMED = 12, MONITOR_NAMED = 13,
            GLOBAL_CLAIM = 14, GLOBAL_RELEASE = 15, GLOBAL_ANNOUNCE = 16, GLOBAL_DENIED = 17;
    /** Most names one announcement may carry. */
    private static final int MAX_ANNOUNCED = 1 << 20;
    private static final int R_NORMAL = 0, R_SHUTDOWN = 1, R_SHUTDOWN_DETAIL = 2, R_KILL = 3, R_KILLED = 4,
            R_NOPROC = 5, R_NOCONNECTION = 6, R_CRASHED = 7, R_CUSTOM = 8;

    private final Serializer serializer;
    private final int maxFrame;

    public FrameCodec(Serializer serializer) {
        this(serializer, DEFAULT_MAX_FRAME);
    }

    public FrameCodec(Serializer serializer, int maxFrame) {
        this.serializer = Objects.requireNonNull(serializer, "serializer");
        if (maxFrame < 64) throw new IllegalArgumentException("maxFrame must be >= 64, got " + maxFrame);
        this.maxFrame = maxFrame;
    }

    // ------------------------------------------------------------------ encoding

    /** Encodes a frame; throws {@link IllegalArgumentException} if it exceeds the frame limit. */
    public byte[] encode(Frame frame) {
        Out out = new Out();
        out.u8(VERSION);
        switch (frame) {
            case Frame.Send f -> { out.u8(SEND); pid(out, f.to()); out.bytes(f.payload()); }
            case Frame.Call f -> { out.u8(CALL); pid(out, f.to()); pid(out, f.caller()); ref(out, f.ref()); out.bytes(f.request()); }
            case Frame.Cast f -> { out.u8(CAST); pid(out, f.to()); out.bytes(f.request()); }
            case Frame.Reply f -> { out.u8(REPLY); pid(out, f.to()); ref(out, f.ref()); out.bytes(f.value()); }
            case Frame.Exit f -> { out.u8(EXIT); pid(out, f.from()); pid(out, f.to()); reason(out, f.reason()); out.u8(f.fromLink() ? 1 : 0); }
            case Frame.Link f -> { out.u8(LINK); pid(out, f.from()); pid(out, f.to()); }
            case Frame.Unlink f -> { out.u8(UNLINK); pid(out, f.from()); pid(out, f.to()); }
            case Frame.Monitor f -> { out.u8(MONITOR); pid(out, f.watcher()); pid(out, f.target()); ref(out, f.ref()); }
            case Frame.Demonitor f -> { out.u8(DEMONITOR); pid(out, f.target()); ref(out, f.ref()); }
            case Frame.Down f -> { out.u8(DOWN); pid(out, f.watcher()); ref(out, f.ref()); pid(out, f.pid()); reason(out, f.reason()); }
            case Frame.SendNamed f -> { out.u8(SEND_NAMED); name(out, f.name()); out.bytes(f.payload()); }
            case Frame.CallNamed f -> { out.u8(CALL_NAMED); name(out, f.name()); pid(out, f.caller()); ref(out, f.ref()); out.bytes(f.request()); }
            case Frame.MonitorNamed f -> { out.u8(MONITOR_NAMED); pid(out, f.watcher()); name(out, f.name()); ref(out, f.ref()); }
            case Frame.GlobalClaim f -> { out.u8(GLOBAL_CLAIM); claim(out, f); }
            case Frame.GlobalRelease f -> { out.u8(GLOBAL_RELEASE); name(out, f.name()); pid(out, f.pid()); }
            case Frame.GlobalDenied f -> { out.u8(GLOBAL_DENIED); out.varlong(f.request()); name(out, f.name()); pid(out, f.holder()); }
            case Frame.GlobalAnnounce f -> {
                out.u8(GLOBAL_ANNOUNCE);
                out.varlong(f.held().size());
                for (Frame.GlobalClaim c : f.held()) claim(out, c);
            }
        }
        if (out.size() > maxFrame) throw new IllegalArgumentException("frame of " + out.size() + " bytes exceeds the limit of " + maxFrame);
        return out.toBytes();
    }

    private static void pid(Out out, Pid p) {
        out.str(p.node());
        out.varlong(p.creation());
        out.varlong(p.id());
    }

    private static void claim(Out out, Frame.GlobalClaim c) {
        out.varlong(c.request());
        name(out, c.name());
        pid(out, c.pid());
        out.varlong(c.stamp());
    }

    private static void name(Out out, String name) {
        byte[] b = name.getBytes(StandardCharsets.UTF_8);
        if (b.length == 0 || b.length > MAX_NODE_NAME) throw new IllegalArgumentException("a registered name must be 1.." + MAX_NODE_NAME + " UTF-8 bytes, got " + b.length);
        out.bytes(b);
    }

    private static void ref(Out out, Ref r) {
        out.str(r.node());
        out.varlong(r.creation());
        out.varlong(r.id());
    }

    private void reason(Out out, ExitReason r) {
        switch (r) {
            case ExitReason.Normal n -> out.u8(R_NORMAL);
            case ExitReason.Shutdown s when s.detail() == null -> out.u8(R_SHUTDOWN);
            case ExitReason.Shutdown s -> { out.u8(R_SHUTDOWN_DETAIL); out.bytes(serializer.serialize(s.detail())); }
            case ExitReason.Kill k -> out.u8(R_KILL);
            case ExitReason.Killed k -> out.u8(R_KILLED);
            case ExitReason.NoProc n -> out.u8(R_NOPROC);
            case ExitReason.NoConnection n -> out.u8(R_NOCONNECTION);
            case ExitReason.Crashed c -> {
                out.u8(R_CRASHED);
                Throwable e = c.exception();
                String cls = e instanceof RemoteException re ? re.className() : e.getClass().getName();
                String msg = e instanceof RemoteException re ? re.originalMessage() : e.getMessage();
                out.str(truncate(cls));
                out.u8(msg == null ? 0 : 1);
                if (msg != null) out.str(truncate(msg));
            }
            case ExitReason.Custom c -> { out.u8(R_CUSTOM); out.bytes(serializer.serialize(c.value())); }
        }
    }

    private static String truncate(String s) {
        if (s.length() <= MAX_TEXT / 4) return s;
        return s.substring(0, MAX_TEXT / 4);
    }

    // ------------------------------------------------------------------ decoding

    /** Decodes one frame. Every problem with the input is a {@link FrameException}. */
    public Frame decode(byte[] frame) throws FrameException {
        if (frame == null) throw new FrameException("no frame");
        if (frame.length > maxFrame) throw new FrameException("frame of " + frame.length + " bytes exceeds the limit of " + maxFrame);
        In in = new In(frame);
        int version = in.u8();
        if (version != VERSION) throw new FrameException("unsupported wire version " + version + " (this node speaks " + VERSION + ")");
        int type = in.u8();
        Frame f = switch (type) {
            case SEND -> new Frame.Send(pid(in), in.bytes());
            case CALL -> new Frame.Call(pid(in), pid(in), ref(in), in.bytes());
            case CAST -> new Frame.Cast(pid(in), in.bytes());
            case REPLY -> new Frame.Reply(pid(in), ref(in), in.bytes());
            case EXIT -> new Frame.Exit(pid(in), pid(in), reason(in), in.bool());
            case LINK -> new Frame.Link(pid(in), pid(in));
            case UNLINK -> new Frame.Unlink(pid(in), pid(in));
            case MONITOR -> new Frame.Monitor(pid(in), pid(in), ref(in));
            case DEMONITOR -> new Frame.Demonitor(pid(in), ref(in));
            case DOWN -> new Frame.Down(pid(in), ref(in), pid(in), reason(in));
            case SEND_NAMED -> new Frame.SendNamed(name(in), in.bytes());
            case CALL_NAMED -> new Frame.CallNamed(name(in), pid(in), ref(in), in.bytes());
            case MONITOR_NAMED -> new Frame.MonitorNamed(pid(in), name(in), ref(in));
            case GLOBAL_CLAIM -> claim(in);
            case GLOBAL_RELEASE -> new Frame.GlobalRelease(name(in), pid(in));
            case GLOBAL_DENIED -> new Frame.GlobalDenied(in.varlong(), name(in), pid(in));
            case GLOBAL_ANNOUNCE -> {
                long n = in.varlong();
                // each claim takes at least 5 bytes: never trust the count further than the input
                if (n < 0 || n > MAX_ANNOUNCED || n > in.remaining() / 5) throw new FrameException("announcement of " + n + " names does not fit in the frame");
                java.util.List<Frame.GlobalClaim> held = new java.util.ArrayList<>((int) n);
                for (long i = 0; i < n; i++) held.add(claim(in));
                yield new Frame.GlobalAnnounce(held);
            }
            default -> throw new FrameException("unknown frame type " + type);
        };
        if (in.remaining() != 0) throw new FrameException(in.remaining() + " unexpected trailing bytes after a frame of type " + type);
        return f;
    }

    private static Pid pid(In in) throws FrameException {
        String node = in.nodeName();
        long creation = in.varlong();
        long id = in.varlong();
        if (node.isEmpty()) throw new FrameException("pid with an empty node name");
        if (id < 0) throw new FrameException("pid with a negative id " + id);
        return new Pid(node, creation, id);
    }

    private static Frame.GlobalClaim claim(In in) throws FrameException {
        return new Frame.GlobalClaim(in.varlong(), name(in), pid(in), in.varlong());
    }

    private static String name(In in) throws FrameException {
        String name = in.str(MAX_NODE_NAME);
        if (name.isBlank()) throw new FrameException("blank registered name");
        return name;
    }

    private static Ref ref(In in) throws FrameException {
        String node = in.nodeName();
        long creation = in.varlong();
        long id = in.varlong();
        if (node.isEmpty()) throw new FrameException("ref with an empty node name");
        return new Ref(node, creation, id);
    }

    private ExitReason reason(In in) throws FrameException {
        int tag = in.u8();
        return switch (tag) {
            case R_NORMAL -> ExitReason.NORMAL;
            case R_SHUTDOWN -> ExitReason.SHUTDOWN;
            case R_SHUTDOWN_DETAIL -> new ExitReason.Shutdown(serializer.deserialize(in.bytes()));
            case R_KILL -> ExitReason.KILL;
            case R_KILLED -> ExitReason.KILLED;
            case R_NOPROC -> ExitReason.NOPROC;
            case R_NOCONNECTION -> ExitReason.NOCONNECTION;
            case R_CRASHED -> {
                String cls = in.str(MAX_TEXT);
                String msg = in.bool() ? in.str(MAX_TEXT) : null;
                yield new ExitReason.Crashed(new RemoteException(cls, msg));
            }
            case R_CUSTOM -> new ExitReason.Custom(serializer.deserialize(in.bytes()));
            default -> throw new FrameException("unknown exit reason tag " + tag);
        };
    }

    // ------------------------------------------------------------------ primitives

    /** A growable output buffer. */
    private static final class Out {
        private byte[] buf = new byte[64];
        private int n;

        private void ensure(int more) {
            if (n + more > buf.length) buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, n + more));
        }

        void u8(int v) { ensure(1); buf[n++] = (byte) v; }

        void varlong(long v) {
            ensure(10);
            while ((v & ~0x7FL) != 0) {
                buf[n++] = (byte) ((v & 0x7F) | 0x80);
                v >>>= 7;
            }
            buf[n++] = (byte) v;
        }

        void bytes(byte[] b) {
            varlong(b.length);
            ensure(b.length);
            System.arraycopy(b, 0, buf, n, b.length);
            n += b.length;
        }

        void str(String s) { bytes(s.getBytes(StandardCharsets.UTF_8)); }

        int size() { return n; }

        byte[] toBytes() { return java.util.Arrays.copyOf(buf, n); }
    }

    /** A node name as decoded before: its bytes and the one String every frame naming it shares. */
    private record KnownName(byte[] bytes, String name) {}

    /**
     * Node names decoded recently, by a hash of their bytes: nearly every pid and ref in a frame
     * names one of a few nodes, so decoding them reuses one String each instead of allocating
     * one per pid (and {@code Pid.equals} then finds equal names by identity). Entries are
     * immutable; a race only costs a miss.
     */
    private static final KnownName[] KNOWN_NAMES = new KnownName[64];

    /** A bounds-checked reader. */
    private static final class In {
        private final byte[] buf;
        private int pos;

        In(byte[] buf) { this.buf = buf; }

        int remaining() { return buf.length - pos; }

        private boolean ascii(int from, int len) {
            for (int i = from, end = from + len; i < end; i++) if (buf[i] < 0) return false;
            return true;
        }

        int u8() throws FrameException {
            if (pos >= buf.length) throw new FrameException("truncated frame at byte " + pos);
            return buf[pos++] & 0xFF;
        }

        boolean bool() throws FrameException {
            int b = u8();
            if (b > 1) throw new FrameException("invalid boolean " + b + " at byte " + (pos - 1));
            return b == 1;
        }

        long varlong() throws FrameException {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                int b = u8();
                v |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    if (shift == 63 && b > 1) throw new FrameException("varint overflows 64 bits at byte " + pos);
                    return v;
                }
            }
            throw new FrameException("varint longer than 10 bytes at byte " + pos);
        }

        private int length(int max) throws FrameException {
            long len = varlong();
            if (len < 0 || len > max) throw new FrameException("length " + len + " exceeds the limit of " + max + " at byte " + pos);
            if (len > remaining()) throw new FrameException("length " + len + " exceeds the " + remaining() + " bytes left at byte " + pos);
            return (int) len;
        }

        byte[] bytes() throws FrameException {
            int len = length(Integer.MAX_VALUE - 8);
            byte[] out = java.util.Arrays.copyOfRange(buf, pos, pos + len);
            pos += len;
            return out;
        }

        /** A node name (as {@link #str} with {@code MAX_NODE_NAME}), the same String as for earlier frames naming it. */
        String nodeName() throws FrameException {
            int mark = pos;
            int len = length(MAX_NODE_NAME);
            int h = len;
            for (int i = pos, end = pos + len; i < end; i++) h = 31 * h + buf[i];
            int slot = h & (KNOWN_NAMES.length - 1);
            KnownName k = KNOWN_NAMES[slot];
            if (k != null && java.util.Arrays.equals(k.bytes(), 0, k.bytes().length, buf, pos, pos + len)) {
                pos += len;
                return k.name();
            }
            pos = mark;
            String s = str(MAX_NODE_NAME);
            KNOWN_NAMES[slot] = new KnownName(java.util.Arrays.copyOfRange(buf, pos - len, pos), s); // same bytes, same text
            return s;
        }

        String str(int max) throws FrameException {
            int len = length(max);
            if (ascii(pos, len)) { // the common case (node names): no decoder needed
                String s = new String(buf, pos, len, StandardCharsets.US_ASCII);
                pos += len;
                return s;
            }
            CharsetDecoder d = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
            try {
                CharBuffer cb = d.decode(ByteBuffer.wrap(buf, pos, len));
                pos += len;
                return cb.toString();
            } catch (CharacterCodingException e) {
                throw new FrameException("invalid UTF-8 text at byte " + pos, e);
            }
        }
    }
}
