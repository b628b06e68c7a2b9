package dev.cohort.crdt;

import dev.cohort.time.HybridLogicalClock;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Horde defect 3: its last-writer-wins compares each VM's monotonic clock, whose origin is
 * arbitrary, so the "later" write is simply the one from the node with the bigger clock. Here
 * node b's clock runs 400 ms behind a's (within the clock's maximum offset, 500 ms); a write b
 * makes after it has seen a's write still wins on both replicas, because b's hybrid logical clock
 * moved past what it observed. (A clock further off than the maximum offset is refused:
 * {@link HostileValuesTest}.)
 */
class HybridClockOrderTest {

    @Test
    void aWriteMadeAfterSeeingAnotherWinsEvenFromANodeWhoseClockIsBehind() {
        AtomicLong wallA = new AtomicLong(10_000_000), wallB = new AtomicLong(10_000_000 - 400);
        HybridLogicalClock clockA = new HybridLogicalClock("a", wallA::get), clockB = new HybridLogicalClock("b", wallB::get);
        AWLWWMapReplica<String, String> a = new AWLWWMapReplica<>(), b = new AWLWWMapReplica<>();

        AWLWWMap<String, String> first = a.put("hero", "batman", clockA.now());
        b.join(first, null);
        first.entry("hero").ifPresent(e -> clockB.observe(e.timestamp())); // what the replicator does on every delta it joins
        wallA.addAndGet(5);
        wallB.addAndGet(5);
        AWLWWMap<String, String> second = b.put("hero", "robin", clockB.now()); // later, by causality
        a.join(second, null);

        assertThat(a.get("hero")).contains("robin");
        assertThat(b.get("hero")).contains("robin");
        // without observing (each node's own clock, as in Horde), b's write would carry the smaller time and lose
        assertThat(new HybridLogicalClock("b", wallB::get).now().compareTo(first.entry("hero").orElseThrow().timestamp())).isNegative();
    }
}
