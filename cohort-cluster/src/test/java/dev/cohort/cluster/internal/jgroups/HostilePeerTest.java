package dev.cohort.cluster.internal.jgroups;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The hostile-peer suite: a real node process attacked from this JVM with every case of
 * {@link HostilePeer} (outsiders with and without reliability headers, key holders outside the
 * view, replayed and tampered member traffic, a member forging pids, refs, exit senders and
 * global names, another cookie, a live name, absurd length prefixes, then a flood). Nothing
 * reaches the node's processes, its counter answers every call during and after, it keeps its
 * global name, and its heap stays well under its 256 MB limit.
 */
class HostilePeerTest {

    @Test
    void nothingFromAHostilePeerIsDeliveredAndTheNodeStaysHealthy() throws Exception {
        HostilePeer.Result r = HostilePeer.run(Duration.ofSeconds(5));
        assertThat(r.cases()).as("every case, with what the node did").hasSizeGreaterThanOrEqualTo(20)
                .allSatisfy((c, outcome) -> assertThat(outcome).as(c).doesNotContain("DELIVERED", "NOT REFUSED", "JOINED", "LOST", "stayed open", "failed otherwise"));
        assertThat(r.cases().get("wrong-cookie-join")).contains("authentication_failed");
        assertThat(r.cases().get("second-node-with-live-name")).contains("held_by_a_live_member");
        assertThat(r.delivered()).as("messages that reached the sink beyond the member's own").isZero();
        assertThat(r.victimAlive()).isTrue();
        assertThat(r.callsFailed()).isZero();
        assertThat(r.callsOk()).isPositive();
        assertThat(r.sealRefusals()).isPositive();
        assertThat(r.nonMemberDrops()).isPositive();
        assertThat(r.victimHeapBytes()).as("heap after a GC").isLessThan(128L << 20);
        assertThat(r.victimLines()).noneMatch(l -> l.contains("OutOfMemoryError") || l.contains("Exception in thread"));
    }
}
