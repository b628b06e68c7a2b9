package dev.cohort.distributed.supervisor;

import static org.awaitility.Awaitility.await;

import dev.cohort.cluster.testing.NodeProcess;
import dev.cohort.distributed.cli.SupervisorNodeMain;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@link SupervisorNodeMain} nodes as separate OS processes on free ports of 127.0.0.1, each
 * seeded with all the others, and the parsing of their answers. Closing kills them all.
 */
final class SupervisorNodes implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(60);
    final List<NodeProcess> all = new ArrayList<>();
    private final int[] ports;
    private final String[] names;
    private final List<String> options;

    SupervisorNodes(int n, String... options) throws Exception {
        ports = new int[n];
        names = new String[n];
        this.options = List.of(options);
        for (int i = 0; i < n; i++) {
            ports[i] = freePort();
            names[i] = (char) ('a' + i) + "@127.0.0.1";
        }
    }

    /** Starts node {@code i} (its seeds are every node's port) without waiting for it. */
    NodeProcess launch(int i) throws IOException {
        List<String> args = new ArrayList<>(options);
        StringBuilder seeds = new StringBuilder();
        for (int p : ports) seeds.append(seeds.isEmpty() ? "" : ",").append("127.0.0.1:").append(p);
        args.addAll(List.of("--seeds", seeds.toString()));
        NodeProcess p = NodeProcess.startWith(SupervisorNodeMain.class, names[i], ports[i], "c", args);
        while (all.size() <= i) all.add(null);
        all.set(i, p);
        return p;
    }

    /** Starts nodes {@code 0..count-1} and waits until each is ready and sees every other as an alive member. */
    SupervisorNodes startAll(int count) throws Exception {
        for (int i = 0; i < count; i++) launch(i);
        for (int i = 0; i < count; i++) all.get(i).awaitLine("READY"::equals, WAIT);
        awaitMembers(count);
        return this;
    }

    NodeProcess get(int i) { return all.get(i); }

    String name(int i) { return names[i]; }

    /** Node {@code i}'s cluster port on 127.0.0.1. */
    int port(int i) { return ports[i]; }

    /** Waits until every running node lists exactly {@code count} alive members. */
    void awaitMembers(int count) {
        Map<String, String> last = new java.util.TreeMap<>();
        try {
            await().atMost(WAIT).until(() -> {
                for (NodeProcess p : all) {
                    if (p == null || !p.isAlive()) continue;
                    String m = p.ask("MEMBERS", "MEMBERS ", WAIT);
                    last.put(p.name, m);
                    if (m.split("=ALIVE").length - 1 != count || m.contains("LEAVING")) return false;
                }
                return true;
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            StringBuilder why = new StringBuilder("members did not settle at " + count + ": " + last);
            for (NodeProcess p : all) if (p != null) why.append("\n").append(p.name).append(" printed ").append(p.lines());
            throw new AssertionError(why.toString(), e);
        }
    }

    /** Child id to the pids it runs as, as every member answers {@code node}'s WHICH; null if a member did not answer. */
    static Map<String, List<String>> which(NodeProcess node) throws IOException {
        String line = node.ask("WHICH", "WHICH ", WAIT);
        String[] parts = line.split(" ", 4);
        if (!parts[2].equals("missing=[]")) return null;
        Map<String, List<String>> out = new HashMap<>();
        if (parts.length == 4 && !parts[3].isEmpty()) {
            for (String e : parts[3].split(",")) {
                int eq = e.indexOf('=');
                out.computeIfAbsent(e.substring(0, eq), k -> new ArrayList<>()).add(e.substring(eq + 1));
            }
        }
        return out;
    }

    /** Waits until {@code via} sees every id of {@code ids} run exactly once (all members answering) and nothing else; returns id to pid. */
    static Map<String, String> awaitExactlyOnce(NodeProcess via, java.util.Collection<String> ids) {
        AtomicReference<Map<String, String>> seen = new AtomicReference<>();
        AtomicReference<Object> last = new AtomicReference<>();
        try {
            await().atMost(WAIT).until(() -> {
                Map<String, List<String>> w = which(via);
                last.set(w == null ? via.lines().reversed().stream().filter(l -> l.startsWith("WHICH ")).findFirst().orElse(null) : w);
                if (w == null || !w.keySet().equals(new java.util.HashSet<>(ids))) return false;
                Map<String, String> once = new HashMap<>();
                for (var e : w.entrySet()) {
                    if (e.getValue().size() != 1) return false;
                    once.put(e.getKey(), e.getValue().get(0));
                }
                seen.set(once);
                return true;
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("expected " + new java.util.TreeSet<>(ids) + " once each; last answer " + last.get(), e);
        }
        return seen.get();
    }

    static String whereis(NodeProcess n, String key) throws IOException {
        String line = n.ask("WHEREIS " + key, "WHEREIS " + key + " ", WAIT);
        return line.substring(line.lastIndexOf(' ') + 1);
    }

    /** The pid a CHILD answer names, or fails with the REFUSED line. */
    static String start(NodeProcess n, String id, String kind) throws IOException {
        int before = n.lines().size();
        n.command("START " + id + " " + kind);
        String line = n.awaitNewLine(before, l -> l.startsWith("CHILD " + id + " ") || l.startsWith("REFUSED " + id + " "), WAIT);
        if (line.startsWith("REFUSED")) throw new IllegalStateException(line);
        return line.substring(line.lastIndexOf(' ') + 1);
    }

    private static int freePort() throws java.io.IOException {
        return dev.cohort.cluster.Ports.free(); // below the ephemeral range: see Ports
    }

    @Override
    public void close() {
        all.forEach(p -> { if (p != null) p.close(); });
    }

    /** Waits until the replicas of {@code kv} on every node hold the same content (size and Merkle root). */
    void awaitSameKv() {
        java.util.Set<String> contents = new java.util.TreeSet<>();
        try {
            await().atMost(WAIT).until(() -> {
                contents.clear();
                for (NodeProcess n : all) contents.add(n.ask("KV", "KV ", WAIT));
                return contents.size() == 1;
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("the replicas of kv did not agree: " + contents, e);
        }
    }

    /**
     * Waits until every node holds every write each node's workload had acknowledged ({@code worked}:
     * each node's {@code WORKED} answer, split), but for those that failed.
     */
    void awaitAcknowledgedWritesEverywhere(List<String[]> worked) {
        for (NodeProcess r : all) {
            for (int w = 0; w < worked.size(); w++) {
                String[] wk = worked.get(w);
                String cmd = "MISSING w" + w + " " + wk[3] + " " + wk[4];
                AtomicReference<String> last = new AtomicReference<>();
                try {
                    await().atMost(WAIT).until(() -> { last.set(r.ask(cmd, "MISSING w", WAIT)); return last.get().endsWith("[]"); });
                } catch (org.awaitility.core.ConditionTimeoutException e) {
                    throw new AssertionError(r.name + " misses acknowledged writes: " + last.get(), e);
                }
            }
        }
    }
}
