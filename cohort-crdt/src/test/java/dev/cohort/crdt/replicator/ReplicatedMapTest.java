package dev.cohort.crdt.replicator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cohort.cluster.ClusterNode;
import dev.cohort.cluster.discovery.Discovery;
import dev.cohort.cluster.wire.ForySerializer;
import dev.cohort.crdt.AWLWWMapReplica;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Replicated maps on nodes joined over JGroups TCP in this JVM (see {@link ReplicatedMapProcessTest} for OS processes). */
class ReplicatedMapTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private final List<ClusterNode> nodes = new ArrayList<>();
    private final List<ReplicatedMap<String, Integer>> maps = new ArrayList<>();

    @AfterEach
    void stop() {
        nodes.stream().filter(java.util.Objects::nonNull).forEach(ClusterNode::close);
    }

    private static int freePort() throws java.io.IOException {
        return dev.cohort.cluster.Ports.free(); // below the ephemeral range: see Ports
    }

    private final List<InetSocketAddress> seeds = new ArrayList<>();

    private void cluster(int n, ReplicatedMap.Options options) throws Exception {
        for (int i = 0; i < n; i++) seeds.add(new InetSocketAddress("127.0.0.1", freePort()));
        for (int i = 0; i < n; i++) {
            nodes.add(null);
            maps.add(null);
            start(i, seeds.get(i).getPort(), options);
        }
        await().atMost(WAIT).until(() -> nodes.stream().allMatch(c -> c.connectedNodes().size() == n - 1));
    }

    /** Starts (or restarts, as a new incarnation) node {@code i} with its map. */
    private void start(int i, int port, ReplicatedMap.Options options) throws Exception {
        ForySerializer serializer = ForySerializer.builder().build();
        ClusterNode c = ClusterNode.builder().name("n" + i + "@127.0.0.1").port(port).cookie("c")
                .discovery(Discovery.staticHosts(seeds)).serializer(serializer).start();
        nodes.set(i, c);
        maps.set(i, ReplicatedMap.builder(c, "sessions", String.class, Integer.class).serializer(serializer).options(options).start());
    }

    /**
     * {@code retireAfter} and the sync ticks run on the node's clock: with {@link dev.cohort.time.ManualTime}
     * given to {@code ClusterNode.Builder.clock/scheduler}, an hour of absence passes in a loop
     * instead of being waited for. The id of a node that left stays until the hour is up, then is
     * retired everywhere without losing its writes.
     */
    @Test
    void retireAfterRunsOnTheNodesClockSoManualTimeDrivesIt() throws Exception {
        dev.cohort.time.ManualTime time = new dev.cohort.time.ManualTime();
        ReplicatedMap.Options options = ReplicatedMap.Options.defaults().withRetireAfter(Duration.ofHours(1));
        for (int i = 0; i < 3; i++) seeds.add(new InetSocketAddress("127.0.0.1", freePort()));
        for (int i = 0; i < 3; i++) {
            ForySerializer serializer = ForySerializer.builder().build();
            ClusterNode c = ClusterNode.builder().name("n" + i + "@127.0.0.1").port(seeds.get(i).getPort()).cookie("c")
                    .discovery(Discovery.staticHosts(seeds)).serializer(serializer).clock(time).scheduler(time).start();
            nodes.add(c);
            maps.add(ReplicatedMap.builder(c, "sessions", String.class, Integer.class).serializer(serializer).options(options).start());
        }
        await().atMost(WAIT).until(() -> nodes.stream().allMatch(c -> c.connectedNodes().size() == 2));
        Map<String, Integer> expected = new HashMap<>();
        for (int i = 0; i < 30; i++) {
            maps.get(2).put("k" + i, i);
            expected.put("k" + i, i);
        }
        // a step of time per poll: flushes, sync ticks and retirement all wait on the manual clock
        java.util.function.BooleanSupplier step = () -> { time.advance(Duration.ofMillis(500)); return true; };
        await().atMost(WAIT).until(() -> step.getAsBoolean() && maps.get(0).toMap().equals(expected) && maps.get(1).toMap().equals(expected));
        String gone = maps.get(2).stats().replicaId();
        nodes.get(2).close();
        nodes.set(2, null);
        await().atMost(WAIT).until(() -> nodes.get(0).connectedNodes().size() == 1 && nodes.get(1).connectedNodes().size() == 1);
        time.advance(Duration.ofMinutes(59));
        for (int i = 0; i < 5; i++) {
            step.getAsBoolean();
            assertThat(maps.get(0).stats().replicaIds()).as("before the hour is up").contains(gone);
        }
        time.advance(Duration.ofMinutes(1));
        await().atMost(WAIT).until(() -> step.getAsBoolean()
                && maps.stream().limit(2).noneMatch(m -> m.stats().replicaIds().contains(gone)));
        assertThat(maps.get(0).toMap()).isEqualTo(expected);
        assertThat(maps.get(1).toMap()).isEqualTo(expected);
    }

    /**
     * A killed replicator is restarted by its service supervisor under a new replica id (the old
     * one is retired like an earlier incarnation's), re-syncs every key from its neighbours, and
     * feeds its subscribers the whole state again after telling them it restarted: no key lost,
     * none left behind in a subscriber's view.
     */
    @Test
    void aKilledReplicatorRestartsUnderANewReplicaIdAndResyncsEveryKey() throws Exception {
        cluster(2, ReplicatedMap.Options.defaults().withSyncInterval(Duration.ofMillis(100)));
        Map<String, Integer> view = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.concurrent.atomic.AtomicInteger restarts = new java.util.concurrent.atomic.AtomicInteger();
        maps.get(1).subscribe(c -> {
            if (c.after().isPresent()) view.put(c.key(), c.after().get());
            else view.remove(c.key());
        }, () -> {
            restarts.incrementAndGet();
            view.clear();
        });
        Map<String, Integer> expected = new HashMap<>();
        for (int i = 0; i < 200; i++) {
            maps.get(i % 2).put("k" + i, i);
            expected.put("k" + i, i);
        }
        await().atMost(WAIT).until(() -> maps.get(1).toMap().equals(expected) && view.equals(expected));
        String before = maps.get(1).stats().replicaId();
        dev.cohort.process.Pid replicator = nodes.get(1).node().whereis("cohort.crdt.sessions");
        nodes.get(1).node().exit(replicator, dev.cohort.process.ExitReason.KILL);
        maps.get(0).remove("k0"); // while the replicator of node 1 restarts: its view must lose k0 too
        expected.remove("k0");
        await().atMost(WAIT).ignoreExceptions().until(() -> maps.get(1).toMap().equals(expected));
        assertThat(nodes.get(1).node().whereis("cohort.crdt.sessions")).isNotEqualTo(replicator);
        assertThat(maps.get(1).stats().replicaId()).isNotEqualTo(before).startsWith(before + ".");
        await().atMost(WAIT).until(() -> view.equals(expected));
        assertThat(restarts).hasValue(1);
        maps.get(1).put("after", 1); // the new replica writes, and its write reaches the other node
        await().atMost(WAIT).until(() -> maps.get(0).get("after").isPresent());
        // the killed replica's id is retired everywhere once its writes are adopted
        await().atMost(WAIT).until(() -> !maps.get(0).stats().replicaIds().contains(before));
        expected.put("after", 1);
        await().atMost(WAIT).until(() -> maps.get(0).toMap().equals(expected) && maps.get(1).toMap().equals(expected));
        assertThat(nodes.get(1).servicesGaveUp()).isEmpty();
    }

    /**
     * Each restart of a node is a new replica id; the ids of earlier incarnations, and of a node
     * that left for good, are retired: their writes adopted, the ids forgotten everywhere, no key
     * lost or changed.
     */
    @Test
    void replicaIdsOfEarlierIncarnationsAndDepartedNodesAreForgottenWithoutLosingAKey() throws Exception {
        ReplicatedMap.Options options = ReplicatedMap.Options.defaults().withSyncInterval(Duration.ofMillis(100))
                .withRetireAfter(Duration.ofSeconds(2));
        cluster(3, options);
        Map<String, Integer> expected = new HashMap<>();
        for (int life = 0; life < 3; life++) {
            for (int i = 0; i < 50; i++) {
                maps.get(2).put("life" + life + ":" + i, i);
                expected.put("life" + life + ":" + i, i);
            }
            maps.get(0).put("n0:" + life, life);
            expected.put("n0:" + life, life);
            await().atMost(WAIT).until(() -> maps.get(0).toMap().equals(expected) && maps.get(1).toMap().equals(expected));
            nodes.get(2).close();
            start(2, freePort(), options);
            await().atMost(WAIT).until(() -> nodes.get(0).connectedNodes().size() == 2);
        }
        await().atMost(WAIT).until(() -> maps.stream().allMatch(m -> m.toMap().equals(expected)));
        // only ids of live incarnations remain in every context (n1 and the last n2 wrote nothing,
        // so a context may hold fewer than three: counting ids would pass with an old one left)
        Set<String> liveIds = new java.util.HashSet<>();
        maps.forEach(m -> liveIds.add(m.stats().replicaId()));
        await().atMost(WAIT).until(() -> maps.stream().allMatch(m -> liveIds.containsAll(m.stats().replicaIds())));
        assertThat(maps.get(0).stats().retiredIds()).isGreaterThanOrEqualTo(3);

        // node 2 leaves for good: after retireAfter its id goes too, its keys stay
        nodes.get(2).close();
        await().atMost(WAIT).until(() -> maps.get(0).stats().replicaIds().stream().noneMatch(id -> id.startsWith("n2@"))
                && maps.get(1).stats().replicaIds().stream().noneMatch(id -> id.startsWith("n2@")));
        assertThat(maps.get(0).toMap()).isEqualTo(expected);
        assertThat(maps.get(1).toMap()).isEqualTo(expected);
        maps.get(1).remove("life0:1"); // an adopted write can still be removed
        await().atMost(WAIT).until(() -> maps.get(0).get("life0:1").isEmpty());
    }

    /** A replica with a store recovers its state when its node starts again, after a clean stop or without one. */
    @Test
    void aReplicaWithAStoreRecoversItsStateOnRestart(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        ReplicatedMap.Options options = ReplicatedMap.Options.defaults().withSyncInterval(Duration.ofMillis(100))
                .withStore(ReplicaStore.file(dir.resolve("sessions.crdt")));
        cluster(1, options);
        for (int i = 0; i < 1_000; i++) maps.get(0).put("k" + i, i);
        maps.get(0).remove("k7");
        maps.get(0).close(); // a clean stop saves
        nodes.get(0).close();
        start(0, freePort(), options);
        assertThat(maps.get(0).size()).isEqualTo(999);
        assertThat(maps.get(0).get("k999")).contains(999);
        assertThat(maps.get(0).get("k7")).isEmpty();
        // without a clean stop, what the periodic save caught survives
        maps.get(0).put("late", 1);
        await().atMost(WAIT).until(() -> recoveredHas(dir, "late"));
        nodes.get(0).close();
        start(0, freePort(), options);
        assertThat(maps.get(0).get("late")).contains(1);
        assertThat(maps.get(0).size()).isEqualTo(1_000);
    }

    /** A damaged store stops the replica from starting, with a message naming the file, rather than being overwritten. */
    @Test
    void aDamagedStoreIsRefusedNotOverwritten(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path file = dir.resolve("sessions.crdt");
        java.nio.file.Files.write(file, new byte[] {2, 7, 7, 7});
        ReplicatedMap.Options options = ReplicatedMap.Options.defaults().withStore(ReplicaStore.file(file));
        seeds.add(new InetSocketAddress("127.0.0.1", freePort()));
        nodes.add(null);
        maps.add(null);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> start(0, seeds.get(0).getPort(), options))
                .hasStackTraceContaining("sessions.crdt").hasStackTraceContaining("move it away");
        assertThat(java.nio.file.Files.readAllBytes(file)).containsExactly(2, 7, 7, 7);
    }

    private static boolean recoveredHas(java.nio.file.Path dir, String key) throws Exception {
        byte[] state = java.nio.file.Files.readAllBytes(dir.resolve("sessions.crdt"));
        return new String(state, java.nio.charset.StandardCharsets.ISO_8859_1).contains(key);
    }

    @Test
    void aWriteIsVisibleHereAtOnceAndEverywhereSoonAndRemovesWinOnlyOverWhatTheySaw() throws Exception {
        cluster(3, ReplicatedMap.Options.defaults().withSyncInterval(Duration.ofMillis(200)).withMaxSyncKeys(100));
        List<AWLWWMapReplica.Change<String, Integer>> seenOnC = new CopyOnWriteArrayList<>();
        maps.get(2).subscribe(seenOnC::add);
        maps.get(0).put("bruce", 1);
        assertThat(maps.get(0).get("bruce")).contains(1); // read-your-writes
        await().atMost(WAIT).until(() -> maps.get(1).get("bruce").isPresent() && maps.get(2).get("bruce").isPresent());
        maps.get(1).put("bruce", 2);
        await().atMost(WAIT).until(() -> maps.stream().allMatch(m -> m.get("bruce").orElse(0) == 2));
        maps.get(2).remove("bruce");
        await().atMost(WAIT).until(() -> maps.stream().allMatch(m -> m.get("bruce").isEmpty()));
        await().atMost(WAIT).until(() -> seenOnC.stream().anyMatch(c -> c.after().isEmpty() && c.before().isPresent()));
        assertThat(seenOnC).anyMatch(c -> c.before().isEmpty() && c.after().equals(java.util.Optional.of(1)));

        // a late subscriber first gets what is there (the race that left a supervisor's member view short)
        maps.get(0).put("alfred", 7);
        await().atMost(WAIT).until(() -> maps.get(2).get("alfred").isPresent());
        List<AWLWWMapReplica.Change<String, Integer>> late = new CopyOnWriteArrayList<>();
        maps.get(2).subscribe(late::add);
        assertThat(late).containsExactly(new AWLWWMapReplica.Change<>("alfred", java.util.Optional.empty(), java.util.Optional.of(7)));
    }

    /**
     * A member holding the cookie sends deltas that decode but would poison the replica: a context
     * at 2^53 for the receiver's own replica id (every later local put would fail), a write stamped
     * an hour ahead (it would win every later race and drag the clock along), counters near 2^63.
     * Each is dropped whole and counted; the map goes on taking and replicating writes, and the
     * future write is never taken.
     */
    @Test
    void hostileDeltasFromAMemberAreRefusedWholeAndTheMapGoesOn() throws Exception {
        cluster(2, ReplicatedMap.Options.defaults().withSyncInterval(Duration.ofMillis(100)));
        String victim = maps.get(0).stats().replicaId();
        String attacker = maps.get(1).stats().replicaId();
        dev.cohort.process.Address to = dev.cohort.process.Address.remote("cohort.crdt.sessions", nodes.get(0).name());
        List<byte[]> hostile = List.of(
                dev.cohort.crdt.HostileDeltas.contextOnly(new String[] {victim}, new long[] {dev.cohort.crdt.Dot.MAX_COUNTER}),
                dev.cohort.crdt.HostileDeltas.oneWrite(attacker, System.currentTimeMillis() + 3_600_000, 0, "from-the-future", 66),
                dev.cohort.crdt.HostileDeltas.contextOnly(new String[] {"x", "y"}, new long[] {Long.MAX_VALUE, 1}));
        for (byte[] delta : hostile) {
            nodes.get(1).node().send(to, new ReplicationMessage(ReplicationMessage.Kind.DELTA, attacker, delta).encode());
        }
        await().atMost(WAIT).until(() -> maps.get(0).stats().refused() == hostile.size());
        maps.get(0).put("after", 1);
        maps.get(1).put("other", 2);
        await().atMost(WAIT).until(() -> maps.stream().allMatch(m -> m.toMap().equals(Map.of("after", 1, "other", 2))));
        assertThat(maps.get(0).get("from-the-future")).isEmpty();
        assertThat(maps.get(0).stats().refused()).isEqualTo(hostile.size());
    }

    @Test
    void antiEntropyRepairsWhatDeltasMissedInBoundedSlicesWithoutLosingAKey() throws Exception {
        cluster(3, ReplicatedMap.Options.defaults().withSyncInterval(Duration.ofMillis(100)).withMaxSyncKeys(200));
        Map<String, Integer> expected = new HashMap<>();
        for (int i = 0; i < 500; i++) {
            maps.get(0).put("seen" + i, i);
            expected.put("seen" + i, i);
        }
        await().atMost(WAIT).until(() -> maps.stream().allMatch(m -> m.size() == 500));
        // node 0 writes while cut off from everyone: no delta reaches anybody
        maps.get(0).neighbours(Set.of());
        for (int i = 0; i < 100; i++) {
            maps.get(0).remove("seen" + i); // removals the others must learn by anti-entropy
            expected.remove("seen" + i);
        }
        for (int i = 0; i < 20_000; i++) {
            maps.get(0).put("key" + i, i);
            expected.put("key" + i, i);
        }
        maps.get(1).put("own", -1); // node 1 has a key node 0 never saw
        expected.put("own", -1);
        maps.get(0).neighbours(Set.of("n1@127.0.0.1", "n2@127.0.0.1"));
        await().atMost(WAIT).until(() -> maps.stream().allMatch(m -> m.toMap().equals(expected)));
    }

    /**
     * DeltaCrdt's failure case: one replica holds 100,000 keys, the sync size is 200 keys, two
     * replicas join later; every replica ends with exactly the 100,000 keys. With concurrent
     * removes on another replica: they win only over the writes they observed.
     */
    @Test
    void aHundredThousandKeysReachLateJoinersInSmallSlicesExactly() throws Exception {
        cluster(3, ReplicatedMap.Options.defaults().withSyncInterval(Duration.ofMillis(200)).withMaxSyncKeys(200));
        for (int i = 0; i < 1_000; i++) maps.get(0).put("key" + i, i); // everyone sees these
        await().atMost(WAIT).until(() -> maps.get(1).size() == 1_000 && maps.get(2).size() == 1_000);
        maps.get(0).neighbours(Set.of());
        maps.get(1).neighbours(Set.of());
        maps.get(2).neighbours(Set.of());
        maps.get(2).removeAll(java.util.stream.IntStream.range(0, 500).mapToObj(i -> "key" + i).toList()); // observed: they go
        for (int i = 0; i < 10; i++) maps.get(0).put("key" + i, -i); // concurrent re-puts: add wins
        for (int i = 1_000; i < 100_000; i++) maps.get(0).put("key" + i, i);
        maps.get(1).neighbours(Set.of("n0@127.0.0.1"));
        maps.get(2).neighbours(Set.of("n0@127.0.0.1"));
        maps.get(0).neighbours(Set.of("n1@127.0.0.1", "n2@127.0.0.1"));
        int expected = 100_000 - 490;
        await().atMost(Duration.ofMinutes(3)).until(() -> maps.stream().allMatch(m -> m.size() == expected));
        Map<String, Integer> m0 = maps.get(0).toMap();
        assertThat(maps.get(1).toMap()).isEqualTo(m0);
        assertThat(maps.get(2).toMap()).isEqualTo(m0);
        assertThat(m0).containsEntry("key3", -3).doesNotContainKey("key10").doesNotContainKey("key499")
                .containsEntry("key500", 500).containsEntry("key99999", 99_999);
    }

    /** A neighbour that never answers costs one sync per give-up period, not one per interval: nothing piles up. */
    @Test
    void anUnresponsiveNeighbourHasAtMostOneSyncInFlight() throws Exception {
        cluster(1, ReplicatedMap.Options.defaults().withSyncInterval(Duration.ofMillis(50)));
        maps.get(0).put("k", 1);
        maps.get(0).neighbours(Set.of("ghost@127.0.0.1")); // no such node: every sync step is lost
        long t0 = System.nanoTime();
        await().atMost(WAIT).until(() -> maps.get(0).stats().syncsStarted() >= 3);
        long intervals = (System.nanoTime() - t0) / Duration.ofMillis(50).toNanos();
        // one sync per 10 intervals (the give-up period) at most, plus the first
        assertThat(maps.get(0).stats().syncsStarted()).isLessThanOrEqualTo(intervals / 10 + 2);
        assertThat(intervals).isGreaterThanOrEqualTo(20);
    }
}
