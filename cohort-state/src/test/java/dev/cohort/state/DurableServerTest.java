package dev.cohort.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.cohort.cluster.wire.ForySerializer;
import dev.cohort.process.CallException;
import dev.cohort.process.ExitReason;
import dev.cohort.process.From;
import dev.cohort.process.Node;
import dev.cohort.process.Pid;
import dev.cohort.process.ProcessContext;
import dev.cohort.server.GenServer;
import dev.cohort.server.Next;
import dev.cohort.server.StartException;
import dev.cohort.state.store.StateStore;
import dev.cohort.state.store.StoredState;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Durable servers on one node with the in-memory store: restore, policies, fencing, versions. */
class DurableServerTest {
    static final Duration WAIT = Duration.ofSeconds(10);
    private final Node node = Node.builder().name("gotham@127.0.0.1").build();
    private final StateStore store = StateStore.inMemory();
    private final ForySerializer serializer = ForySerializer.builder().allow(Count.class, OldCount.class).build();
    private final List<ExitReason> terminated = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() {
        node.close();
    }

    /** The state: a count. */
    public record Count(long n) {}

    /** What version 0 stored. */
    public record OldCount(int n) {}

    /** Call "inc" adds one and answers the count; "get" answers it; "stop" stops normally. Cast "inc" adds one. */
    class Counter implements StatefulServer<Count> {
        @Override public Count initial(String key) { return new Count(0); }

        @Override
        public Next<Count> handleCall(Object request, From from, Count state) {
            return switch ((String) request) {
                case "inc" -> {
                    Count next = new Count(state.n() + 1);
                    yield Next.reply(next.n(), next);
                }
                case "get" -> Next.reply(state.n(), state);
                case "stop" -> Next.stopAndReply(ExitReason.NORMAL, state.n(), state);
                default -> throw new IllegalArgumentException(String.valueOf(request));
            };
        }

        @Override
        public Next<Count> handleCast(Object request, Count state) {
            return Next.noReply(new Count(state.n() + 1));
        }

        @Override
        public void terminate(ExitReason reason, Count state) {
            terminated.add(reason);
        }
    }

    private Persistence persistence(WritePolicy policy) {
        return Persistence.builder(store, serializer).policy(policy).build();
    }

    private Pid start(Persistence p, String key) {
        return GenServer.start(node, p.server(key, Count.class, new Counter()));
    }

    private long stored(String key) throws Exception {
        StoredState s = store.read(key).orElseThrow().state().orElseThrow();
        return ((Count) serializer.deserialize(s.bytes())).n();
    }

    private void killAndWait(Pid pid) {
        node.exit(pid, ExitReason.KILL);
        await().atMost(WAIT).until(() -> !node.isAlive(pid));
    }

    @Test
    void writeThroughMakesEveryAnsweredChangeDurableSoAKillLosesNothing() throws Exception {
        Persistence p = persistence(WritePolicy.writeThrough());
        Pid first = start(p, "ana");
        for (int i = 1; i <= 25; i++) {
            assertThat(node.<Long>call(first, "inc", WAIT)).isEqualTo(i);
            assertThat(stored("ana")).isEqualTo(i); // durable before the answer arrived
        }
        killAndWait(first);
        Pid second = start(p, "ana");
        assertThat(node.<Long>call(second, "get", WAIT)).isEqualTo(25);
        assertThat(store.read("ana").get().epoch()).isEqualTo(2);
        assertThat(p.stats().writes()).isEqualTo(25);
        assertThat(p.stats().restores()).isEqualTo(2);
    }

    @Test
    void unchangedStateIsNotWritten() {
        Persistence p = persistence(WritePolicy.writeThrough());
        Pid pid = start(p, "bob");
        node.call(pid, "get", WAIT);
        node.call(pid, "get", WAIT);
        assertThat(store.read("bob").get().state()).isEmpty();
        assertThat(p.stats().writes()).isZero();
    }

