package dev.cohort.cluster;

import dev.cohort.cluster.cli.NodeCommand;
import dev.cohort.process.Down;
import dev.cohort.process.ExitReason;
import dev.cohort.process.From;
import dev.cohort.process.Pid;
import dev.cohort.process.ProcessContext;
import dev.cohort.process.Ref;
import dev.cohort.server.GenServer;
import dev.cohort.server.Next;
import dev.cohort.server.StartOptions;
import picocli.CommandLine.Command;

/**
 * A node for cluster tests and benchmarks: {@link NodeCommand} (same options) plus fixtures a
 * test drives from outside. It prints {@code COUNTER <node> <creation> <id>} for a counter
 * GenServer registered as {@code counter} ("inc" → n+1, "hang" → no reply, a cast adds 10),
 * {@code ECHO ...} for a process registered as {@code echo} that answers a pid with its own,
 * {@code ORDER ...} for a process registered as {@code order} that checks that the Longs it
 * receives count up from 0 (send it a pid to get {@code "ORDER <count> <inOrder>"}), then
 * {@code UP <node>} / {@code DOWN <node>} lines.
 *
 * <p>Commands on standard input, one per line: {@code ISOLATE} / {@code HEAL} (cut this node
 * off the network and back), {@code GLOBAL <name>} (register a new idle process under a global
 * name; prints {@code GLOBAL <name> yes|no <pid>}, then {@code EXIT <name> <reason>} when it
 * ends), {@code WHEREIS <name>} (prints {@code WHEREIS <name> <pid>|none}), {@code STATS} (prints
 * {@code STATS sink=<messages the process registered as sink received> sealRefusals=<n>
 * nonMembers=<n> heapUsed=<bytes after a GC> members=<names>}), {@code STORM <node> <seconds> <frame
 * bytes> <senders>} (that many processes send byte arrays to {@code sink} on that node as fast
 * as they can; prints {@code STORM sent=<frames> dropped=<frames dropped to slow nodes>
 * peakOutbox=<most bytes queued for one node> peakHeap=<bytes used, sampled every 5 ms>
 * peakLiveHeap=<bytes left by the latest collections, sampled> longestSendMs=<ms> heapAfter=<bytes
 * after a GC>}).
 *
 * <p>The fixtures are plain processes, not supervised: a driving test reads their pids once from
 * these lines, so a restarted fixture would be a different process than the one it checks.
 * (Supervising Cohort's own services is issue 19.)
 */
@Command(name = "cohort test-node", mixinStandardHelpOptions = true)
public final class NodeMain extends NodeCommand {

    public static void main(String[] args) {
        System.exit(run(new NodeMain(), args));
    }

    @Override
    protected void running(ClusterNode cluster) {
        Pid counter = GenServer.start(cluster.node(), new GenServer<Integer>() {
            @Override public Next<Integer> init(ProcessContext self) { return Next.ok(0); }
            @Override public Next<Integer> handleCall(Object request, From from, Integer n) {
                if ("hang".equals(request)) return Next.noReply(n);
                return Next.reply(n + 1, n + 1);
            }
            @Override public Next<Integer> handleCast(Object request, Integer n) { return Next.noReply(n + 10); }
        }, StartOptions.named("counter"));
        print("COUNTER " + pidFields(counter));
        Pid echo = cluster.node().spawn(self -> {
            for (;;) {
                if (self.receive() instanceof Pid from) self.send(from, self.self());
            }
        });
        cluster.node().register("echo", echo);
        print("ECHO " + pidFields(echo));
        Pid order = cluster.node().spawn(self -> {
            long expected = 0;
            boolean inOrder = true;
            String firstGap = "";
            for (;;) {
                Object m = self.receive();
                if (m instanceof Long n) {
                    if (n != expected && inOrder) {
                        inOrder = false;
                        firstGap = " (expected " + expected + ", got " + n + ")";
                    }
                    expected++;
                } else if (m instanceof Pid asker) {
                    self.send(asker, "ORDER " + expected + " " + inOrder + firstGap);
                }
            }
        });
        cluster.node().register("order", order);
        // counts every message that reaches it: hostile-peer tests check that none of theirs did
        java.util.concurrent.atomic.AtomicLong sunk = new java.util.concurrent.atomic.AtomicLong();
        Pid sink = cluster.node().spawn(self -> {
            for (;;) {
                self.receive();
                sunk.incrementAndGet();
            }
        });
        cluster.node().register("sink", sink);
        print("SINK " + pidFields(sink));
        this.sunk = sunk;
        cluster.spawner().define("idle", arg -> self -> self.receive());
        commands(cluster);
        print("READY");
    }

