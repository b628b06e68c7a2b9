package dev.cohort.cluster.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cohort.process.ExitReason;
import dev.cohort.process.Pid;
import dev.cohort.process.Ref;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FrameCodecTest {
    private final Serializer serializer = ForySerializer.builder().build();
    private final FrameCodec codec = new FrameCodec(serializer, 1 << 16);
    private final Pid a = new Pid("gotham@127.0.0.1", 7, 42);
    private final Pid b = new Pid("metropolis@127.0.0.1", 9, 1);

    private Frame roundTrip(Frame f) throws FrameException {
        byte[] bytes = codec.encode(f);
        Frame back = codec.decode(bytes);
        assertThat(codec.encode(back)).isEqualTo(bytes);
        return back;
    }

    @Test
    void controlFramesRoundTripWithIdentityKept() throws Exception {
        Ref ref = new Ref("gotham@127.0.0.1", 7, 5);
        assertThat(roundTrip(new Frame.Link(a, b))).isEqualTo(new Frame.Link(a, b));
        assertThat(roundTrip(new Frame.Unlink(a, b))).isEqualTo(new Frame.Unlink(a, b));
        assertThat(roundTrip(new Frame.Monitor(a, b, ref))).isEqualTo(new Frame.Monitor(a, b, ref));
        assertThat(roundTrip(new Frame.Demonitor(b, ref))).isEqualTo(new Frame.Demonitor(b, ref));
        assertThat(roundTrip(new Frame.Exit(a, b, ExitReason.KILL, false))).isEqualTo(new Frame.Exit(a, b, ExitReason.KILL, false));
        assertThat(roundTrip(new Frame.Down(a, ref, b, ExitReason.NOCONNECTION))).isEqualTo(new Frame.Down(a, ref, b, ExitReason.NOCONNECTION));
        Frame.Send send = (Frame.Send) roundTrip(new Frame.Send(b, serializer.serialize("hello")));
        assertThat(send.to()).isEqualTo(b);
        assertThat(serializer.deserialize(send.payload())).isEqualTo("hello");
    }

    @Test
    void reasonsKeepTheirMeaning() throws Exception {
        Frame.Exit crash = (Frame.Exit) roundTrip(new Frame.Exit(a, b, new ExitReason.Crashed(new IllegalStateException("boom")), true));
        assertThat(crash.reason()).isInstanceOfSatisfying(ExitReason.Crashed.class, c -> {
            assertThat(c.exception()).isInstanceOf(RemoteException.class).hasMessage("java.lang.IllegalStateException: boom");
            assertThat(((RemoteException) c.exception()).className()).isEqualTo("java.lang.IllegalStateException");
        });
        assertThat(crash.fromLink()).isTrue();
        Frame.Exit custom = (Frame.Exit) roundTrip(new Frame.Exit(a, b, ExitReason.of("name_conflict"), false));
        assertThat(custom.reason()).isEqualTo(ExitReason.of("name_conflict"));
        Frame.Exit detail = (Frame.Exit) roundTrip(new Frame.Exit(a, b, new ExitReason.Shutdown("deploy"), false));
        assertThat(detail.reason()).isEqualTo(new ExitReason.Shutdown("deploy"));
    }

    @Test
    void randomValidFramesRoundTrip() throws Exception {
        Random r = new Random(20261122);
        for (int i = 0; i < 10_000; i++) roundTrip(Frames.frame(r, serializer));
    }

    @Test
    void badFramesAreRefusedWithClearErrors() {
        byte[] good = codec.encode(new Frame.Link(a, b));
        assertThatThrownBy(() -> codec.decode(new byte[0])).isInstanceOf(FrameException.class).hasMessageContaining("truncated");
        assertThatThrownBy(() -> codec.decode(Arrays.copyOf(good, good.length - 3))).isInstanceOf(FrameException.class);
        assertThatThrownBy(() -> codec.decode(Arrays.copyOf(good, good.length + 1))).isInstanceOf(FrameException.class).hasMessageContaining("trailing");
        byte[] version = good.clone();
        version[0] = 9;
        assertThatThrownBy(() -> codec.decode(version)).isInstanceOf(FrameException.class).hasMessageContaining("unsupported wire version 9");
        byte[] type = good.clone();
        type[1] = 99;
        assertThatThrownBy(() -> codec.decode(type)).isInstanceOf(FrameException.class).hasMessageContaining("unknown frame type 99");
        assertThatThrownBy(() -> codec.decode(new byte[(1 << 16) + 1])).isInstanceOf(FrameException.class).hasMessageContaining("exceeds the limit");
        // a node name claiming 2^62 bytes
        byte[] huge = {1, 6, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x3F};
        assertThatThrownBy(() -> codec.decode(huge)).isInstanceOf(FrameException.class).hasMessageContaining("exceeds the limit");
        byte[] overlong = {1, 6, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 1};
        assertThatThrownBy(() -> codec.decode(overlong)).isInstanceOf(FrameException.class).hasMessageContaining("varint");
        byte[] badUtf8 = {1, 6, 2, (byte) 0xC3, (byte) 0x28, 0, 0, 1, 'x', 0, 0};
        assertThatThrownBy(() -> codec.decode(badUtf8)).isInstanceOf(FrameException.class).hasMessageContaining("UTF-8");
        assertThatThrownBy(() -> codec.decode(null)).isInstanceOf(FrameException.class);
    }

    @Test
    void encodingRefusesFramesOverTheLimit() {
        assertThatThrownBy(() -> codec.encode(new Frame.Send(a, new byte[1 << 16])))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exceeds the limit");
    }

    @Test
    void decodedNodeNamesAreSharedAcrossFramesAndStayCorrect() throws FrameException {
        Frame.Link first = (Frame.Link) codec.decode(codec.encode(new Frame.Link(a, b)));
        Frame.Link second = (Frame.Link) codec.decode(codec.encode(new Frame.Link(b, a)));
        assertThat(second.to().node()).isSameAs(first.from().node()).isEqualTo("gotham@127.0.0.1");
        assertThat(second.from().node()).isSameAs(first.to().node()).isEqualTo("metropolis@127.0.0.1");
        // names that collide in the table, or are new, still decode to their own text
        for (int i = 0; i < 500; i++) {
            Pid p = new Pid("n" + i + "@host-é" + (i % 7), i, i);
            Frame.Link back = (Frame.Link) codec.decode(codec.encode(new Frame.Link(p, a)));
            assertThat(back.from()).isEqualTo(p);
            assertThat(back.to()).isEqualTo(a);
        }
    }
}
