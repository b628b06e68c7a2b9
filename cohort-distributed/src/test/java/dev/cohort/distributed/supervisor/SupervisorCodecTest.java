package dev.cohort.distributed.supervisor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.distributed.testing.CodecFuzz;
import dev.cohort.process.Pid;
import dev.cohort.supervisor.Restart;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Members, child records, pids and child lists survive the round trip; damaged bytes (what a
 * faulty or hostile peer could send) only ever fail with {@code Malformed} (100,000 cases each).
 */
class SupervisorCodecTest {
    private final SupervisorCodec codec = new SupervisorCodec();

    @Test
    void itemsRoundTripAndDamagedItemsAreRefused() throws Exception {
        Pid pid = new Pid("gotham@127.0.0.1", 42, 7);
        ChildRecord child = new ChildRecord("session-1", "counter", new byte[] {1, 2, 3}, Restart.TRANSIENT, "gotham@127.0.0.1", pid);
        ChildRecord moving = new ChildRecord("é", "f", new byte[0], Restart.TEMPORARY, "metropolis@127.0.0.1", null);
        Member member = new Member("gotham@127.0.0.1", pid, true);
        assertThat(codec.decode(codec.encode(member))).isEqualTo(member);
        for (ChildRecord c : List.of(child, moving)) {
            ChildRecord back = (ChildRecord) codec.decode(codec.encode(c));
            assertThat(back).usingRecursiveComparison().isEqualTo(c);
        }
        fuzz(List.of(codec.encode(member), codec.encode(child), codec.encode(moving)), b -> codec.decode(b));
    }

    @Test
    void answersRoundTripAndDamagedOnesAreRefused() throws Exception {
        Pid pid = new Pid("b@127.0.0.1", 3, 99);
        List<RunningChild> children = List.of(new RunningChild("a", pid), new RunningChild("b", new Pid("c@127.0.0.1", 1, 2)));
        byte[] list = SupervisorCodec.encodeChildren(children);
        assertThat(SupervisorCodec.decodeChildren(list)).isEqualTo(children);
        assertThat(SupervisorCodec.decodeChildren(SupervisorCodec.encodeChildren(List.of()))).isEmpty();
        fuzz(List.of(list), SupervisorCodec::decodeChildren);
    }

    private static void fuzz(List<byte[]> seeds, CodecFuzz.Decoder decoder) {
        assertThat(CodecFuzz.refusals(5, seeds, decoder)).isGreaterThan(20_000);
    }
}
