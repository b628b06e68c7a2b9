package dev.cohort.cluster.global;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.cohort.cluster.internal.routing.FrameRouter;
import dev.cohort.cluster.internal.routing.TestNetwork;
import dev.cohort.cluster.wire.ForySerializer;
import dev.cohort.process.Down;
import dev.cohort.process.ExitReason;
import dev.cohort.process.From;
import dev.cohort.process.Node;
import dev.cohort.process.Pid;
import dev.cohort.process.ProcessContext;
import dev.cohort.process.Ref;
import dev.cohort.server.GenServer;
import dev.cohort.server.Next;
import dev.cohort.server.StartOptions;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The rules of global names, on three nodes joined in memory (the OS-process tests run them over JGroups). */
class GlobalNamesTest {
    private static final List<String> NAMES = List.of("gotham@127.0.0.1", "metropolis@127.0.0.1", "capitol@127.0.0.1");
    private final TestNetwork net = new TestNetwork();
    private final Map<String, AtomicLong> clocks = new ConcurrentHashMap<>();
    private final Map<String, GlobalNames> global = new ConcurrentHashMap<>();
    private final Map<String, Node> nodes = new ConcurrentHashMap<>();

    GlobalNamesTest() {
        for (String n : NAMES) {
            FrameRouter r = net.join(n, ForySerializer.builder().build());
            AtomicLong clock = new AtomicLong(1_000);
            clocks.put(n, clock);
            nodes.put(n, r.node());
            GlobalNames g = new GlobalNames(r, Duration.ofSeconds(10), () -> Instant.ofEpochMilli(clock.get()));
            dev.cohort.supervisor.Supervisor.start(r.node(), dev.cohort.supervisor.Supervisor.builder().child(g.childSpec()).build());
            global.put(n, g);
        }
    }

    @AfterEach
    void stop() {
        nodes.values().forEach(n -> n.shutdown(Duration.ofSeconds(5)));
    }

    private Node node(int i) { return nodes.get(NAMES.get(i)); }

    private GlobalNames global(int i) { return global.get(NAMES.get(i)); }

    private static Pid idle(Node node) {
        return node.spawn(ProcessContext::receive);
    }

