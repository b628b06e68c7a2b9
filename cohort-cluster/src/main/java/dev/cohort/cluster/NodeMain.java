package dev.cohort.cluster;

import dev.cohort.cluster.wire.ForySerializer;
import dev.cohort.process.From;
import dev.cohort.process.Pid;
import dev.cohort.process.ProcessContext;
import dev.cohort.server.GenServer;
import dev.cohort.server.Next;
import dev.cohort.server.StartOptions;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Starts one cluster node as its own OS process (used by the cluster tests; the full CLI with
 * picocli comes with issue 3). Arguments: {@code NAME@HOST PORT COOKIE [SEED_HOST:PORT ...]}.
 * It runs a counter GenServer registered as {@code counter} and prints
 * {@code COUNTER <node> <creation> <id>} on standard output, an echo process (answers a pid
 * with its own pid) as {@code ECHO <node> <creation> <id>}, then lines
 * {@code UP <node>} / {@code DOWN <node>} as the cluster changes.
 */
public final class NodeMain {
    private NodeMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: NodeMain NAME@HOST PORT COOKIE [SEED_HOST:PORT ...]");
            System.exit(2);
        }
        int port;
        try {
            port = Integer.parseInt(args[1]);
        } catch (NumberFormatException e) {
            System.err.println("PORT must be a number, got: " + args[1]);
            System.exit(2);
            return;
        }
        List<InetSocketAddress> seeds = new ArrayList<>();
        for (int i = 3; i < args.length; i++) {
            int colon = args[i].lastIndexOf(':');
            if (colon < 1) {
                System.err.println("a seed must be HOST:PORT, got: " + args[i]);
                System.exit(2);
            }
            seeds.add(new InetSocketAddress(args[i].substring(0, colon), Integer.parseInt(args[i].substring(colon + 1))));
        }
        ClusterNode cluster = ClusterNode.start(args[0], port, seeds, args[2], ForySerializer.builder().build());
        cluster.onNodeEvent(e -> System.out.println((e.up() ? "UP " : "DOWN ") + e.node()));
        // the first view arrived while joining, before the subscription: report it too
        for (String n : cluster.connectedNodes()) System.out.println("UP " + n);
        Pid counter = GenServer.start(cluster.node(), new GenServer<Integer>() {
            @Override public Next<Integer> init(ProcessContext self) { return Next.ok(0); }
            @Override public Next<Integer> handleCall(Object request, From from, Integer n) {
                if ("hang".equals(request)) return Next.noReply(n);
                return Next.reply(n + 1, n + 1);
            }
            @Override public Next<Integer> handleCast(Object request, Integer n) { return Next.noReply(n + 10); }
        }, StartOptions.named("counter"));
        System.out.println("COUNTER " + counter.node() + " " + counter.creation() + " " + counter.id());
        Pid echo = cluster.node().spawn(self -> {
            self.register("echo");
            for (;;) {
                if (self.receive() instanceof Pid from) self.send(from, self.self());
            }
        });
        System.out.println("ECHO " + echo.node() + " " + echo.creation() + " " + echo.id());
        System.out.flush();
        Runtime.getRuntime().addShutdownHook(new Thread(cluster::close));
        new CountDownLatch(1).await();
    }
}