    @Test
    void writeBehindWritesEveryNChangesOrAfterTheDelayAndOnGracefulStop() throws Exception {
        Persistence p = persistence(WritePolicy.writeBehind(Duration.ofMillis(200), 10));
        Pid pid = start(p, "cy");
        for (int i = 0; i < 10; i++) node.call(pid, "inc", WAIT);
        assertThat(stored("cy")).isEqualTo(10); // the tenth change wrote at once
        node.call(pid, "inc", WAIT);
        assertThat(stored("cy")).isEqualTo(10); // the eleventh waits for the delay
        await().atMost(WAIT).until(() -> stored("cy") == 11);
        for (int i = 0; i < 3; i++) node.call(pid, "inc", WAIT);
        GenServer.stop(node, pid, ExitReason.SHUTDOWN, WAIT); // graceful: the final flush
        assertThat(stored("cy")).isEqualTo(14);
        assertThat(terminated).containsExactly(ExitReason.SHUTDOWN);
    }

    @Test
    void writeBehindLosesOnlyWhatWasNotYetWrittenWhenKilled() throws Exception {
        Persistence p = persistence(WritePolicy.writeBehind(Duration.ofHours(1), 5));
        Pid pid = start(p, "dee");
        for (int i = 0; i < 7; i++) node.call(pid, "inc", WAIT);
        killAndWait(pid);
        Pid again = start(p, "dee");
        assertThat(node.<Long>call(again, "get", WAIT)).isEqualTo(5);
    }

    @Test
    void onStopWritesOnlyOnAGracefulStop() throws Exception {
        Persistence p = persistence(WritePolicy.onStop());
        Pid pid = start(p, "eve");
        for (int i = 0; i < 4; i++) node.call(pid, "inc", WAIT);
        assertThat(store.read("eve").get().state()).isEmpty();
        assertThat(node.<Long>call(pid, "stop", WAIT)).isEqualTo(4);
        await().atMost(WAIT).until(() -> !node.isAlive(pid));
        assertThat(stored("eve")).isEqualTo(4);
        Pid again = start(p, "eve");
        node.call(again, "inc", WAIT);
        killAndWait(again);
        assertThat(stored("eve")).isEqualTo(4); // the kill ran no terminate: the fifth is gone
    }

    @Test
    void castsAndInitChangesArePersistedToo() throws Exception {
        Persistence p = persistence(WritePolicy.writeThrough());
        Pid pid = GenServer.start(node, p.server("fay", Count.class, new Counter() {
            @Override
            public Next<Count> init(ProcessContext self, Count state, boolean restored) {
                return Next.ok(restored ? state : new Count(100));
            }
        }));
        node.cast(pid, "inc");
        assertThat(node.<Long>call(pid, "get", WAIT)).isEqualTo(101);
        assertThat(stored("fay")).isEqualTo(101);
    }

    /**
     * A newer incarnation acquires the key while the older still runs: the older's next change is
     * refused, its caller gets no answer, and it stops with {shutdown, fenced}; the store holds
     * only the newer one's writes.
     */
    @Test
    void anOlderIncarnationIsFencedAndStopsWithoutWriting() throws Exception {
        Persistence p = persistence(WritePolicy.writeThrough());
        Pid older = start(p, "gus");
        node.call(older, "inc", WAIT);
        Pid newer = start(p, "gus");
        assertThat(node.<Long>call(newer, "inc", WAIT)).isEqualTo(2);
        assertThatThrownBy(() -> node.call(older, "inc", WAIT)).isInstanceOf(CallException.class);
        await().atMost(WAIT).until(() -> !node.isAlive(older));
        assertThat(terminated).singleElement().satisfies(r -> {
            assertThat(r).isInstanceOf(ExitReason.Shutdown.class);
            assertThat(((ExitReason.Shutdown) r).detail()).isEqualTo(new Fenced("gus", 1, 2));
        });
        assertThat(stored("gus")).isEqualTo(2);
        assertThat(node.<Long>call(newer, "inc", WAIT)).isEqualTo(3);
        assertThat(p.stats().fenced()).isEqualTo(1);
    }