    @Test
    void aNameIsUniqueAndVisibleFromEveryNode() {
        Pid batman = idle(node(0));
        assertThat(global(0).register("gotham", batman)).isTrue();
        assertThat(global(0).register("gotham", batman)).as("the holder again").isTrue();
        for (int i = 0; i < 3; i++) assertThat(global(i).whereis("gotham")).isEqualTo(batman);
        assertThat(global(1).register("gotham", idle(node(1)))).isFalse();
        assertThat(global(2).registered()).containsEntry("gotham", batman);

        assertThatThrownBy(() -> global(1).register("x", batman)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a live process of metropolis");
        assertThatThrownBy(() -> global(1).unregister("gotham")).as("a node frees only its own processes' names")
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("only that node can unregister it");
        assertThat(global(1).whereis("gotham")).isEqualTo(batman);
        assertThat(global(0).unregister("gotham")).isTrue();
        for (int i = 0; i < 3; i++) {
            int n = i;
            await().atMost(Duration.ofSeconds(10)).until(() -> global(n).whereis("gotham") == null);
        }
        assertThat(global(1).unregister("gotham")).isFalse();
    }

    @Test
    void concurrentClaimsOfOneNameFromEveryNodeHaveExactlyOneWinner() throws Exception {
        for (int round = 0; round < 50; round++) {
            String name = "city-" + round;
            CountDownLatch go = new CountDownLatch(1);
            List<CompletableFuture<Boolean>> wins = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                int n = i;
                Pid p = idle(node(n));
                wins.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    return global(n).register(name, p);
                }));
            }
            go.countDown();
            long winners = 0;
            for (CompletableFuture<Boolean> w : wins) if (w.get(10, TimeUnit.SECONDS)) winners++;
            assertThat(winners).as(name).isEqualTo(1);
            Pid holder = global(0).whereis(name);
            for (int i = 1; i < 3; i++) assertThat(global(i).whereis(name)).isEqualTo(holder);
        }
    }

    /** What a supervisor does when it restarts a server under its global name: claim it again at once. */
    @Test
    void aNameWhoseHolderJustEndedCanBeClaimedAgainAtOnceOnItsNode() {
        for (int i = 0; i < 100; i++) {
            Pid holder = idle(node(1));
            assertThat(global(1).register("gotham", holder)).isTrue();
            node(1).exit(holder, ExitReason.KILL);
            Pid successor = idle(node(1));
            assertThat(global(1).register("gotham", successor)).as("round %d", i).isTrue();
            assertThat(global(0).whereis("gotham")).isEqualTo(successor);
            node(1).exit(successor, ExitReason.KILL);
            await().pollInterval(Duration.ofMillis(5)).atMost(Duration.ofSeconds(10)).until(() -> global(2).whereis("gotham") == null);
        }
    }

    @Test
    void aNameIsFreedWhenItsHolderEndsOrItsNodeIsLost() {
        Pid batman = idle(node(0));
        Pid superman = idle(node(1));
        global(0).register("gotham", batman);
        global(1).register("metropolis", superman);
        node(0).exit(batman, ExitReason.KILL);
        await().atMost(Duration.ofSeconds(10)).until(() -> global(1).whereis("gotham") == null && global(2).whereis("gotham") == null);
        assertThat(global(0).whereis("gotham")).isNull();

        net.lose(NAMES.get(1));
        global(0).nodeDown(NAMES.get(1));
        global(2).nodeDown(NAMES.get(1));
        assertThat(global(0).whereis("metropolis")).isNull();
        assertThat(global(2).registered()).doesNotContainKey("metropolis");
    }

    @Test
    void afterAPartitionHealsTheEarlierRegistrationKeepsTheNameAndTheOtherExitsWithTheReason() throws Exception {
        String capitol = NAMES.get(2);
        net.lose(capitol);
        for (int i = 0; i < 2; i++) global(i).nodeDown(capitol);
        global(2).nodeDown(NAMES.get(0));
        global(2).nodeDown(NAMES.get(1));

        clocks.get(capitol).set(5_000);
        Pid late = idle(node(2));
        CompletableFuture<Down> lateDown = watch(node(2), late);
        assertThat(global(2).register("gotham", late)).isTrue();
        clocks.get(NAMES.get(1)).set(2_000); // registered earlier, on the other side
        Pid early = idle(node(1));
        assertThat(global(1).register("gotham", early)).isTrue();
        assertThat(global(0).whereis("gotham")).isEqualTo(early);
        assertThat(global(2).whereis("gotham")).isEqualTo(late);

        net.heal(capitol);
        for (int i = 0; i < 2; i++) global(i).nodeUp(capitol);
        global(2).nodeUp(NAMES.get(0));
        global(2).nodeUp(NAMES.get(1));

        for (int i = 0; i < 3; i++) assertThat(global(i).whereis("gotham")).isEqualTo(early);
        Down d = lateDown.get(10, TimeUnit.SECONDS);
        assertThat(d.reason()).isEqualTo(ExitReason.of(new NameConflict("gotham", early)));
        assertThat(node(1).isAlive(early)).isTrue();
    }

    private void partition(String away) {
        net.lose(away);
        for (String n : NAMES) {
            if (n.equals(away)) continue;
            global.get(n).nodeDown(away);
            global.get(away).nodeDown(n);
        }
    }

    private void heal(String away) {
        net.heal(away);
        for (String n : NAMES) {
            if (n.equals(away)) continue;
            global.get(n).nodeUp(away);
            global.get(away).nodeUp(n);
        }
    }

    /**
     * Grants are stamped by the coordinator's hybrid logical clock, which observes every stamp it
     * merges: a node whose wall clock runs behind stamps its next grant later than a grant it has
     * seen, not earlier.
     */
    @Test
    void aNodeThatSawAGrantStampsItsOwnLaterThoughItsWallClockRunsBehind() {
        String capitol = NAMES.get(2);
        partition(capitol);
        clocks.get(NAMES.get(0)).set(9_000); // gotham coordinates the side without capitol
        assertThat(global(1).register("x", idle(node(1)))).isTrue();
        clocks.get(capitol).set(8_700); // 300 ms behind: within the maximum offset
        heal(capitol);
        await().atMost(Duration.ofSeconds(10)).until(() -> global(2).whereis("x") != null);
        dev.cohort.time.Timestamp now = global(2).clockNow();
        assertThat(now.millis()).as("capitol's clock after it saw a grant stamped at 9,000").isGreaterThanOrEqualTo(9_000);
    }

    /** A grant stamped far ahead (a clock an hour fast) is kept, but its stamp drags no other clock along. */
    @Test
    void aGrantStampedFarAheadIsKeptButNotObserved() {
        String capitol = NAMES.get(2);
        partition(capitol);
        clocks.get(capitol).set(1_000 + 3_600_000);
        Pid far = idle(node(2));
        assertThat(global(2).register("far", far)).isTrue();
        heal(capitol);
        await().atMost(Duration.ofSeconds(10)).until(() -> far.equals(global(0).whereis("far")) && far.equals(global(1).whereis("far")));
        assertThat(global(0).clockNow().millis()).as("gotham's clock").isLessThan(2_000);
        assertThat(global(1).clockNow().millis()).as("metropolis's clock").isLessThan(2_000);
    }

    /** A negative stamp is one no clock makes: the announce's grant is dropped, the node goes on. */
    @Test
    void aGrantWithANegativeStampIsDropped() {
        Pid p = idle(node(1));
        for (long stamp : new long[] {-1, Long.MIN_VALUE}) {
            byte[] frame = new dev.cohort.cluster.wire.FrameCodec(ForySerializer.builder().build())
                    .encode(new dev.cohort.cluster.wire.Frame.GlobalAnnounce(List.of(new dev.cohort.cluster.wire.Frame.GlobalClaim(0, "neg", p, stamp))));
            net.inject(NAMES.get(0), NAMES.get(1), frame);
        }
        assertThat(global(0).whereis("neg")).isNull();
        Pid q = idle(node(0));
        assertThat(global(0).register("after", q)).isTrue();
    }

    /** Packed stamps order as the readings do (the counter saturates at 65,535: those tie). */
    @Test
    void packedStampsOrderAsTheReadingsDo() {
        java.util.Random rnd = new java.util.Random(20261206L);
        long[] millis = {0, 1, 1_000, System.currentTimeMillis(), GlobalNames.MAX_PACKED_MILLIS - 1, GlobalNames.MAX_PACKED_MILLIS};
        long[] counters = {0, 1, 2, 65_534, 65_535};
        for (int i = 0; i < 10_000; i++) {
            dev.cohort.time.Timestamp a = new dev.cohort.time.Timestamp(millis[rnd.nextInt(millis.length)], counters[rnd.nextInt(counters.length)], "a");
            dev.cohort.time.Timestamp b = new dev.cohort.time.Timestamp(millis[rnd.nextInt(millis.length)], counters[rnd.nextInt(counters.length)], "a");
            long pa = GlobalNames.pack(a), pb = GlobalNames.pack(b);
            assertThat(pa).isNotNegative();
            assertThat(Long.signum(Long.compare(pa, pb))).as("%s vs %s", a, b).isEqualTo(Long.signum(a.compareTo(b)));
            assertThat(GlobalNames.unpack(pa, "a")).isEqualTo(a);
        }
        assertThat(GlobalNames.pack(new dev.cohort.time.Timestamp(5, 70_000, "a"))).isEqualTo(GlobalNames.pack(new dev.cohort.time.Timestamp(5, 65_535, "a")));
    }

    @Test
    void aServerStartedUnderAGlobalNameIsCalledFromAnyNode() {
        GenServer.start(node(2), new GenServer<Integer>() {
            @Override public Next<Integer> init(ProcessContext self) { return Next.ok(0); }
            @Override public Next<Integer> handleCall(Object req, From from, Integer n) { return Next.reply(n + 1, n + 1); }
        }, StartOptions.via(global(2), "capitol"));
        Integer one = node(0).call(global(0).address("capitol"), "inc");
        Integer two = node(1).call(global(1).address("capitol"), "inc");
        assertThat(List.of(one, two)).containsExactly(1, 2);
        assertThatThrownBy(() -> GenServer.start(node(0), new GenServer<Integer>() {
            @Override public Next<Integer> init(ProcessContext self) { return Next.ok(0); }
        }, StartOptions.via(global(0), "capitol"))).isInstanceOf(dev.cohort.server.AlreadyStartedException.class);
    }

    private static CompletableFuture<Down> watch(Node node, Pid target) throws Exception {
        CompletableFuture<Down> down = new CompletableFuture<>();
        CompletableFuture<Void> set = new CompletableFuture<>();
        node.spawn(self -> {
            Ref ref = self.monitor(target);
            set.complete(null);
            down.complete(self.receive(Down.class, x -> x.ref().equals(ref), Duration.ofSeconds(30)).orElseThrow());
        });
        set.get(10, TimeUnit.SECONDS);
        return down;
    }
}
