package dev.cohort.crdt.replicator;

import static org.awaitility.Awaitility.await;

import dev.cohort.cluster.ClusterNode;
import dev.cohort.cluster.wire.ForySerializer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Three replicas of one map, two of them in separate OS processes ({@link CrdtNodeMain}): random
 * updates on every node, a kill -9 and restart of one node, more updates, then all replicas equal.
 */
class ReplicatedMapProcessTest {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final List<Process> ALL = new CopyOnWriteArrayList<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> ALL.forEach(Process::destroyForcibly)));
    }

    /** A node process and what it printed. */
    private record Remote(Process process, List<String> lines) {
        void command(String line) throws IOException {
            process.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
            process.getOutputStream().flush();
        }

        long count(String prefix) { return lines.stream().filter(l -> l.startsWith(prefix)).count(); }

        /** Sends a command and waits for its answer line ({@code OK} or {@code DIGEST ...}). */
        String ask(String line, String answer) throws IOException {
            long before = count(answer);
            command(line);
            await().atMost(WAIT).until(() -> count(answer) > before || !process.isAlive());
            return lines.stream().filter(l -> l.startsWith(answer)).skip(before).findFirst().orElseThrow(() -> new AssertionError("no answer; printed " + lines));
        }
    }

    private static Remote start(String name, int port, int seed) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process p = new ProcessBuilder(java, "-Xmx256m", "-XX:+UseSerialGC", "--sun-misc-unsafe-memory-access=allow", "-cp", cp,
                CrdtNodeMain.class.getName(), "--name", name, "--port", String.valueOf(port), "--cookie", "c",
                "--seeds", "127.0.0.1:" + seed).redirectErrorStream(true).start();
        ALL.add(p);
        List<String> lines = new CopyOnWriteArrayList<>();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) lines.add(l);
            } catch (IOException ignored) {
                // ended
            }
        });
        Remote remote = new Remote(p, lines);
        await().atMost(WAIT).until(() -> lines.contains("READY") || !p.isAlive());
        return remote;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    @Test
    void replicasConvergeAfterRandomUpdatesEverywhereAndAKill9AndRestart() throws Exception {
        int pa = freePort(), pb = freePort(), pc = freePort();
        ForySerializer serializer = ForySerializer.builder().build();
        List<Remote> remotes = new ArrayList<>();
        try (ClusterNode a = ClusterNode.start("a@127.0.0.1", pa, List.of(), "c", serializer)) {
            ReplicatedMap<String, Integer> map = ReplicatedMap.start(a, "bench", serializer, String.class, Integer.class,
                    ReplicatedMap.Options.defaults().withSyncInterval(Duration.ofMillis(200)).withMaxSyncKeys(100));
            Remote b = start("b@127.0.0.1", pb, pa), c = start("c@127.0.0.1", pc, pa);
            remotes.add(b);
            remotes.add(c);
            await().atMost(WAIT).until(() -> a.connectedNodes().size() == 2);
            Random r = new Random(31);
            updates(r, 150, map, List.of(b, c));

            c.process().destroyForcibly().waitFor(); // kill -9
            await().atMost(WAIT).until(() -> !a.connectedNodes().contains("c@127.0.0.1"));
            updates(r, 60, map, List.of(b));
            Remote c2 = start("c@127.0.0.1", pc, pa); // a new incarnation, starting empty
            remotes.add(c2);
            await().atMost(WAIT).until(() -> a.connectedNodes().contains("c@127.0.0.1"));
            updates(r, 60, map, List.of(b, c2));

            await().atMost(WAIT).until(() -> {
                TreeMap<String, Integer> mine = new TreeMap<>(map.toMap());
                String expected = "DIGEST " + mine.size() + " " + mine.hashCode();
                return b.ask("DIGEST", "DIGEST").equals(expected) && c2.ask("DIGEST", "DIGEST").equals(expected);
            });
        } finally {
            for (Remote x : remotes) x.process().destroyForcibly();
        }
    }

    /** Random puts and removes on 40 keys, spread over this node and the given processes. */
    private static void updates(Random r, int n, ReplicatedMap<String, Integer> local, List<Remote> remotes) throws IOException {
        for (int i = 0; i < n; i++) {
            String key = "k" + r.nextInt(40);
            boolean remove = r.nextInt(4) == 0;
            int value = r.nextInt(1000);
            int where = r.nextInt(remotes.size() + 1);
            if (where == remotes.size()) {
                if (remove) local.remove(key);
                else local.put(key, value);
            } else {
                remotes.get(where).ask(remove ? "REMOVE " + key : "PUT " + key + " " + value, "OK");
            }
        }
    }
}
