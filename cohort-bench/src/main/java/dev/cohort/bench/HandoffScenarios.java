package dev.cohort.bench;

import static dev.cohort.bench.Bench.figure;
import static dev.cohort.bench.Bench.progress;

import dev.cohort.cluster.ClusterNode;
import dev.cohort.cluster.discovery.Discovery;
import dev.cohort.cluster.wire.ForySerializer;
import dev.cohort.distributed.registry.DistributedRegistry;
import dev.cohort.process.From;
import dev.cohort.process.Node;
import dev.cohort.process.Pid;
import dev.cohort.server.GenServer;
import dev.cohort.server.Next;
import dev.cohort.state.Persistence;
import dev.cohort.state.StatefulServer;
import dev.cohort.state.WritePolicy;
import dev.cohort.state.cli.HandoffDrill;
import dev.cohort.state.cli.StateNodeMain;
import dev.cohort.testkit.LocalPostgres;
import dev.cohort.state.store.StateStore;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * H1 of the hand-off issue, per store (SQLite in a temporary file, PostgreSQL from
 * {@link LocalPostgres}; the label in brackets says which):
 * <ul>
 *   <li>{@code writethrough_call_p50_us}, {@code _p99_us}: 5,000 calls one after another, each
 *       incrementing a durable counter whose change is written before the answer.</li>
 *   <li>{@code writebehind_ops_per_s}: 100 durable counters written behind (100 ms / 1,000
 *       changes), 1,000,000 increments cast by 4 clients; state changes applied per second.</li>
 *   <li>{@code lost}, {@code doubled}: the acceptance test's crash drill ({@link HandoffDrill}):
 *       10,000 increments over three node processes, four kill -9s of a hosting node.</li>
 * </ul>
 * {@code ./cohort bench handoff [sqlite|postgres]} runs one store.
 */
final class HandoffScenarios {
    private HandoffScenarios() {}

    /** The counter: call "inc" adds one and answers the count; cast "inc" adds one; call "get" answers. */
    record Count(long n) {}

    static final class Counter implements StatefulServer<Count> {
        @Override public Count initial(String key) { return new Count(0); }

        @Override
        public Next<Count> handleCall(Object request, From from, Count state) {
            if ("get".equals(request)) return Next.reply(state.n(), state);
            Count next = new Count(state.n() + 1);
            return Next.reply(next.n(), next);
        }

        @Override
        public Next<Count> handleCast(Object request, Count state) {
            return Next.noReply(new Count(state.n() + 1));
        }
    }

    static void run(String[] args) throws Exception {
        List<String> stores = args.length > 0 ? List.of(args) : List.of("sqlite", "postgres");
        for (String s : stores) {
            if (!s.equals("sqlite") && !s.equals("postgres")) throw new IllegalArgumentException("unknown store " + s + " (sqlite, postgres)");
        }
        Path dir = Files.createTempDirectory("cohort-bench-handoff");
        LocalPostgres pg = stores.contains("postgres") ? LocalPostgres.start() : null;
        try {
            for (String s : stores) {
                String uri = s.equals("sqlite") ? "sqlite:" + dir.resolve("state.db") : pg.uri();
                writeThrough(s, uri);
                writeBehind(s, uri);
                drill(s, uri + "?table=drill");
            }
        } finally {
            if (pg != null) pg.close();
        }
    }

    private static void writeThrough(String label, String uri) throws Exception {
        ForySerializer serializer = ForySerializer.builder().allow(Count.class).build();
        try (Node node = Node.builder().name("bench@127.0.0.1").build(); StateStore store = StateStore.open(uri + "?table=wt")) {
            Persistence p = Persistence.builder(store, serializer).policy(WritePolicy.writeThrough()).build();
            Pid counter = GenServer.start(node, p.server("wt", Count.class, new Counter()));
            for (int i = 0; i < 500; i++) node.call(counter, "inc", Duration.ofSeconds(30)); // warm-up
            long[] us = new long[5_000];
            for (int i = 0; i < us.length; i++) {
                long t0 = System.nanoTime();
                node.call(counter, "inc", Duration.ofSeconds(30));
                us[i] = (System.nanoTime() - t0) / 1_000;
            }
            Arrays.sort(us);
            figure("H1", "writethrough_call_p50_us[" + label + "]", us[us.length / 2], "us");
            figure("H1", "writethrough_call_p99_us[" + label + "]", us[us.length * 99 / 100], "us");
        }
    }

