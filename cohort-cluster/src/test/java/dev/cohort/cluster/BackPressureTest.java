package dev.cohort.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.cluster.internal.jgroups.JGroupsTransport;
import dev.cohort.cluster.testing.NodeProcess;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Back-pressure between nodes, on two real node processes: a send storm toward a peer that
 * is stopped (SIGSTOP) fills the sender's outbox to its bound and no further; its senders wait
 * instead of queueing; the failure detector removes the stopped peer, the senders go on, and
 * the sender's heap (256 MB limit) ends as it began. Continued, the peer rejoins.
 */
class BackPressureTest {
    private static final String COOKIE = "back-pressure";
    private static final Duration LONG = Duration.ofSeconds(60);

    @Test
    void aStormTowardAStoppedPeerStaysWithinTheOutboxBound() throws Exception {
        int pa = Ports.free(), pb = Ports.free();
        try (NodeProcess a = NodeProcess.start("a@127.0.0.1", pa, COOKIE);
             NodeProcess b = NodeProcess.start("b@127.0.0.1", pb, COOKIE, pa)) {
            a.awaitLine("UP b@127.0.0.1"::equals, LONG);
            b.awaitLine("READY"::equals, LONG);
            String before = a.ask("STATS", "STATS ", LONG);
            long heapBefore = Long.parseLong(NodeMain.fields(before).get("heapUsed"));

            // a reading peer first: nothing is dropped
            int start = a.lines().size();
            Map<String, String> healthy = NodeMain.fields(a.ask("STORM b@127.0.0.1 2 1024 8", "STORM ", LONG));
            // a drop here has been seen once in a fresh-clone run (8 frames); what a saw of b then says why
            assertThat(Long.parseLong(healthy.get("dropped"))).as("frames dropped toward a peer that reads; a printed meanwhile: %s",
                    a.lines().subList(start, a.lines().size())).isZero();
            assertThat(Long.parseLong(healthy.get("sent"))).isPositive();

            b.signal("STOP");
            int mark = a.lines().size();
            Map<String, String> storm = NodeMain.fields(a.ask("STORM b@127.0.0.1 6 1024 8", "STORM ", LONG));
            long bound = JGroupsTransport.DEFAULT_MAX_OUTBOX_BYTES;
            assertThat(Long.parseLong(storm.get("peakOutbox"))).as("bytes ever queued for the stopped peer").isLessThanOrEqualTo(bound + 1024 + 64);
            assertThat(Long.parseLong(storm.get("sent"))).as("sends that returned").isPositive();
            a.awaitNewLine(mark, "DOWN b@127.0.0.1"::equals, LONG);
            Map<String, String> after = NodeMain.fields(a.ask("STATS", "STATS ", LONG));
            assertThat(Long.parseLong(after.get("heapUsed"))).as("heap after a GC, against %d before", heapBefore).isLessThan(heapBefore + (48L << 20));
            assertThat(a.isAlive()).isTrue();
            assertThat(a.lines()).noneMatch(l -> l.contains("OutOfMemoryError") || l.contains("Exception in thread"));

            b.signal("CONT");
            a.awaitNewLine(mark, "UP b@127.0.0.1"::equals, LONG); // merged back
        }
    }
}
