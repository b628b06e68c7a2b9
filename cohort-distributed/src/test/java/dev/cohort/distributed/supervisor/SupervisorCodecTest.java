package dev.cohort.distributed.supervisor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.cluster.wire.Mutations;
import dev.cohort.crdt.DeltaCodec;
import dev.cohort.process.Pid;
import dev.cohort.supervisor.Restart;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
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
    void requestsAndAnswersRoundTripAndDamagedOnesAreRefused() throws Exception {
        Pid pid = new Pid("b@127.0.0.1", 3, 99);
        byte[] terminate = SupervisorCodec.encodePid(SupervisorServer.TERMINATE, pid);
        assertThat(SupervisorCodec.decodePid(terminate)).isEqualTo(pid);
        List<RunningChild> children = List.of(new RunningChild("a", pid), new RunningChild("b", new Pid("c@127.0.0.1", 1, 2)));
        byte[] list = SupervisorCodec.encodeChildren(children);
        assertThat(SupervisorCodec.decodeChildren(list)).isEqualTo(children);
        assertThat(SupervisorCodec.decodeChildren(SupervisorCodec.encodeChildren(List.of()))).isEmpty();
        fuzz(List.of(terminate), SupervisorCodec::decodePid);
        fuzz(List.of(list), SupervisorCodec::decodeChildren);
    }

    private interface Decoder {
        Object decode(byte[] b) throws DeltaCodec.Malformed;
    }

    private static void fuzz(List<byte[]> seeds, Decoder decoder) {
        Random r = new Random(5);
        int refused = 0;
        for (int i = 0; i < 100_000; i++) {
            byte[] b;
            if (i % 4 == 0) {
                b = new byte[1 + r.nextInt(40)];
                r.nextBytes(b);
            } else {
                b = Mutations.mutate(r, seeds.get(r.nextInt(seeds.size())));
                if (b.length == 0) b = new byte[] {0};
            }
            try {
                decoder.decode(b);
            } catch (DeltaCodec.Malformed expected) {
                refused++;
            } catch (RuntimeException e) {
                throw new AssertionError("case " + i + ": " + e, e);
            }
        }
        assertThat(refused).isGreaterThan(20_000);
    }
}
