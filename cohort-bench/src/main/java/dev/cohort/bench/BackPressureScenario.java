package dev.cohort.bench;

import static dev.cohort.bench.Bench.figure;
import static dev.cohort.bench.Bench.progress;
import static dev.cohort.bench.NodeProcesses.freePort;

import dev.cohort.cluster.ClusterNode;
import dev.cohort.cluster.NodeMain;
import dev.cohort.cluster.internal.jgroups.JGroupsTransport;
import dev.cohort.cluster.wire.ForySerializer;
import dev.cohort.process.Pid;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code ./cohort bench backpressure}: back-pressure between nodes. Node A ({@link NodeMain},
 * its own JVM, 256 MB heap) storms node B's sink from 8 processes with 1 KB messages; B reads
 * for a first storm, then is stopped (SIGSTOP) for a second. This JVM is a third node that calls
 * A's counter without pause meanwhile. Figures: A's most bytes queued for B (the bound is
 * {@link JGroupsTransport#DEFAULT_MAX_OUTBOX_BYTES}), A's peak live heap (what collections
 * left) and heap after the storm, how soon B was removed, the longest wait of one send, frames
 * dropped, and the calls to A (failed, p99, max) while it stormed the stopped node.
 */
final class BackPressureScenario {
    private BackPressureScenario() {}

    static void run(String[] args) throws Exception {
        int driverPort = freePort();
        ClusterNode driver = ClusterNode.start("bench@127.0.0.1", driverPort, List.of(), "bench-cookie", ForySerializer.builder().build());
        NodeProcesses.NodeProcess a = null, b = null;
        try {
            a = NodeProcesses.start(NodeMain.class, List.of("-Xmx256m"), "a@127.0.0.1", freePort(), driverPort);
            b = NodeProcesses.start(NodeMain.class, List.of("-Xmx256m"), "b@127.0.0.1", freePort(), driverPort);
            Pid counter = a.pidOf("COUNTER");
            a.awaitLine("UP b@127.0.0.1"::equals);
            b.awaitLine("READY"::equals);
            progress("three nodes up");

            Map<String, String> warm = storm(a, 3);
            progress("storm toward a reading node: " + warm);
            figure("BP", "reading_peer_frames_per_s", Long.parseLong(warm.get("sent")) / 3.0, "frames/s");
            figure("BP", "reading_peer_dropped", Long.parseLong(warm.get("dropped")), "frames");
            a.send("GC warm");
            a.awaitLine("GC-DONE warm"::equals);

            AtomicBoolean calling = new AtomicBoolean(true);
            List<Long> latencies = new ArrayList<>();
            long[] failed = new long[1];
            Thread caller = Thread.ofVirtual().start(() -> {
                while (calling.get()) {
                    long t0 = System.nanoTime();
                    try {
                        driver.node().call(counter, "inc", Duration.ofSeconds(5));
                        latencies.add(System.nanoTime() - t0);
                    } catch (RuntimeException e) {
                        failed[0]++;
                    }
                }
            });
            int mark = a.lines().size();
            long stopped = System.nanoTime();
            b.signal("STOP");
            a.send("STORM b@127.0.0.1 8 1024 8");
            a.awaitLineAfter(mark, "DOWN b@127.0.0.1"::equals);
            long removedMs = (System.nanoTime() - stopped) / 1_000_000;
            Map<String, String> storm = NodeMain.fields(a.awaitLineAfter(mark, l -> l.startsWith("STORM ")));
            calling.set(false);
            caller.join();
            progress("storm toward a stopped node: " + storm);
            figure("BP", "stopped_peer_removed_after_ms", removedMs, "ms");
            figure("BP", "peak_outbox_bytes_one_node", Long.parseLong(storm.get("peakOutbox")) / 1048576.0, "MiB");
            figure("BP", "outbox_bound", JGroupsTransport.DEFAULT_MAX_OUTBOX_BYTES / 1048576.0, "MiB");
            figure("BP", "peak_live_heap", Long.parseLong(storm.get("peakLiveHeap")) / 1048576.0, "MiB");
            figure("BP", "heap_after_storm", Long.parseLong(storm.get("heapAfter")) / 1048576.0, "MiB");
            figure("BP", "longest_send_wait_ms", Long.parseLong(storm.get("longestSendMs")), "ms");
            figure("BP", "frames_dropped", Long.parseLong(storm.get("dropped")), "frames");
            long[] lat = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
            figure("BP", "calls_to_storming_node", lat.length, "calls");
            figure("BP", "calls_failed", failed[0], "calls");
            if (lat.length > 0) {
                figure("BP", "call_p99_ms", lat[(int) (lat.length * 0.99)] / 1e6, "ms");
                figure("BP", "call_max_ms", lat[lat.length - 1] / 1e6, "ms");
            }
            b.signal("CONT");
            long cont = System.nanoTime();
            a.awaitLineAfter(mark, "UP b@127.0.0.1"::equals);
            figure("BP", "continued_peer_rejoined_after_ms", (System.nanoTime() - cont) / 1_000_000, "ms");
            figure("BP", "sender_alive", a.process().isAlive() ? 1 : 0, "bool");
        } finally {
            if (a != null) a.process().destroyForcibly();
            if (b != null) {
                b.signal("CONT");
                b.process().destroyForcibly();
            }
            driver.close();
        }
    }

    private static Map<String, String> storm(NodeProcesses.NodeProcess a, int seconds) throws Exception {
        int from = a.lines().size();
        a.send("STORM b@127.0.0.1 " + seconds + " 1024 8");
        return NodeMain.fields(a.awaitLineAfter(from, l -> l.startsWith("STORM ")));
    }
}
