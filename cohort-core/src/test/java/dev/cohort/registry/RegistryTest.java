package dev.cohort.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.cohort.InProcess;
import dev.cohort.process.ExitReason;
import dev.cohort.process.Node;
import dev.cohort.process.Pid;
import dev.cohort.process.ProcessContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RegistryTest {
    private final Node node = Node.builder().name("gotham@127.0.0.1").build();

    @AfterEach
    void stop() { node.shutdown(Duration.ofSeconds(5)); }

    /** Spawns a process that registers under key with value, then waits for "stop". */
    private Pid registered(Registry r, Object key, Object value) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        Pid pid = node.spawn(self -> {
            r.register(self, key, value);
            done.countDown();
            for (;;) {
                Object m = self.receive();
                if (m.equals("stop")) return;
                if (m instanceof String s && s.startsWith("msg:")) r.updateValue(self, key, v -> s);
            }
        });
        done.await();
        return pid;
    }

    @Test
    void uniqueKeysRegisterLookupAndConflict() throws Exception {
        Registry r = Registry.unique(node, "heroes");
        Pid bruce = registered(r, "batman", "cave");
        assertThat(r.whereis("batman")).isEqualTo(bruce);
        assertThat(r.lookup("batman")).containsExactly(new Registry.Entry("batman", bruce, "cave"));
        assertThatThrownBy(() -> InProcess.run(node, self -> { r.register(self, "batman", null); return null; }))
                .isInstanceOfSatisfying(AlreadyRegisteredException.class, e -> assertThat(e.holder()).isEqualTo(bruce));
        assertThat(r.keys(bruce)).containsExactly("batman");
    }

    @Test
    void entryDisappearsWhenItsProcessDies() throws Exception {
        Registry r = Registry.unique(node, "heroes");
        Pid bruce = registered(r, "batman", null);
        node.exit(bruce, ExitReason.KILL);
        assertThat(r.whereis("batman")).as("invisible at once").isNull();
        assertThat(r.lookup("batman")).isEmpty();
        assertThat(r.count()).isZero();
        Pid dick = registered(r, "batman", null);
        assertThat(r.whereis("batman")).as("the key is free at once").isEqualTo(dick);
        node.send(dick, "stop");
        await().until(() -> r.select(e -> true).isEmpty());
    }

    @Test
    void aKilledJanitorIsReplacedAndHoldersThatEndAreStillPurged() throws Exception {
        Registry r = Registry.unique(node, "heroes");
        Pid bruce = registered(r, "batman", null);
        Pid first = r.janitorPid();
        node.exit(first, ExitReason.KILL);
        await().until(() -> !node.isAlive(first));
        Pid dick = registered(r, "robin", null); // the next registration finds the janitor dead
        assertThat(r.janitorPid()).isNotEqualTo(first).satisfies(j -> assertThat(node.isAlive(j)).isTrue());
        node.send(bruce, "stop");
        node.send(dick, "stop");
        await().until(() -> r.holdersTracked() == 0 && r.select(e -> true).isEmpty());
    }

    @Test
    void duplicateKeysDispatchToEveryProcess() throws Exception {
        Registry r = Registry.duplicate(node, "topics");
        int n = 5;
        CountDownLatch got = new CountDownLatch(n);
        List<Pid> pids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            CountDownLatch ready = new CountDownLatch(1);
            pids.add(node.spawn(self -> {
                r.register(self, "gotham-news", null);
                ready.countDown();
                if (self.receive().equals("bat-signal")) got.countDown();
            }));
            ready.await();
        }
        assertThat(r.lookup("gotham-news")).extracting(Registry.Entry::pid).containsExactlyElementsOf(pids);
        boolean called = r.dispatch("gotham-news", entries -> entries.forEach(e -> node.send(e.pid(), "bat-signal")));
        assertThat(called).isTrue();
        got.await();
        assertThat(r.dispatch("nobody", entries -> { throw new AssertionError("not called"); })).isFalse();
    }

    @Test
    void matchSelectCountAndUpdateValue() throws Exception {
        Registry dup = Registry.duplicate(node, "by-city");
        registered(dup, "city", "gotham");
        registered(dup, "city", "metropolis");
        Pid g2 = registered(dup, "city", "gotham");
        assertThat(dup.match("city", "gotham"::equals)).hasSize(2);
        assertThat(dup.count("city", v -> true)).isEqualTo(3);
        assertThat(dup.select(e -> e.pid().equals(g2))).hasSize(1);
        assertThat(dup.count()).isEqualTo(3);

        Registry uniq = Registry.unique(node, "u");
        Pid p = registered(uniq, "k", "v1");
        node.send(p, "msg:v2");
        await().until(() -> "msg:v2".equals(uniq.lookup("k").get(0).value()));
        assertThatThrownBy(() -> InProcess.run(node, self -> uniq.updateValue(self, "k", v -> v)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("does not hold");
    }

    @Test
    void unregisterRemovesOnlyTheCaller() {
        Registry r = Registry.duplicate(node, "d");
        InProcess.run(node, (ProcessContext self) -> {
            r.register(self, "k", 1);
            r.register(self, "j", 2);
            r.unregister(self, "k");
            assertThat(r.lookup("k")).isEmpty();
            assertThat(r.keys(self.self())).containsExactly("j");
            return null;
        });
    }

    @Test
    void concurrentRegistrationOfOneUniqueKeyHasExactlyOneWinner() throws Exception {
        Registry r = Registry.unique(node, "race");
        int n = 50;
        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(n);
        java.util.concurrent.atomic.AtomicInteger winners = new java.util.concurrent.atomic.AtomicInteger();
        for (int i = 0; i < n; i++) {
            node.spawn(self -> {
                go.await();
                if (r.tryRegister(self, "only", null) == null) winners.incrementAndGet();
                done.countDown();
                self.receive(m -> false);
            });
        }
        go.countDown();
        done.await();
        assertThat(winners.get()).isEqualTo(1);
        assertThat(r.lookup("only")).hasSize(1);
    }
}
