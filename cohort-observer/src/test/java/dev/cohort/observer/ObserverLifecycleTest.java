package dev.cohort.observer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.cluster.ClusterNode;
import dev.cohort.cluster.discovery.Discovery;
import dev.cohort.process.Address;
import dev.cohort.process.Telemetry;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** An observer closed on a running node leaves nothing behind (process, telemetry, node-event listeners), and a new one serves again. */
class ObserverLifecycleTest {
    @Test
    void closeRemovesTheSummaryProcessAndTheTelemetryAndANewObserverServes() throws Exception {
        int port = dev.cohort.cluster.Ports.free();
        try (ClusterNode cluster = ClusterNode.builder().name("solo@127.0.0.1").port(port).cookie("c")
                .discovery(Discovery.staticHosts(List.of(new InetSocketAddress("127.0.0.1", port)))).start()) {
            Telemetry nodes = cluster.node().telemetry(); // the node's own (its system tree's health)
            int subscribers = cluster.nodeEventSubscribers();
            for (int round = 0; round < 3; round++) {
                Observer observer = Observer.builder(cluster).start();
                assertThat(cluster.node().telemetry()).isNotSameAs(nodes);
                String summary = cluster.node().call(Address.name(NodeSummary.NAME), "node");
                assertThat(summary).startsWith("{\"name\":\"solo@127.0.0.1\"");
                observer.close();
                assertThat(cluster.node().whereis(NodeSummary.NAME)).isNull();
                assertThat(cluster.node().telemetry()).as("the observer's telemetry removed, the node's kept").isSameAs(nodes);
                assertThat(cluster.nodeEventSubscribers()).as("node-event listeners left behind").isEqualTo(subscribers);
            }
        }
    }
}
