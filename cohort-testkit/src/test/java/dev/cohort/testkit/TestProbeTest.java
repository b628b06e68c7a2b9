package dev.cohort.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cohort.process.Down;
import dev.cohort.process.ExitReason;
import dev.cohort.process.Node;
import dev.cohort.process.Pid;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The probe's expectations pass on what arrived and fail, saying what arrived, on anything else. */
class TestProbeTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private final Node node = Node.start();

    @AfterEach
    void stop() { node.close(); }

    /** An echo process: answers every (pid, text) with the text, to the pid. */
    private Pid echo() {
        return node.spawn(self -> {
            for (;;) {
                if (self.receive() instanceof Object[] m && m[0] instanceof Pid from) self.send(from, m[1]);
            }
        });
    }

    @Test
    void expectMessageReturnsTheNextMessageOfItsTypeInArrivalOrder() {
        try (TestProbe probe = TestProbe.on(node)) {
            Pid echo = echo();
            node.send(echo, new Object[] {probe.pid(), "one"});
            node.send(echo, new Object[] {probe.pid(), 2});
            assertThat(probe.expectMessage(String.class, WAIT)).isEqualTo("one");
            assertThat(probe.expectMessage(Integer.class, WAIT)).isEqualTo(2);
            assertThat(probe.pending()).isZero();
        }
    }

    @Test
    void aMessageOfAnotherTypeOrNoneFailsWithWhatArrived() {
        try (TestProbe probe = TestProbe.on(node)) {
            node.send(probe.pid(), "surprise");
            assertThatThrownBy(() -> probe.expectMessage(Integer.class, WAIT))
                    .isInstanceOf(AssertionError.class).hasMessageContaining("java.lang.String surprise");
            assertThatThrownBy(() -> probe.expectMessage(Integer.class, Duration.ofMillis(20)))
                    .isInstanceOf(AssertionError.class).hasMessageContaining("got nothing");
        }
    }

    @Test
    void expectNoMessagePassesOnSilenceAndFailsOnAMessage() {
        try (TestProbe probe = TestProbe.on(node)) {
            probe.expectNoMessage(Duration.ofMillis(50));
            node.send(probe.pid(), "late");
            assertThatThrownBy(() -> probe.expectNoMessage(WAIT)).isInstanceOf(AssertionError.class).hasMessageContaining("late");
        }
    }

    @Test
    void sendsFromTheProbeBringRepliesBackAndTerminationsAreWatched() {
        try (TestProbe probe = TestProbe.on(node)) {
            Pid echo = echo();
            probe.send(echo, new Object[] {probe.pid(), "ping"});
            assertThat(probe.expectMessage(String.class, WAIT)).isEqualTo("ping");
            node.exit(echo, ExitReason.KILL);
            Down down = probe.expectTermination(echo, WAIT);
            assertThat(down.pid()).isEqualTo(echo);
        }
    }
}
