package dev.cohort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cohort.process.ExitReason;
import dev.cohort.process.From;
import dev.cohort.process.Node;
import dev.cohort.process.Pid;
import dev.cohort.process.ProcessContext;
import dev.cohort.process.ProcessInfo;
import dev.cohort.process.Telemetry;
import dev.cohort.server.GenServer;
import dev.cohort.server.Next;
import dev.cohort.supervisor.ChildSpec;
import dev.cohort.supervisor.DynamicSupervisor;
import dev.cohort.supervisor.Supervisor;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What observers read of a process: label, messages taken, waiting, current function; and the telemetry hooks. */
class IntrospectionTest {
    private final Node node = Node.builder().name("gotham@127.0.0.1").build();

    @AfterEach
    void stop() { node.shutdown(Duration.ofSeconds(5)); }

    static final class Echo implements GenServer<Integer> {
        @Override public Next<Integer> init(ProcessContext self) { return Next.ok(0); }

        @Override public Next<Integer> handleCall(Object request, From from, Integer state) { return Next.reply(request, state + 1); }
    }

    @Test
    void aServerIsLabelledWithItsClassAndCountsWhatItTakes() {
        Pid echo = GenServer.start(node, new Echo());
        for (int i = 0; i < 25; i++) assertThat((Object) node.call(echo, i)).isEqualTo(i);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            ProcessInfo info = node.info(echo).orElseThrow();
            assertThat(info.label()).isEqualTo("IntrospectionTest$Echo");
            assertThat(info.messagesReceived()).isEqualTo(25);
            assertThat(info.waiting()).isTrue();
            assertThat(info.memoryEstimate()).isGreaterThanOrEqualTo(ProcessInfo.BASE_BYTES);
        });
        // waiting in its loop: the server loop is all there is on the stack
        assertThat(node.currentFunction(echo)).hasValueSatisfying(f -> assertThat(f).startsWith("ServerLoop."));
    }

    @Test
    void currentFunctionNamesTheUsersFrameAndLabelsAreFree() throws Exception {
        CountDownLatch inside = new CountDownLatch(1), release = new CountDownLatch(1);
        Pid p = node.spawn(self -> {
            self.setLabel("worker of the night shift");
            busy(inside, release);
        });
        inside.await();
        assertThat(node.currentFunction(p)).hasValueSatisfying(f -> assertThat(f).startsWith("IntrospectionTest.busy:"));
        assertThat(node.info(p).orElseThrow().label()).isEqualTo("worker of the night shift");
        assertThat(node.info(p).orElseThrow().waiting()).isFalse();
        release.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> !node.isAlive(p));
        assertThat(node.currentFunction(p)).isEmpty();
        assertThat(node.info(p)).isEmpty();
    }

    private static void busy(CountDownLatch inside, CountDownLatch release) {
        inside.countDown();
        try {
            release.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void selectiveReceiveCountsOnlyWhatItTakes() {
        CountDownLatch got = new CountDownLatch(1);
        Pid p = node.spawn(self -> {
            self.receive(m -> m.equals("wanted"));
            got.countDown();
            self.receive(m -> false);
        });
        node.send(p, "left alone 1");
        node.send(p, "left alone 2");
        node.send(p, "wanted");
        await().atMost(Duration.ofSeconds(10)).until(() -> got.getCount() == 0);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            ProcessInfo info = node.info(p).orElseThrow();
            assertThat(info.messagesReceived()).isEqualTo(1);
            assertThat(info.messageQueueLength()).isEqualTo(2);
        });
    }

    @Test
    void telemetrySeesCallsAndRestarts() {
        AtomicLong calls = new AtomicLong(), nanos = new AtomicLong();
        List<Object> restarted = new CopyOnWriteArrayList<>();
        node.telemetry(new Telemetry() {
            @Override public void callCompleted(long n, boolean remote) {
                assertThat(remote).isFalse();
                calls.incrementAndGet();
                nanos.addAndGet(n);
            }

            @Override public void childRestarted(Pid supervisor, Object childId) { restarted.add(childId); }
        });
        Pid echo = GenServer.start(node, new Echo());
        for (int i = 0; i < 10; i++) node.call(echo, i); // from outside a process: each call reported
        assertThat(calls.get()).isEqualTo(10);
        assertThat(nanos.get()).isPositive();
        // from inside a process: the first call, then one in SAMPLE
        InProcess.run(node, self -> {
            for (int i = 0; i < 4 * Telemetry.SAMPLE; i++) self.call(echo, i);
            return null;
        });
        assertThat(calls.get()).isEqualTo(10 + 4);

        Pid sup = Supervisor.start(node, Supervisor.builder().child(ChildSpec.worker("echo", (s, args) -> GenServer.startLink(s, new Echo()))).build());
        assertThat(node.info(sup).orElseThrow().label()).isEqualTo(Supervisor.LABEL);
        Pid child = Supervisor.whichChildren(node, sup).getFirst().pid();
        node.exit(child, ExitReason.KILL);
        await().atMost(Duration.ofSeconds(10)).until(() -> restarted.contains("echo"));

        Pid dyn = DynamicSupervisor.start(node, DynamicSupervisor.Spec.defaults());
        assertThat(node.info(dyn).orElseThrow().label()).isEqualTo(DynamicSupervisor.LABEL);
        Pid dynChild = DynamicSupervisor.startChild(node, dyn, ChildSpec.worker("d", (s, args) -> GenServer.startLink(s, new Echo())));
        node.exit(dynChild, ExitReason.KILL);
        await().atMost(Duration.ofSeconds(10)).until(() -> restarted.size() == 2);

        node.telemetry(Telemetry.NONE);
        long seen = calls.get();
        node.call(echo, "unseen");
        assertThat(calls.get()).isEqualTo(seen);
    }
}
