package dev.cohort.bench;

import dev.cohort.cluster.ClusterNode;
import dev.cohort.cluster.wire.ForySerializer;
import dev.cohort.process.Pid;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Node A of the cluster scenarios: this JVM as a node, with a process registered globally as
 * {@code bench-driver} that queues the reports the node processes send it (see
 * {@link dev.cohort.cluster.cli.KeyArrivals}).
 */
final class DriverNode implements AutoCloseable {
    final ClusterNode node;
    final int port;
    final ForySerializer serializer = ForySerializer.builder().build();
    final LinkedBlockingQueue<String> reports = new LinkedBlockingQueue<>();

    DriverNode() throws Exception {
        port = NodeProcesses.freePort();
        node = ClusterNode.start("a@127.0.0.1", port, List.of(), "bench-cookie", serializer);
        Pid driver = node.node().spawn(self -> {
            for (;;) if (self.receive() instanceof String s) reports.add(s);
        });
        node.global().register("bench-driver", driver);
    }

    /** Waits until {@code n} other nodes are connected. */
    void awaitConnected(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (node.connectedNodes().size() < n) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("nodes did not join");
            Thread.sleep(10); // a launcher polling, not a test
        }
    }

    /** Waits for {@code n} reports starting with {@code prefix} (others are dropped); false after {@code seconds} without one. */
    boolean awaitReports(String prefix, int n, int seconds) throws InterruptedException {
        for (int seen = 0; seen < n; ) {
            String r = reports.poll(seconds, TimeUnit.SECONDS);
            if (r == null) return false;
            if (r.startsWith(prefix)) seen++;
        }
        return true;
    }

    @Override
    public void close() {
        NodeProcesses.killAll();
        node.close();
    }
}
