package dev.cohort.supervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cohort.InProcess;
import dev.cohort.process.Down;
import dev.cohort.process.ExitReason;
import dev.cohort.process.Node;
import dev.cohort.process.Pid;
import dev.cohort.process.ProcessContext;
import dev.cohort.process.Ref;
import dev.cohort.server.GenServer;
import dev.cohort.server.Next;
import dev.cohort.time.ManualTime;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SupervisorTest {
    private final ManualTime time = new ManualTime();
    private final Node node = Node.builder().name("gotham@127.0.0.1").clock(time).build();
    /** Start and stop events of children, in order. */
    private final List<String> events = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> starts = new ConcurrentHashMap<>();

    @AfterEach
    void stop() { node.shutdown(Duration.ofSeconds(5)); }

    /**
     * A worker that records start (in init) and stop (in terminate, on its parent's
     * shutdown); "crash" ends it with a crash, "done" ends it normally.
     */
    private ChildSpec worker(String id) {
        return ChildSpec.worker(id, sup -> GenServer.startLink(sup, new GenServer<String>() {
            @Override public Next<String> init(ProcessContext self) {
                self.trapExit(true);
                starts.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
                events.add("start " + id);
                return Next.ok(id);
            }

            @Override public Next<String> handleInfo(Object m, String st) {
                if (m.equals("crash")) throw new IllegalStateException(id + " crashed");
                if (m.equals("done")) return Next.stop(ExitReason.NORMAL, st);
                return Next.noReply(st);
            }

            @Override public void terminate(ExitReason reason, String st) {
                if (reason instanceof ExitReason.Shutdown) events.add("stop " + id);
            }
        }));
    }

    private Pid child(Pid sup, String id) {
        return Supervisor.whichChildren(node, sup).stream().filter(c -> c.id().equals(id)).findFirst().orElseThrow().pid();
    }

    private int startsOf(String id) { return starts.getOrDefault(id, new AtomicInteger()).get(); }

    private void crashAndAwaitRestart(Pid sup, String id) {
        Pid old = child(sup, id);
        node.send(old, "crash");
        await().until(() -> { Pid now = child(sup, id); return now != null && !now.equals(old); });
    }

    private Pid start(Strategy strategy, ChildSpec... children) {
        Supervisor.Builder b = Supervisor.builder().strategy(strategy).intensity(10, Duration.ofSeconds(5));
        for (ChildSpec c : children) b.child(c);
        return Supervisor.start(node, b.build());
    }

    @Test
    void childrenStartInOrderAndStopInReverseOrder() {
        Pid sup = start(Strategy.ONE_FOR_ONE, worker("a"), worker("b"), worker("c"));
        assertThat(events).containsExactly("start a", "start b", "start c");
        events.clear();
        node.exit(sup, ExitReason.SHUTDOWN); // from a plain thread: sent as the system pid, the parent
        await().until(() -> !node.isAlive(sup));
        assertThat(events).containsExactly("stop c", "stop b", "stop a");
    }

    @Test
    void oneForOneRestartsOnlyTheCrashedChild() {
        Pid sup = start(Strategy.ONE_FOR_ONE, worker("a"), worker("b"), worker("c"));
        Pid a = child(sup, "a"), c = child(sup, "c");
        crashAndAwaitRestart(sup, "b");
        assertThat(child(sup, "a")).isEqualTo(a);
        assertThat(child(sup, "c")).isEqualTo(c);
        assertThat(startsOf("b")).isEqualTo(2);
    }

    @Test
    void oneForAllRestartsEveryChild() {
        Pid sup = start(Strategy.ONE_FOR_ALL, worker("a"), worker("b"), worker("c"));
        crashAndAwaitRestart(sup, "b");
        await().until(() -> startsOf("a") == 2 && startsOf("c") == 2);
        assertThat(events).containsSubsequence("start a", "start b", "start c", "stop c", "stop a", "start a", "start b", "start c");
    }

    @Test
    void restForOneRestartsTheLaterSiblingsOnly() {
        Pid sup = start(Strategy.REST_FOR_ONE, worker("a"), worker("b"), worker("c"));
        Pid a = child(sup, "a");
        crashAndAwaitRestart(sup, "b");
        await().until(() -> startsOf("c") == 2);
        assertThat(child(sup, "a")).isEqualTo(a);
        assertThat(startsOf("a")).isEqualTo(1);
        assertThat(startsOf("b")).isEqualTo(2);
    }

    @Test
    void transientChildIsRestartedOnlyAfterAnAbnormalExit() {
        Pid sup = start(Strategy.ONE_FOR_ONE, worker("t").withRestart(Restart.TRANSIENT));
        crashAndAwaitRestart(sup, "t");
        assertThat(startsOf("t")).isEqualTo(2);
        node.send(child(sup, "t"), "done");
        await().until(() -> child(sup, "t") == null);
        assertThat(Supervisor.countChildren(node, sup)).isEqualTo(new ChildCounts(1, 0, 0, 1));
        assertThat(startsOf("t")).isEqualTo(2);
    }

    @Test
    void temporaryChildIsNeverRestartedAndIsForgotten() {
        Pid sup = start(Strategy.ONE_FOR_ONE, worker("tmp").withRestart(Restart.TEMPORARY), worker("p"));
        node.send(child(sup, "tmp"), "crash");
        await().until(() -> Supervisor.whichChildren(node, sup).size() == 1);
        assertThat(startsOf("tmp")).isEqualTo(1);
    }

    @Test
    void exceedingRestartIntensityMakesTheSupervisorExit() {
        Pid sup = Supervisor.start(node, Supervisor.builder().intensity(3, Duration.ofSeconds(5)).child(worker("w")).build());
        InProcess.run(node, self -> {
            Ref ref = self.monitor(sup);
            for (int i = 0; i < 3; i++) crashAndAwaitRestart(sup, "w");
            self.send(child(sup, "w"), "crash"); // the 4th restart within 5 s (the clock has not moved)
            Down d = self.receive(Down.class, x -> x.ref().equals(ref), Duration.ofSeconds(10)).orElseThrow();
            assertThat(d.reason()).isEqualTo(ExitReason.SHUTDOWN);
            return null;
        });
    }

    @Test
    void restartsOutsideThePeriodDoNotCount() {
        Pid sup = Supervisor.start(node, Supervisor.builder().intensity(1, Duration.ofSeconds(5)).child(worker("w")).build());
        for (int i = 0; i < 5; i++) {
            crashAndAwaitRestart(sup, "w");
            time.advance(Duration.ofSeconds(6));
        }
        assertThat(node.isAlive(sup)).isTrue();
        assertThat(startsOf("w")).isEqualTo(6);
    }

    @Test
    void shutdownTimeoutEscalatesToKill() throws InterruptedException {
        java.util.concurrent.Semaphore trapping = new java.util.concurrent.Semaphore(0);
        ChildSpec stubborn = ChildSpec.worker("stubborn", sup -> sup.spawnLink(self -> {
            self.trapExit(true);
            trapping.release();
            self.receive(m -> false); // ignores the shutdown signal
        })).withShutdown(Shutdown.timeout(Duration.ofMillis(100)));
        Pid sup = start(Strategy.ONE_FOR_ONE, stubborn);
        Pid child = child(sup, "stubborn");
        // a shutdown that arrives before the child traps exits ends it at once, with reason shutdown
        assertThat(trapping.tryAcquire(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        InProcess.run(node, self -> {
            Ref ref = self.monitor(child);
            assertThat(Supervisor.terminateChild(self, sup, "stubborn")).isTrue();
            assertThat(self.receive(Down.class, d -> d.ref().equals(ref), Duration.ZERO)).map(Down::reason).contains(ExitReason.KILLED);
            return null;
        });
        assertThat(Supervisor.restartChild(node, sup, "stubborn")).isNotEqualTo(child);
    }

    @Test
    void brutalKillKillsAtOnce() {
        Pid sup = start(Strategy.ONE_FOR_ONE, worker("w").withShutdown(Shutdown.brutalKill()));
        Pid w = child(sup, "w");
        InProcess.run(node, self -> {
            Ref ref = self.monitor(w);
            Supervisor.terminateChild(self, sup, "w");
            assertThat(self.receive(Down.class, d -> d.ref().equals(ref), Duration.ZERO)).map(Down::reason).contains(ExitReason.KILLED);
            return null;
        });
        assertThat(events).doesNotContain("stop w");
    }

    @Test
    void childApiStartsTerminatesRestartsAndDeletes() {
        Pid sup = start(Strategy.ONE_FOR_ONE, worker("a"));
        Pid b = Supervisor.startChild(node, sup, worker("b"));
        assertThat(Supervisor.whichChildren(node, sup)).extracting(ChildInfo::id).containsExactly("a", "b");
        assertThat(Supervisor.countChildren(node, sup)).isEqualTo(new ChildCounts(2, 2, 0, 2));
        assertThat(Supervisor.deleteChild(node, sup, "b")).as("running children cannot be deleted").isFalse();
        assertThat(Supervisor.terminateChild(node, sup, "b")).isTrue();
        assertThat(node.isAlive(b)).isFalse();
        assertThat(Supervisor.restartChild(node, sup, "b")).isNotNull();
        assertThat(Supervisor.terminateChild(node, sup, "b")).isTrue();
        assertThat(Supervisor.deleteChild(node, sup, "b")).isTrue();
        assertThat(Supervisor.whichChildren(node, sup)).extracting(ChildInfo::id).containsExactly("a");
        assertThat(Supervisor.terminateChild(node, sup, "nope")).isFalse();
    }

    @Test
    void nestedSupervisorIsRestartedByItsParentWhenItGivesUp() {
        Supervisor.Spec inner = Supervisor.builder().intensity(0, Duration.ofSeconds(5)).child(worker("leaf")).build();
        Pid top = Supervisor.start(node, Supervisor.builder().child(ChildSpec.supervisor("inner", inner)).build());
        Pid innerPid = child(top, "inner");
        Pid leaf = Supervisor.whichChildren(node, innerPid).get(0).pid();
        node.send(leaf, "crash");
        await().until(() -> { Pid now = child(top, "inner"); return now != null && !now.equals(innerPid); });
        assertThat(Supervisor.countChildren(node, top)).isEqualTo(new ChildCounts(1, 1, 1, 0));
        await().until(() -> startsOf("leaf") == 2);
    }

    @Test
    void failingChildAtStartFailsTheSupervisorStart() {
        ChildSpec bad = ChildSpec.worker("bad", sup -> { throw new IllegalStateException("cannot start"); });
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> start(Strategy.ONE_FOR_ONE, worker("a"), bad))
                .isInstanceOf(dev.cohort.server.StartException.class);
        await().until(() -> events.contains("stop a"));
    }

    @Test
    void plainProcessChildren() {
        AtomicInteger runs = new AtomicInteger();
        Pid sup = Supervisor.start(node, Supervisor.builder().child(ChildSpec.process("loop", (ProcessContext self) -> {
            runs.incrementAndGet();
            self.receive();
            throw new IllegalStateException("bye");
        })).build());
        node.send(child(sup, "loop"), "x");
        await().until(() -> runs.get() == 2);
    }
}
