package dev.cohort.distributed.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.cohort.cluster.ClusterNode;
import dev.cohort.crdt.replicator.ReplicatedMap;
import dev.cohort.distributed.testing.TestCluster;
import dev.cohort.process.ExitReason;
import dev.cohort.process.Pid;
import dev.cohort.server.GenServer;
import dev.cohort.server.Next;
import dev.cohort.server.StartOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A registry on nodes joined over JGroups TCP in this JVM (see {@link RegistryProcessTest} for OS processes). */
class DistributedRegistryTest {
    private static final Duration WAIT = TestCluster.WAIT;
    private TestCluster cluster;
    private List<ClusterNode> nodes;
    private final List<DistributedRegistry> registries = new ArrayList<>();

    @AfterEach
    void stop() {
        if (cluster != null) cluster.close();
    }

    private void cluster(int n) throws Exception {
        cluster(n, null);
    }

    private void cluster(int n, ConflictResolver resolver) throws Exception {
        cluster = new TestCluster(n);
        nodes = cluster.nodes;
        for (int i = 0; i < n; i++) {
            registries.add(DistributedRegistry.builder(nodes.get(i), "heroes").serializer(cluster.serializer)
                    .options(ReplicatedMap.Options.defaults().withSyncInterval(Duration.ofMillis(100))).resolver(resolver).start());
        }
    }

    private Pid idle(int node) { return cluster.idle(node); }