    /** The loser of a registry conflict stops with the conflict as its reason and writes nothing more, even with changes pending. */
    @Test
    void aRegistryConflictLoserStopsWithoutWriting() throws Exception {
        Persistence p = persistence(WritePolicy.writeBehind(Duration.ofHours(1), 1_000));
        Pid loser = start(p, "jo");
        node.call(loser, "inc", WAIT);
        Pid winner = node.spawn(self -> self.receive());
        var conflict = new dev.cohort.distributed.registry.RegistryConflict("jo", "sessions", winner);
        node.spawn(self -> self.exit(loser, new ExitReason.Custom(conflict))); // from another process, as the registry sends it
        await().atMost(WAIT).until(() -> !node.isAlive(loser));
        assertThat(terminated).containsExactly(new ExitReason.Custom(conflict));
        assertThat(store.read("jo").get().state()).isEmpty();
    }

    @Test
    void olderStateIsUpgradedAndUnreadableStateStopsTheStartWithAClearError() throws Exception {
        long e = store.acquire("old").epoch();
        store.write("old", e, new StoredState(0, serializer.serialize(new OldCount(41))));
        Persistence v1 = Persistence.builder(store, serializer).version(1)
                .upgrade((version, stored) -> new Count(((OldCount) stored).n())).build();
        Pid pid = start(v1, "old");
        assertThat(node.<Long>call(pid, "inc", WAIT)).isEqualTo(42);
        assertThat(store.read("old").get().state().get().version()).isEqualTo(1);

        Persistence noUpgrade = Persistence.builder(store, serializer).version(2).build();
        assertThatThrownBy(() -> start(noUpgrade, "old")).isInstanceOf(StartException.class)
                .hasStackTraceContaining("older than this code's version 2").hasStackTraceContaining("no upgrade");
        Persistence v0 = Persistence.builder(store, serializer).version(0).build();
        assertThatThrownBy(() -> start(v0, "old")).isInstanceOf(StartException.class)
                .hasStackTraceContaining("newer schema version");

        long g = store.acquire("garbage").epoch();
        store.write("garbage", g, new StoredState(0, new byte[] {1, 2, 3, 4, 5}));
        assertThatThrownBy(() -> start(persistence(WritePolicy.writeThrough()), "garbage")).isInstanceOf(StartException.class)
                .hasStackTraceContaining("stored state of garbage").hasStackTraceContaining("cannot be decoded");
        assertThat(store.read("garbage").get().state().get().bytes()).containsExactly(1, 2, 3, 4, 5); // left for a person to look at

        long w = store.acquire("wrong").epoch();
        store.write("wrong", w, new StoredState(0, serializer.serialize(new OldCount(1))));
        assertThatThrownBy(() -> start(persistence(WritePolicy.writeThrough()), "wrong")).isInstanceOf(StartException.class)
                .hasStackTraceContaining("not the expected " + Count.class.getName());
    }

    @Test
    void aStateTheSerializerDoesNotAllowIsRefusedNotStored() {
        ForySerializer strict = ForySerializer.builder().build();
        Persistence p = Persistence.builder(store, strict).build();
        Pid pid = GenServer.start(node, p.server("hal", Count.class, new Counter()));
        assertThatThrownBy(() -> node.call(pid, "inc", WAIT)).isInstanceOf(CallException.class);
        await().atMost(WAIT).until(() -> !node.isAlive(pid));
        assertThat(terminated).singleElement().satisfies(r -> assertThat(r.toString()).contains("allow"));
        assertThat(store.read("hal").get().state()).isEmpty();
    }

    @Test
    void aServerInstanceServesOneProcess() {
        Persistence p = persistence(WritePolicy.writeThrough());
        GenServer<Count> once = p.server("ivy", Count.class, new Counter());
        GenServer.start(node, once);
        assertThatThrownBy(() -> GenServer.start(node, once)).isInstanceOf(StartException.class)
                .hasStackTraceContaining("serves one process");
    }
}