    private static void writeBehind(String label, String uri) throws Exception {
        int servers = 100, clients = 4, total = 1_000_000;
        ForySerializer serializer = ForySerializer.builder().allow(Count.class).build();
        try (Node node = Node.builder().name("bench@127.0.0.1").build(); StateStore store = StateStore.open(uri + "?table=wb")) {
            Persistence p = Persistence.builder(store, serializer).policy(WritePolicy.writeBehind(Duration.ofMillis(100), 1_000)).build();
            List<Pid> pids = new ArrayList<>();
            for (int i = 0; i < servers; i++) pids.add(GenServer.start(node, p.server("wb" + i, Count.class, new Counter())));
            for (Pid pid : pids) for (int i = 0; i < 1_000; i++) node.cast(pid, "inc"); // warm-up
            for (Pid pid : pids) node.call(pid, "get", Duration.ofSeconds(60));
            long t0 = System.nanoTime();
            List<Thread> threads = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int first = c;
                threads.add(Thread.ofVirtual().start(() -> {
                    for (int i = first; i < total; i += clients) node.cast(pids.get(i % servers), "inc");
                }));
            }
            for (Thread t : threads) t.join();
            long applied = 0;
            for (Pid pid : pids) applied += node.<Long>call(pid, "get", Duration.ofSeconds(60)) - 1_000;
            double seconds = (System.nanoTime() - t0) / 1e9;
            if (applied != total) throw new IllegalStateException("applied " + applied + " of " + total);
            figure("H1", "writebehind_ops_per_s[" + label + "]", Math.round(total / seconds), "ops/s");
            figure("H1", "writebehind_writes[" + label + "]", p.stats().writes(), "writes");
        }
    }

    private static void drill(String label, String store) throws Exception {
        progress("crash drill on " + label + ": 10,000 increments, 4 kill -9s");
        int clientPort = NodeProcesses.freePort();
        int[] ports = {NodeProcesses.freePort(), NodeProcesses.freePort(), NodeProcesses.freePort()};
        String[] names = {"a@127.0.0.1", "b@127.0.0.1", "c@127.0.0.1"};
        List<String> options = List.of("--store", store);
        List<String> jvm = List.of("-Xmx512m", "-Djdk.virtualThreadScheduler.parallelism=" + CrdtScenarios.CARRIERS);
        NodeProcesses.NodeProcess[] nodes = new NodeProcesses.NodeProcess[3];
        List<InetSocketAddress> seeds = new ArrayList<>();
        for (int p : ports) seeds.add(new InetSocketAddress("127.0.0.1", p));
        try (ClusterNode client = ClusterNode.builder().name("client@127.0.0.1").port(clientPort).cookie("bench-cookie")
                .discovery(Discovery.staticHosts(seeds)).serializer(StateNodeMain.serializer()).start()) {
            DistributedRegistry registry = DistributedRegistry.builder(client, "state").serializer(StateNodeMain.serializer()).start();
            for (int i = 0; i < 3; i++) nodes[i] = NodeProcesses.start(StateNodeMain.class, jvm, names[i], ports[i], clientPort, options);
            for (var n : nodes) n.awaitLine("READY"::equals);
            int keys = 12;
            nodes[0].send("BULK " + keys);
            nodes[0].awaitLine(l -> l.startsWith("BULK "));
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            for (int k = 0; k < keys; k++) {
                while (registry.whereis("k" + k) == null) {
                    if (System.nanoTime() > until) throw new IllegalStateException("tally k" + k + " never registered");
                    Thread.sleep(10); // a launcher polling
                }
            }
            HandoffDrill.Nodes control = new HandoffDrill.Nodes() {
                @Override public int indexOf(String node) { return Arrays.asList(names).indexOf(node); }

                @Override public int size() { return 3; }

                @Override public void kill(int i) { nodes[i].process().destroyForcibly(); }

                @Override public void stop(int i) { throw new UnsupportedOperationException(); }

                @Override
                public void restart(int i) throws Exception {
                    nodes[i].process().waitFor();
                    nodes[i] = NodeProcesses.start(StateNodeMain.class, jvm, names[i], ports[i], clientPort, options);
                    nodes[i].awaitLine("READY"::equals);
                }
            };
            HandoffDrill.Result r = HandoffDrill.run(client, registry, control, new HandoffDrill.Plan(keys, 10_000, 4, 4, true, System.nanoTime()));
            figure("H1", "lost[" + label + "]", r.lost(), "increments");
            figure("H1", "doubled[" + label + "]", r.doubled(), "increments");
            figure("H1", "drill_s[" + label + "]", Math.round(r.elapsed().toMillis() / 100.0) / 10.0, "s");
        } finally {
            NodeProcesses.killAll();
        }
    }
}
