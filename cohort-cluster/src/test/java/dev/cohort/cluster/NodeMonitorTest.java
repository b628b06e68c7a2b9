package dev.cohort.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.cohort.cluster.discovery.Discovery;
import dev.cohort.process.Pid;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Node events as messages ({@link ClusterNode#monitorNodes}, Erlang's {@code monitor_nodes}):
 * a process receives up and down for each node, the subscription ends with the process, and a
 * listener can be removed.
 */
class NodeMonitorTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void aProcessReceivesNodeEventsUntilItEnds() throws Exception {
        int pa = Ports.free(), pb = Ports.free();
        List<InetSocketAddress> seeds = List.of(new InetSocketAddress("127.0.0.1", pa), new InetSocketAddress("127.0.0.1", pb));
        try (ClusterNode a = node("a@127.0.0.1", pa, seeds)) {
            LinkedBlockingQueue<ClusterNode.NodeEvent> seen = new LinkedBlockingQueue<>();
            Pid watcher = a.node().spawn(self -> {
                for (;;) {
                    Object m = self.receive();
                    if (m instanceof ClusterNode.NodeEvent e) seen.add(e);
                    else if ("stop".equals(m)) return;
                }
            });
            a.monitorNodes(watcher);
            a.monitorNodes(watcher); // twice: delivered once
            AtomicInteger heard = new AtomicInteger();
            var listener = a.onNodeEvent(e -> heard.incrementAndGet());
            assertThat(listener.cancel()).isTrue();
            assertThat(listener.cancel()).as("already removed").isFalse();

            try (ClusterNode b = node("b@127.0.0.1", pb, seeds)) {
                assertThat(seen.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(new ClusterNode.NodeEvent("b@127.0.0.1", true));
            }
            assertThat(seen.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(new ClusterNode.NodeEvent("b@127.0.0.1", false));
            assertThat(seen).as("one event each, though subscribed twice").isEmpty();
            assertThat(heard).as("the removed listener heard nothing").hasValue(0);

            a.node().send(watcher, "stop");
            await().atMost(WAIT).until(() -> !a.node().isAlive(watcher));
            try (ClusterNode b = node("b@127.0.0.1", pb, seeds)) {
                await().atMost(WAIT).until(() -> a.isConnected("b@127.0.0.1"));
                assertThat(a.nodeMonitorCount()).as("the ended process's subscription is gone").isZero();
            }
            assertThatThrownBy(() -> a.monitorNodes(new Pid("z@127.0.0.1", 1, 1))).hasMessageContaining("not a process of this node");
        }
    }

    private static ClusterNode node(String name, int port, List<InetSocketAddress> seeds) throws Exception {
        return ClusterNode.builder().name(name).port(port).cookie("node-monitor").discovery(Discovery.staticHosts(seeds)).start();
    }
}
