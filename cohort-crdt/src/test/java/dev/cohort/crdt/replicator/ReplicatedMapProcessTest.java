package dev.cohort.crdt.replicator;

import static org.awaitility.Awaitility.await;

import dev.cohort.cluster.ClusterNode;
import dev.cohort.cluster.testing.NodeProcess;
import dev.cohort.cluster.wire.ForySerializer;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Three replicas of one map, two of them in separate OS processes ({@link CrdtNodeMain}): random
 * updates on every node, a kill -9 and restart of one node, more updates, then all replicas equal.
 */
class ReplicatedMapProcessTest {
    private static final Duration WAIT = Duration.ofSeconds(90);

    private static NodeProcess start(String name, int port, int seed) throws IOException {
        NodeProcess p = NodeProcess.start(CrdtNodeMain.class, name, port, "c", seed);
        p.awaitLine("READY"::equals, WAIT);
        return p;
    }

    private static int freePort() throws java.io.IOException {
        return dev.cohort.cluster.Ports.free(); // below the ephemeral range: see Ports
    }

    @Test
    void replicasConvergeAfterRandomUpdatesEverywhereAndAKill9AndRestart() throws Exception {
        int pa = freePort(), pb = freePort(), pc = freePort();
        ForySerializer serializer = ForySerializer.builder().build();
        List<NodeProcess> remotes = new ArrayList<>();
        try (ClusterNode a = ClusterNode.start("a@127.0.0.1", pa, List.of(), "c", serializer)) {
            ReplicatedMap<String, Integer> map = ReplicatedMap.builder(a, "bench", String.class, Integer.class).serializer(serializer).options(ReplicatedMap.Options.defaults().withSyncInterval(Duration.ofMillis(200)).withMaxSyncKeys(100)).start();
            NodeProcess b = start("b@127.0.0.1", pb, pa), c = start("c@127.0.0.1", pc, pa);
            remotes.add(b);
            remotes.add(c);
            await().atMost(WAIT).until(() -> a.connectedNodes().size() == 2);
            Random r = new Random(31);
            updates(r, 150, map, List.of(b, c));

            c.kill9();
            await().atMost(WAIT).until(() -> !a.connectedNodes().contains("c@127.0.0.1"));
            updates(r, 60, map, List.of(b));
            NodeProcess c2 = start("c@127.0.0.1", pc, pa); // a new incarnation, starting empty
            remotes.add(c2);
            await().atMost(WAIT).until(() -> a.connectedNodes().contains("c@127.0.0.1"));
            updates(r, 60, map, List.of(b, c2));

            await().atMost(WAIT).until(() -> {
                TreeMap<String, Integer> mine = new TreeMap<>(map.toMap());
                String expected = "DIGEST " + mine.size() + " " + mine.hashCode();
                return b.ask("DIGEST", "DIGEST", WAIT).equals(expected) && c2.ask("DIGEST", "DIGEST", WAIT).equals(expected);
            });
        } finally {
            remotes.forEach(NodeProcess::close);
        }
    }

    /** Random puts and removes on 40 keys, spread over this node and the given processes. */
    private static void updates(Random r, int n, ReplicatedMap<String, Integer> local, List<NodeProcess> remotes) throws IOException {
        for (int i = 0; i < n; i++) {
            String key = "k" + r.nextInt(40);
            boolean remove = r.nextInt(4) == 0;
            int value = r.nextInt(1000);
            int where = r.nextInt(remotes.size() + 1);
            if (where == remotes.size()) {
                if (remove) local.remove(key);
                else local.put(key, value);
            } else {
                remotes.get(where).ask(remove ? "REMOVE " + key : "PUT " + key + " " + value, "OK", WAIT);
            }
        }
    }
}
