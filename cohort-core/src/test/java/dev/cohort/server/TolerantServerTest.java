package dev.cohort.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.process.Cast;
import dev.cohort.process.Node;
import dev.cohort.process.Pid;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A cast a {@link TolerantServer} has no clause for is logged and dropped; a plain server crashes on it. */
class TolerantServerTest {
    private final Node node = Node.builder().name("tolerant@127.0.0.1").build();

    @AfterEach
    void close() {
        node.close();
    }

    static final class Echo implements TolerantServer<Integer> {
        @Override
        public Next<Integer> init(dev.cohort.process.ProcessContext self) { return Next.ok(0); }

        @Override
        public Next<Integer> handleCall(Object request, dev.cohort.process.From from, Integer state) {
            return Next.reply(state + 1, state + 1);
        }
    }

    static final class Plain implements GenServer<Integer> {
        @Override
        public Next<Integer> init(dev.cohort.process.ProcessContext self) { return Next.ok(0); }
    }

    @Test
    void unknownCastsAreDroppedAndTheServerKeepsServing() {
        Pid tolerant = GenServer.start(node, new Echo());
        long before = DroppedCasts.count(Echo.class);
        for (int i = 0; i < 2000; i++) node.send(tolerant, new Cast(i));
        assertThat(node.<Integer>call(tolerant, "count", Duration.ofSeconds(10))).isEqualTo(1);
        assertThat(DroppedCasts.count(Echo.class) - before).isEqualTo(2000);
        assertThat(node.isAlive(tolerant)).isTrue();
    }

    @Test
    void aPlainServerStillCrashesOnOne() {
        Pid plain = GenServer.start(node, new Plain());
        node.send(plain, new Cast("what"));
        org.awaitility.Awaitility.await().until(() -> !node.isAlive(plain));
    }
}
