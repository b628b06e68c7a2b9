package dev.cohort.cluster.internal.jgroups;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cohort.cluster.internal.routing.FrameRouter;
import dev.cohort.cluster.wire.ForySerializer;
import dev.cohort.process.Down;
import dev.cohort.process.ExitReason;
import dev.cohort.process.From;
import dev.cohort.process.Node;
import dev.cohort.process.Pid;
import dev.cohort.process.ProcessContext;
import dev.cohort.process.Ref;
import dev.cohort.server.GenServer;
import dev.cohort.server.Next;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Smoke test of the JGroups transport: nodes in one JVM, real TCP on 127.0.0.1. (The cluster
 * acceptance tests with one OS process per node are the next step of issue 3.)
 */
class JGroupsTransportTest {
    private final List<AutoCloseable> open = new ArrayList<>();

    /** A node, its router and its transport. */
    private record Member(Node node, JGroupsTransport transport) {}

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) open.get(i).close();
    }

    private static int freePort() throws Exception {
        return dev.cohort.cluster.Ports.free();
    }

    private Member member(String name, int port, List<Integer> seeds, String cookie) throws Exception {
        Node node = Node.builder().name(name).build();
        open.add(node);
        ForySerializer serializer = ForySerializer.builder().build();
        FrameRouter[] router = new FrameRouter[1];
        List<InetSocketAddress> seedAddrs = seeds.stream().map(p -> new InetSocketAddress("127.0.0.1", p)).toList();
        JGroupsTransport transport = new JGroupsTransport(
                new JGroupsTransport.Settings(name, "127.0.0.1", port, seedAddrs, cookie),
                (from, bytes) -> router[0].onFrame(from, bytes), up -> {}, down -> router[0].nodeDown(down));
        open.add(transport);
        router[0] = new FrameRouter(node, serializer, transport);
        node.attach(router[0]);
        transport.connect();
        return new Member(node, transport);
    }

    @Test
    void nodesFormAClusterCallEachOtherAndSeeNoconnectionWhenOneLeaves() throws Exception {
        int p1 = freePort(), p2 = freePort();
        Member gotham = member("gotham@127.0.0.1", p1, List.of(p2), "secret");
        Member metropolis = member("metropolis@127.0.0.1", p2, List.of(p1), "secret");
        await().atMost(Duration.ofSeconds(30)).until(() -> gotham.transport().isConnected("metropolis@127.0.0.1")
                && metropolis.transport().isConnected("gotham@127.0.0.1"));

        Pid counter = GenServer.start(metropolis.node(), new GenServer<Integer>() {
            @Override public Next<Integer> init(ProcessContext self) { return Next.ok(0); }
            @Override public Next<Integer> handleCall(Object req, From from, Integer n) { return Next.reply(n + 1, n + 1); }
        });
        Integer one = gotham.node().call(counter, "inc");
        Integer two = gotham.node().call(counter, "inc");
        assertThat(List.of(one, two)).containsExactly(1, 2);

        CompletableFuture<Down> down = new CompletableFuture<>();
        CompletableFuture<Void> watching = new CompletableFuture<>();
        gotham.node().spawn(self -> {
            Ref ref = self.monitor(counter);
            watching.complete(null);
            down.complete(self.receive(Down.class, d -> d.ref().equals(ref), Duration.ofMinutes(1)).orElse(null));
        });
        watching.get(10, TimeUnit.SECONDS);
        await().until(() -> metropolis.node().info(counter).map(i -> i.monitors() >= 1).orElse(false));
        metropolis.transport().close();
        assertThat(down.get(30, TimeUnit.SECONDS).reason()).isEqualTo(ExitReason.NOCONNECTION);
    }

    @Test
    void aNodeWithAnotherCookieNeverJoins() throws Exception {
        int p1 = freePort(), p2 = freePort();
        Member gotham = member("gotham@127.0.0.1", p1, List.of(p2), "secret");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> member("joker@127.0.0.1", p2, List.of(p1), "wrong"))
                .isInstanceOf(SecurityException.class).hasMessageContaining("authentication failed");
        Member robin = member("robin@127.0.0.1", freePort(), List.of(p1), "secret");
        await().atMost(Duration.ofSeconds(30)).until(() -> gotham.transport().isConnected("robin@127.0.0.1"));
        assertThat(robin.transport().connectedNodes()).containsExactly("gotham@127.0.0.1");
        assertThat(gotham.transport().connectedNodes()).doesNotContain("joker@127.0.0.1");
    }

    /**
     * A partition made by discarding everything, then healed: the two views merge back into one.
     * Messages sent into the partition wait in UNICAST3 for their acknowledgement; after the heal
     * they come from a node that is no longer in the receiver's view, and the merge view is queued
     * behind them, so the receiver must still take them.
     */
    @Test
    void twoSidesOfAHealedPartitionMergeBackIntoOneView() throws Exception {
        int p1 = freePort(), p2 = freePort();
        Member gotham = member("gotham@127.0.0.1", p1, List.of(p2), "secret");
        Member metropolis = member("metropolis@127.0.0.1", p2, List.of(p1), "secret");
        await().atMost(Duration.ofSeconds(30)).until(() -> gotham.transport().isConnected("metropolis@127.0.0.1"));
        Pid sink = gotham.node().spawn(self -> { for (;;) self.receive(); });
        metropolis.transport().isolate(true);
        for (int i = 0; i < 20; i++) metropolis.node().send(sink, i); // lost in the partition, retransmitted after
        await().atMost(Duration.ofSeconds(60)).until(() -> gotham.transport().connectedNodes().isEmpty()
                && metropolis.transport().connectedNodes().isEmpty());
        metropolis.transport().isolate(false);
        await().atMost(Duration.ofSeconds(60)).until(() -> gotham.transport().isConnected("metropolis@127.0.0.1")
                && metropolis.transport().isConnected("gotham@127.0.0.1"));
    }
}
