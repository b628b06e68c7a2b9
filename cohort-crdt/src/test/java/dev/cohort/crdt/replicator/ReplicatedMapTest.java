package dev.cohort.crdt.replicator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cohort.cluster.ClusterNode;
import dev.cohort.cluster.discovery.Discovery;
import dev.cohort.cluster.wire.ForySerializer;
import dev.cohort.crdt.AWLWWMapReplica;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Replicated maps on three nodes joined over JGroups TCP in this JVM (the OS-process test is still to come). */
class ReplicatedMapTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private final List<ClusterNode> nodes = new ArrayList<>();
    private final List<ReplicatedMap<String, Integer>> maps = new ArrayList<>();

    @AfterEach
    void stop() {
        nodes.forEach(ClusterNode::close);
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    private void cluster(int n, ReplicatedMap.Options options) throws Exception {
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < n; i++) ports.add(freePort());
        List<InetSocketAddress> seeds = ports.stream().map(p -> new InetSocketAddress("127.0.0.1", p)).toList();
        for (int i = 0; i < n; i++) {
            ForySerializer serializer = ForySerializer.builder().build();
            ClusterNode c = ClusterNode.builder().name("n" + i + "@127.0.0.1").port(ports.get(i)).cookie("c")
                    .discovery(Discovery.staticHosts(seeds)).serializer(serializer).start();
            nodes.add(c);
            maps.add(ReplicatedMap.start(c, "sessions", serializer, String.class, Integer.class, options));
        }
        await().atMost(WAIT).until(() -> nodes.stream().allMatch(c -> c.connectedNodes().size() == n - 1));
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
     * replicas join later; every replica ends with exactly 100,000 keys.
     */
    @Test
    void aHundredThousandKeysReachLateJoinersInSmallSlicesExactly() throws Exception {
        cluster(3, ReplicatedMap.Options.defaults().withSyncInterval(Duration.ofMillis(200)).withMaxSyncKeys(200));
        maps.get(0).neighbours(Set.of());
        maps.get(1).neighbours(Set.of());
        maps.get(2).neighbours(Set.of());
        for (int i = 0; i < 100_000; i++) maps.get(0).put("key" + i, i);
        maps.get(1).neighbours(Set.of("n0@127.0.0.1"));
        maps.get(2).neighbours(Set.of("n0@127.0.0.1"));
        maps.get(0).neighbours(Set.of("n1@127.0.0.1", "n2@127.0.0.1"));
        await().atMost(Duration.ofMinutes(3)).until(() -> maps.get(1).size() == 100_000 && maps.get(2).size() == 100_000);
        assertThat(maps.get(2).toMap()).isEqualTo(maps.get(0).toMap());
    }
}
