package dev.cohort.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.cluster.ClusterNode;
import dev.cohort.process.Address;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Nodes of a test cluster see each other, message each other, and on manual time wait for nothing. */
class TestClusterTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void threeNodesJoinAndAProcessOnOneHearsFromAnother() throws Exception {
        try (TestCluster cluster = TestCluster.builder(3).start()) {
            assertThat(cluster.nodes()).allMatch(n -> n.connectedNodes().size() == 2);
            ClusterNode a = cluster.node(0), c = cluster.node(2);
            try (TestProbe probe = TestProbe.on(c.node())) {
                c.node().register("listener", probe.pid());
                a.node().send(Address.remote("listener", c.name()), "hello from " + a.name());
                assertThat(probe.expectMessage(String.class, WAIT)).isEqualTo("hello from n0@127.0.0.1");
            }
        }
    }

    /** A timer an hour out fires when the test moves the shared clock an hour, not before, and without waiting. */
    @Test
    void onManualTimeATimerFiresWhenTheTestAdvancesTheClock() throws Exception {
        try (TestCluster cluster = TestCluster.builder(2).manualTime().start()) {
            ClusterNode b = cluster.node(1);
            try (TestProbe probe = TestProbe.on(b.node())) {
                b.node().sendAfter(probe.pid(), "an hour later", Duration.ofHours(1));
                cluster.advance(Duration.ofMinutes(59));
                probe.expectNoMessage(Duration.ofMillis(50));
                cluster.advance(Duration.ofMinutes(1));
                assertThat(probe.expectMessage(String.class, WAIT)).isEqualTo("an hour later");
            }
        }
    }
}
