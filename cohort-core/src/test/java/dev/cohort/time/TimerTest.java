package dev.cohort.time;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.InProcess;
import dev.cohort.process.Node;
import dev.cohort.process.TimerRef;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TimerTest {
    private final ManualTime time = new ManualTime();
    private final Node node = Node.builder().name("gotham@127.0.0.1").clock(time).scheduler(time).build();

    @AfterEach
    void stop() { node.shutdown(Duration.ofSeconds(5)); }

    @Test
    void sendAfterDeliversOnlyWhenTimeComes() {
        InProcess.run(node, self -> {
            self.sendAfter(self.self(), "tick", Duration.ofSeconds(5));
            time.advance(Duration.ofSeconds(4));
            assertThat(self.receive(Duration.ZERO)).isEmpty();
            time.advance(Duration.ofSeconds(1));
            assertThat(self.receive(Duration.ZERO)).contains("tick");
            return null;
        });
    }

    @Test
    void cancelledTimerNeverFires() {
        InProcess.run(node, self -> {
            TimerRef t = self.sendAfter(self.self(), "tick", Duration.ofSeconds(1));
            assertThat(t.cancel()).isTrue();
            assertThat(t.cancel()).isFalse();
            time.advance(Duration.ofSeconds(2));
            assertThat(self.receive(Duration.ZERO)).isEmpty();
            TimerRef fired = self.sendAfter(self.self(), "tock", Duration.ofSeconds(1));
            time.advance(Duration.ofSeconds(1));
            assertThat(fired.cancel()).isFalse();
            assertThat(self.receive(Duration.ZERO)).contains("tock");
            return null;
        });
    }

    @Test
    void timersFireInTimeOrder() {
        List<String> fired = new CopyOnWriteArrayList<>();
        time.schedule(Duration.ofSeconds(3), () -> fired.add("c"));
        time.schedule(Duration.ofSeconds(1), () -> fired.add("a"));
        time.schedule(Duration.ofSeconds(2), () -> fired.add("b"));
        time.advance(Duration.ofSeconds(10));
        assertThat(fired).containsExactly("a", "b", "c");
        assertThat(time.nanoTime()).isEqualTo(Duration.ofSeconds(10).toNanos());
    }

    @Test
    void systemSchedulerRunsTasks() throws Exception {
        Node real = Node.builder().name("real@127.0.0.1").build();
        try {
            String got = InProcess.run(real, self -> {
                real.sendAfter(self.self(), "ring", Duration.ofMillis(5));
                return (String) self.receive();
            });
            assertThat(got).isEqualTo("ring");
        } finally {
            real.close();
        }
    }
}
