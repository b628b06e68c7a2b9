package dev.cohort.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.cohort.InProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ProcessTest {
    private final Node node = Node.builder().name("gotham@127.0.0.1").build();

    @AfterEach
    void stop() { node.shutdown(Duration.ofSeconds(5)); }

    private static final Duration LONG = Duration.ofSeconds(10);

    private Down down(ProcessContext self, Ref ref) {
        return self.receive(Down.class, d -> d.ref().equals(ref), LONG).orElseThrow(() -> new AssertionError("no Down for " + ref));
    }

    private static ProcessBody waitForever() {
        return self -> self.receive(m -> false);
    }

    @Test
    void pidHasValueSemanticsAndErlangFormat() {
        Pid a = new Pid("gotham@127.0.0.1", 7, 42);
        assertThat(a).hasToString("<gotham@127.0.0.1.42>");
        assertThat(a).isEqualTo(new Pid("gotham@127.0.0.1", 7, 42)).hasSameHashCodeAs(new Pid("gotham@127.0.0.1", 7, 42));
        assertThat(a).isNotEqualTo(new Pid("gotham@127.0.0.1", 8, 42)).isNotEqualTo(new Pid("metropolis@127.0.0.1", 7, 42));
        Pid spawned = node.spawn(waitForever());
        Pid rebuilt = new Pid(spawned.node(), spawned.creation(), spawned.id());
        assertThat(rebuilt).isEqualTo(spawned);
        assertThat(node.isAlive(rebuilt)).isTrue();
    }

    @Test
    void nodeNameMustBeNameAtHost() {
        assertThatThrownBy(() -> Node.builder().name("gotham")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NAME@HOST");
    }

    @Test
    void sendAndReceiveInOrderFromOneSender() {
        List<Object> got = InProcess.run(node, self -> {
            Pid me = self.self();
            self.spawn(p -> { for (int i = 0; i < 100_000; i++) p.send(me, i); });
            List<Object> out = new ArrayList<>();
            for (int i = 0; i < 100_000; i++) out.add(self.receive());
            return out;
        });
        for (int i = 0; i < got.size(); i++) assertThat(got.get(i)).isEqualTo(i);
    }

    @Test
    void sendToDeadOrUnknownTargetIsDroppedWithoutError() {
        Pid dead = node.spawn(self -> {});
        await().until(() -> !node.isAlive(dead));
        node.send(dead, "hello");
        node.send(Address.name("nobody"), "hello");
        node.send(new Pid("elsewhere@host", 1, 1), "hello");
        assertThatThrownBy(() -> node.send(dead, null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void receiveTimesOutAndZeroTimeoutOnlyPolls() {
        InProcess.run(node, self -> {
            assertThat(self.receive(Duration.ZERO)).isEmpty();
            assertThat(self.receive(Duration.ofMillis(20))).isEmpty();
            self.send(self.self(), "x");
            assertThat(self.receive(Duration.ZERO)).contains("x");
            return null;
        });
    }

    @Test
    void selectiveReceiveTakesFirstMatchAndKeepsTheRestInOrder() {
        List<Object> got = InProcess.run(node, self -> {
            for (Object m : List.of("a", 1, "b", 2, "c")) self.send(self.self(), m);
            List<Object> out = new ArrayList<>();
            out.add(self.receive(m -> m instanceof Integer));
            out.add(self.receive(Integer.class));
            assertThat(self.receive(m -> m.equals("zzz"), Duration.ZERO)).isEmpty();
            for (int i = 0; i < 3; i++) out.add(self.receive());
            return out;
        });
        assertThat(got).containsExactly(1, 2, "a", "b", "c");
    }

    /** A pid tagged with who it is: messages from different senders have no order between them. */
    private record Named(String who, Pid pid) {}

    @Test
    void linkCascadeKillsLinkedProcessesThatDoNotTrapExits() {
        InProcess.run(node, self -> {
            Pid me = self.self();
            Pid a = self.spawn(p -> {
                Pid b = p.spawnLink(q -> {
                    Pid c = q.spawnLink(r -> {
                        r.receive("crash"::equals);
                        throw new IllegalStateException("boom");
                    });
                    q.send(me, new Named("c", c));
                    q.receive(m -> false);
                });
                p.send(me, new Named("b", b));
                p.receive(m -> false);
            });
            Pid b = self.receive(Named.class, n -> n.who().equals("b"), LONG).orElseThrow().pid();
            Pid c = self.receive(Named.class, n -> n.who().equals("c"), LONG).orElseThrow().pid();
            Ref ma = self.monitor(a), mb = self.monitor(b), mc = self.monitor(c);
            self.send(c, "crash");
            assertThat(down(self, mc).reason()).isInstanceOfSatisfying(ExitReason.Crashed.class,
                    r -> assertThat(r.exception()).hasMessage("boom"));
            assertThat(down(self, mb).reason()).isInstanceOf(ExitReason.Crashed.class);
            assertThat(down(self, ma).reason()).isInstanceOf(ExitReason.Crashed.class);
            return null;
        });
    }

    @Test
    void normalExitDoesNotKillLinkedProcesses() {
        InProcess.run(node, self -> {
            Pid child = self.spawnLink(p -> p.receive("go"::equals));
            Ref ref = self.monitor(child);
            self.send(child, "go");
            assertThat(down(self, ref).reason()).isEqualTo(ExitReason.NORMAL);
            assertThat(self.receive(Duration.ofMillis(50))).isEmpty();
            return null;
        });
    }

    @Test
    void trapExitTurnsExitSignalsIntoMessages() {
        InProcess.run(node, self -> {
            self.trapExit(true);
            Pid child = self.spawnLink(p -> { throw p.exit(ExitReason.of("custom")); });
            Exit exit = self.receive(Exit.class);
            assertThat(exit.from()).isEqualTo(child);
            assertThat(exit.reason()).isEqualTo(ExitReason.of("custom"));
            Pid other = self.spawn(p -> p.exit(self.self(), ExitReason.SHUTDOWN));
            assertThat(self.receive(Exit.class)).isEqualTo(new Exit(other, ExitReason.SHUTDOWN));
            return null;
        });
    }

    @Test
    void killCannotBeTrappedAndLinksSeeKilled() {
        InProcess.run(node, self -> {
            self.trapExit(true);
            Pid me = self.self();
            Pid victim = self.spawnLink(p -> {
                p.trapExit(true);
                p.send(me, "ready");
                p.receive(m -> false);
            });
            self.receive("ready"::equals);
            Ref ref = self.monitor(victim);
            self.exit(victim, ExitReason.KILL);
            assertThat(down(self, ref).reason()).isEqualTo(ExitReason.KILLED);
            assertThat(self.receive(Exit.class)).isEqualTo(new Exit(victim, ExitReason.KILLED));
            return null;
        });
    }

    @Test
    void exitSignalsFollowOtpRules() {
        InProcess.run(node, self -> {
            Pid survivor = self.spawn(waitForever());
            self.exit(survivor, ExitReason.NORMAL);
            Ref s = self.monitor(survivor);
            assertThat(self.receive(Down.class, d -> true, Duration.ofMillis(50))).isEmpty();
            self.demonitor(s);

            Pid victim = self.spawn(waitForever());
            Ref v = self.monitor(victim);
            self.exit(victim, ExitReason.of("bye"));
            assertThat(down(self, v).reason()).isEqualTo(ExitReason.of("bye"));
            return null;
        });
    }

    @Test
    void uncaughtExceptionEndsProcessWithCrashedReason() {
        InProcess.run(node, self -> {
            Spawned s = self.spawnMonitor(p -> { throw new ArithmeticException("divide by zero"); });
            ExitReason r = down(self, s.monitor()).reason();
            assertThat(r).isInstanceOfSatisfying(ExitReason.Crashed.class,
                    c -> assertThat(c.exception()).isInstanceOf(ArithmeticException.class).hasMessage("divide by zero"));
            assertThat(s.pid()).isNotNull();
            return null;
        });
    }

    @Test
    void monitorOfDeadOrUnknownPidDeliversNoprocAtOnce() {
        Pid dead = node.spawn(p -> {});
        await().until(() -> !node.isAlive(dead));
        InProcess.run(node, self -> {
            Ref r1 = self.monitor(dead);
            assertThat(self.receive(Down.class, d -> d.ref().equals(r1), Duration.ZERO))
                    .contains(new Down(r1, dead, ExitReason.NOPROC));
            Pid never = new Pid(node.name(), node.creation(), 999_999_999L);
            Ref r2 = self.monitor(never);
            assertThat(self.receive(Down.class, d -> d.ref().equals(r2), Duration.ZERO)).map(Down::reason).contains(ExitReason.NOPROC);
            Pid remote = new Pid("metropolis@127.0.0.1", 1, 5);
            Ref r3 = self.monitor(remote);
            assertThat(self.receive(Down.class, d -> d.ref().equals(r3), Duration.ZERO)).map(Down::reason).contains(ExitReason.NOCONNECTION);
            return null;
        });
    }

    @Test
    void demonitorStopsDownAndFlushRemovesQueuedDown() {
        InProcess.run(node, self -> {
            Pid a = self.spawn(waitForever());
            Ref ra = self.monitor(a);
            assertThat(self.demonitor(ra)).isTrue();
            self.exit(a, ExitReason.KILL);
            Ref again = self.monitor(a);
            down(self, again);
            assertThat(self.receive(Down.class, d -> d.ref().equals(ra), Duration.ofMillis(20))).isEmpty();

            Pid b = self.spawn(p -> {});
            Ref rb = self.monitor(b);
            Ref rb2 = self.monitor(b);
            down(self, rb2); // Downs fire in the order the monitors were made: rb's is queued already
            assertThat(self.demonitorFlush(rb)).isFalse();
            assertThat(self.receive(Down.class, d -> d.ref().equals(rb), Duration.ZERO)).isEmpty();
            return null;
        });
    }

    @Test
    void linkToDeadProcessSendsNoproc() {
        Pid dead = node.spawn(p -> {});
        await().until(() -> !node.isAlive(dead));
        InProcess.run(node, self -> {
            self.trapExit(true);
            self.link(dead);
            assertThat(self.receive(Exit.class)).isEqualTo(new Exit(dead, ExitReason.NOPROC));
            return null;
        });
        Pid linker = node.spawn(p -> { p.link(dead); p.receive(m -> false); });
        await().until(() -> !node.isAlive(linker));
    }

    @Test
    void unlinkStopsPropagation() {
        InProcess.run(node, self -> {
            Pid me = self.self();
            Pid child = self.spawnLink(p -> { p.receive("go"::equals); throw new IllegalStateException("x"); });
            self.unlink(child);
            Ref ref = self.monitor(child);
            self.send(child, "go");
            down(self, ref);
            assertThat(node.isAlive(me)).isTrue();
            return null;
        });
    }

    @Test
    void localNamesRegisterWhereisUnregisterAndFreedOnExit() {
        Pid p = node.spawn(waitForever());
        node.register("batman", p);
        assertThat(node.whereis("batman")).isEqualTo(p);
        assertThat(node.registered()).containsEntry("batman", p);
        Pid q = node.spawn(waitForever());
        assertThatThrownBy(() -> node.register("batman", q)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already registered");
        assertThatThrownBy(() -> node.register("robin", p)).isInstanceOf(IllegalArgumentException.class);
        assertThat(node.unregister("batman")).isTrue();
        assertThat(node.whereis("batman")).isNull();
        node.register("batman", q);
        node.send(Address.name("batman"), "hi");
        node.exit(q, ExitReason.KILL);
        await().until(() -> node.whereis("batman") == null);
        node.register("batman", p);
        assertThat(node.whereis("batman")).isEqualTo(p);
    }

    @Test
    void aNameLongerThanTheWireCarriesIsRefusedWithItsLength() {
        Pid p = node.spawn(waitForever());
        assertThatThrownBy(() -> node.register("n".repeat(Node.MAX_NAME_BYTES + 1), p)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a registered name must be at most 1024 UTF-8 bytes, got 1025");
        assertThatThrownBy(() -> node.register("", p)).hasMessageContaining("blank");
        node.register("n".repeat(Node.MAX_NAME_BYTES), p);
        assertThat(node.whereis("n".repeat(Node.MAX_NAME_BYTES))).isEqualTo(p);
    }

    @Test
    void sendToRegisteredName() {
        String got = InProcess.run(node, self -> {
            self.register("alfred");
            node.send(Address.name("alfred"), "tea");
            return (String) self.receive();
        });
        assertThat(got).isEqualTo("tea");
    }

    @Test
    void spawnedProcessesAreVirtualThreads() {
        Boolean virtual = InProcess.run(node, self -> Thread.currentThread().isVirtual());
        assertThat(virtual).isTrue();
    }

    @Test
    void processCountTracksLiveProcesses() throws Exception {
        int before = node.processCount();
        CountDownLatch started = new CountDownLatch(100);
        List<Pid> pids = new ArrayList<>();
        for (int i = 0; i < 100; i++) pids.add(node.spawn(p -> { started.countDown(); p.receive(); }));
        started.await();
        assertThat(node.processCount()).isEqualTo(before + 100);
        pids.forEach(p -> node.send(p, "stop"));
        await().until(() -> node.processCount() == before);
    }
}