    private static String pidFields(Pid p) {
        return p.node() + " " + p.creation() + " " + p.id();
    }

    private java.util.concurrent.atomic.AtomicLong sunk;

    private void commands(ClusterNode cluster) {
        readCommands(w -> {
            switch (w[0]) {
                case "STATS" -> {
                    System.gc();
                    Runtime rt = Runtime.getRuntime();
                    print("STATS sink=" + sunk.get() + " sealRefusals=" + cluster.sealRefusals() + " nonMembers=" + cluster.framesFromNonMembers()
                            + " heapUsed=" + (rt.totalMemory() - rt.freeMemory()) + " members=" + String.join(",", new java.util.TreeSet<>(cluster.connectedNodes())));
                }
                case "STORM" -> {
                    int seconds = Integer.parseInt(w[2]), frameBytes = Integer.parseInt(w[3]), senders = Integer.parseInt(w[4]);
                    Thread.ofVirtual().start(() -> storm(cluster, w[1], seconds, frameBytes, senders));
                }
                case "ISOLATE" -> { cluster.isolate(true); print("ISOLATED"); }
                case "HEAL" -> { cluster.isolate(false); print("HEALED"); }
                case "GLOBAL" -> global(cluster, w[1]);
                case "WHEREIS" -> {
                    Pid p = cluster.global().whereis(w[1]);
                    print("WHEREIS " + w[1] + " " + (p == null ? "none" : pidFields(p)));
                }
                default -> throw new UnknownCommand();
            }
        });
    }

    /** The {@code key=value} words of a line this node printed ({@code STATS}, {@code STORM}), for the tests and benches that drive it. */
    public static java.util.Map<String, String> fields(String line) {
        java.util.Map<String, String> out = new java.util.HashMap<>();
        for (String w : line.split(" ")) {
            int eq = w.indexOf('=');
            if (eq > 0) out.put(w.substring(0, eq), w.substring(eq + 1));
        }
        return out;
    }

    /** A send storm toward {@code target}'s sink, with this node's heap sampled while it lasts. */
    private static void storm(ClusterNode cluster, String target, int seconds, int frameBytes, int senders) {
        long end = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(seconds);
        var sent = new java.util.concurrent.atomic.LongAdder();
        var longestSend = new java.util.concurrent.atomic.AtomicLong();
        var done = new java.util.concurrent.CountDownLatch(senders);
        dev.cohort.process.Address sink = dev.cohort.process.Address.remote("sink", target);
        for (int i = 0; i < senders; i++) {
            Thread.ofVirtual().start(() -> {
                try {
                    while (System.nanoTime() < end) {
                        long t0 = System.nanoTime();
                        cluster.node().send(sink, new byte[frameBytes]);
                        longestSend.accumulateAndGet(System.nanoTime() - t0, Math::max);
                        sent.increment();
                    }
                } finally {
                    done.countDown();
                }
            });
        }
        var memory = java.lang.management.ManagementFactory.getMemoryMXBean();
        var pools = java.lang.management.ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == java.lang.management.MemoryType.HEAP && p.getCollectionUsage() != null).toList();
        long peakHeap = 0, peakLive = 0;
        try {
            while (!done.await(5, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                peakHeap = Math.max(peakHeap, memory.getHeapMemoryUsage().getUsed());
                long live = 0; // what the last collection of each pool left: the heap without garbage
                for (var p : pools) live += p.getCollectionUsage().getUsed();
                peakLive = Math.max(peakLive, live);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        System.gc();
        print("STORM sent=" + sent.sum() + " dropped=" + cluster.framesDroppedToSlowNodes() + " peakOutbox=" + cluster.peakOutboxBytes()
                + " peakHeap=" + peakHeap + " peakLiveHeap=" + peakLive + " longestSendMs=" + longestSend.get() / 1_000_000 + " heapAfter=" + memory.getHeapMemoryUsage().getUsed());
    }

    private static void global(ClusterNode cluster, String name) {
        Pid holder = cluster.node().spawn(ProcessContext::receive);
        boolean yes = cluster.global().register(name, holder);
        print("GLOBAL " + name + " " + (yes ? "yes" : "no") + " " + pidFields(holder));
        cluster.node().spawn(self -> {
            Ref ref = self.monitor(holder);
            Down d = self.receive(Down.class, x -> x.ref().equals(ref), java.time.Duration.ofDays(365)).orElseThrow();
            ExitReason r = d.reason();
            print("EXIT " + name + " " + r);
        });
    }
}