    @Test
    void aKeyResolvesHereAtOnceEverywhereSoonAndGoesWithItsProcess() throws Exception {
        cluster(3);
        List<RegistryEvent> seenOn2 = new CopyOnWriteArrayList<>();
        registries.get(2).subscribe(seenOn2::add);
        Pid batman = idle(0);
        registries.get(0).register("batman", batman, "cave");
        assertThat(registries.get(0).whereis("batman")).isEqualTo(batman); // read-your-writes, local read
        assertThat(registries.get(0).awaitVisible("batman", WAIT)).isTrue();
        assertThat(registries.get(1).whereis("batman")).isEqualTo(batman);
        assertThat(registries.get(2).lookup("batman")).contains(new Registration(batman, "cave"));
        assertThatThrownBy(() -> registries.get(0).register("batman", idle(0)))
                .isInstanceOf(AlreadyRegistered.class).hasMessageContaining(batman.toString());
        assertThatThrownBy(() -> registries.get(1).register("robin", batman))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("own node");
        assertThatThrownBy(() -> registries.get(0).register("k".repeat(DistributedRegistry.MAX_KEY_BYTES + 1), idle(0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a registry key must be at most 1024 bytes");
        assertThatThrownBy(() -> registries.get(0).register(java.util.List.of("k".repeat(2000)), idle(0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("java.util");
        nodes.get(0).node().exit(batman, ExitReason.KILL);
        await().atMost(WAIT).until(() -> registries.stream().allMatch(r -> r.whereis("batman") == null));
        assertThat(seenOn2).anyMatch(e -> e instanceof RegistryEvent.Registered r && r.registration().pid().equals(batman));
        assertThat(seenOn2).anyMatch(e -> e instanceof RegistryEvent.Unregistered u && u.key().equals("batman"));

        Pid robin = idle(1);
        registries.get(1).register("robin", robin);
        assertThat(registries.get(1).awaitVisible("robin", WAIT)).isTrue();
        assertThat(registries.get(2).unregister("robin")).isTrue(); // from any node
        await().atMost(WAIT).until(() -> registries.stream().allMatch(r -> r.whereis("robin") == null));
    }

    @Test
    void valuesSelectMatchAndMetaAreReadLocallyAndUpdatedByTheHolder() throws Exception {
        cluster(2);
        Pid gotham = idle(0), metropolis = idle(0);
        registries.get(0).register("city:gotham", gotham, 1);
        registries.get(0).register("city:metropolis", metropolis, 2);
        registries.get(0).updateValue("city:gotham", gotham, v -> (Integer) v + 10);
        assertThat(registries.get(0).lookup("city:gotham")).contains(new Registration(gotham, 11));
        assertThatThrownBy(() -> registries.get(0).updateValue("city:gotham", metropolis, v -> 0))
                .isInstanceOf(IllegalStateException.class);
        await().atMost(WAIT).until(() -> registries.get(1).match("city:gotham", v -> Integer.valueOf(11).equals(v)).isPresent());
        assertThat(registries.get(1).select((k, r) -> k.toString().startsWith("city:") && (Integer) r.value() > 1)).hasSize(2);
        assertThat(registries.get(1).keys(metropolis)).containsExactly("city:metropolis");
        assertThat(registries.get(1).count()).isEqualTo(2);
        registries.get(1).putMeta("season", "winter");
        await().atMost(WAIT).until(() -> registries.get(0).meta("season").equals(java.util.Optional.of("winter")));
        registries.get(0).deleteMeta("season");
        await().atMost(WAIT).until(() -> registries.get(1).meta("season").isEmpty());
    }

    @Test
    void theKeysOfANodeThatLeavesGoOnTheOthers() throws Exception {
        cluster(3);
        registries.get(2).register("flash", idle(2));
        assertThat(registries.get(2).awaitVisible("flash", WAIT)).isTrue();
        nodes.get(2).close();
        await().atMost(WAIT).until(() -> registries.get(0).whereis("flash") == null && registries.get(1).whereis("flash") == null);
    }

    @Test
    void aServerStartedByKeyIsCalledByKeyFromAnyNode() throws Exception {
        cluster(2);
        GenServer<Integer> counter = new GenServer<>() {
            @Override public Next<Integer> init(dev.cohort.process.ProcessContext self) { return Next.ok(0); }

            @Override public Next<Integer> handleCall(Object request, dev.cohort.process.From from, Integer n) {
                return Next.reply(n + 1, n + 1);
            }
        };
        Pid pid = GenServer.start(nodes.get(1).node(), counter, StartOptions.via(registries.get(1), "counter"));
        assertThat(registries.get(1).whereis("counter")).isEqualTo(pid);
        assertThat(registries.get(1).awaitVisible("counter", WAIT)).isTrue();
        assertThat((Integer) nodes.get(0).node().call(registries.get(0).address("counter"), "hit", WAIT)).isEqualTo(1);
        assertThat((Integer) nodes.get(0).node().call(registries.get(0).address("counter"), "hit", WAIT)).isEqualTo(2);
    }

    /** A process that traps exits and notes the reason of the exit signal it gets, then ends. */
    private Pid contender(int node, Map<Pid, ExitReason> told) {
        return nodes.get(node).node().spawn(self -> {
            self.trapExit(true);
            for (;;) {
                if (self.receive() instanceof dev.cohort.process.Exit e) {
                    told.put(self.self(), e.reason());
                    return;
                }
            }
        });
    }

    /**
     * A partition: both sides register one key; after the heal, one holder remains on every node
     * and the other process gets an exit signal that names the key, the registry and the winner.
     * A key whose node the others saw leave comes back when the node does, its process alive.
     */
    @Test
    void afterAPartitionHealsOneHolderRemainsAndTheLoserIsToldWhy() throws Exception {
        cluster(3);
        Pid solo = idle(2);
        registries.get(2).register("solo", solo);
        assertThat(registries.get(2).awaitVisible("solo", WAIT)).isTrue();

        nodes.get(2).isolate(true);
        await().atMost(WAIT).until(() -> nodes.get(0).connectedNodes().size() == 1 && nodes.get(2).connectedNodes().isEmpty());
        await().atMost(WAIT).until(() -> registries.get(0).whereis("solo") == null); // its node left, as far as n0 can tell
        Map<Pid, ExitReason> told = new ConcurrentHashMap<>();
        Pid onMajority = contender(0, told), onMinority = contender(2, told);
        registries.get(0).register("hero", onMajority);
        registries.get(2).register("hero", onMinority);
        nodes.get(2).isolate(false);
        await().atMost(WAIT).until(() -> nodes.stream().allMatch(c -> c.connectedNodes().size() == 2));
        await().atMost(WAIT).until(() -> {
            Pid h0 = registries.get(0).whereis("hero"), h1 = registries.get(1).whereis("hero"), h2 = registries.get(2).whereis("hero");
            return h0 != null && h0.equals(h1) && h0.equals(h2);
        });
        Pid winner = registries.get(0).whereis("hero");
        Pid loser = winner.equals(onMajority) ? onMinority : onMajority;
        await().atMost(WAIT).until(() -> told.containsKey(loser));
        assertThat(told.get(loser)).isEqualTo(new ExitReason.Custom(new RegistryConflict("hero", "heroes", winner)));
        assertThat(told).doesNotContainKey(winner);
        // the key of the node that was cut off is back, still held by its live process
        await().atMost(WAIT).until(() -> registries.stream().allMatch(r -> solo.equals(r.whereis("solo"))));
    }

    /** A user resolver overrides "the later registration wins": here the higher priority (the value) keeps the key. */
    @Test
    void aConflictResolverChoosesTheSurvivorOnEveryNode() throws Exception {
        cluster(2, (key, a, b) -> (Integer) a.value() > (Integer) b.value() ? a : b);
        nodes.get(1).isolate(true);
        await().atMost(WAIT).until(() -> nodes.get(0).connectedNodes().isEmpty() && nodes.get(1).connectedNodes().isEmpty());
        Map<Pid, ExitReason> told = new ConcurrentHashMap<>();
        Pid high = contender(1, told), low = contender(0, told);
        registries.get(1).register("hero", high, 2);
        registries.get(0).register("hero", low, 1); // the later registration: it would win by default
        nodes.get(1).isolate(false);
        await().atMost(WAIT).until(() -> nodes.stream().allMatch(c -> c.connectedNodes().size() == 1));
        await().atMost(WAIT).until(() -> high.equals(registries.get(0).whereis("hero")) && high.equals(registries.get(1).whereis("hero")));
        await().atMost(WAIT).until(() -> told.containsKey(low));
        assertThat(told.get(low)).isEqualTo(new ExitReason.Custom(new RegistryConflict("hero", "heroes", high)));
        assertThat(told).doesNotContainKey(high);
        assertThat(registries.get(0).lookup("hero")).contains(new Registration(high, 2));
    }

    /** The awaitable forms: register, and start by key, return once every node resolves the name. */
    @Test
    void registerAndStartCanWaitUntilTheNameIsVisibleEverywhere() throws Exception {
        cluster(3);
        Pid robin = idle(0);
        assertThat(registries.get(0).register("robin", robin, null, WAIT)).isTrue();
        assertThat(registries.get(1).whereis("robin")).isEqualTo(robin);
        assertThat(registries.get(2).whereis("robin")).isEqualTo(robin);
        Pid server = GenServer.start(nodes.get(0).node(), new GenServer<Void>() {
            @Override
            public Next<Void> init(dev.cohort.process.ProcessContext self) { return Next.ok(null); }
        }, StartOptions.via(registries.get(0).visibleWithin(WAIT), "alfred"));
        assertThat(registries.get(1).whereis("alfred")).isEqualTo(server);
        assertThat(registries.get(2).whereis("alfred")).isEqualTo(server);
    }
}
