package dev.cohort.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.cohort.cluster.testing.NodeProcess;
import dev.cohort.cluster.wire.ForySerializer;
import dev.cohort.process.CallException;
import dev.cohort.process.Down;
import dev.cohort.process.ExitReason;
import dev.cohort.process.Pid;
import dev.cohort.process.Ref;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Nodes as separate OS processes on 127.0.0.1, joined over JGroups TCP. */
class ClusterProcessTest {
    private final List<AutoCloseable> open = new ArrayList<>();
    private static final Duration JOIN = Duration.ofSeconds(60);

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) open.get(i).close();
    }

    private static int freePort() throws Exception {
        return dev.cohort.cluster.Ports.free();
    }

    private NodeProcess node(String name, int port, int... seeds) throws Exception {
        NodeProcess p = NodeProcess.start(name, port, "secret", seeds);
        open.add(p);
        return p;
    }

    /** Monitors {@code target} from a process of {@code driver}; completes with its Down. Returns once the monitor is set. */
    private static CompletableFuture<Down> watch(ClusterNode driver, Pid target) throws Exception {
        CompletableFuture<Down> down = new CompletableFuture<>();
        CompletableFuture<Void> watching = new CompletableFuture<>();
        driver.node().spawn(self -> {
            Ref ref = self.monitor(target);
            watching.complete(null);
            down.complete(self.receive(Down.class, d -> d.ref().equals(ref), Duration.ofMinutes(2)).orElse(null));
        });
        watching.get(10, TimeUnit.SECONDS);
        return down;
    }

    /** Starts this JVM's node ("driver") on {@code port}, seeded with {@code other}, and waits until they are connected. */
    private ClusterNode driverJoinedTo(NodeProcess other, int port) throws Exception {
        ClusterNode driver = ClusterNode.start("driver@127.0.0.1", port,
                List.of(new InetSocketAddress("127.0.0.1", other.port)), "secret", ForySerializer.builder().build());
        open.add(driver);
        await().atMost(JOIN).until(() -> driver.connectedNodes().contains(other.name));
        return driver;
    }

    private static Pid counterOf(NodeProcess p) {
        String[] f = p.awaitLine(l -> l.startsWith("COUNTER "), JOIN).split(" ");
        return new Pid(f[1], Long.parseLong(f[2]), Long.parseLong(f[3]));
    }

    /** The two commands every node fixture takes on standard input, for benchmarks: a collection between phases, and the JIT's total time. */
    @Test
    void fixtureCommandsCollectGarbageAndReportTheJitTime() throws Exception {
        NodeProcess gotham = node("gotham@127.0.0.1", freePort());
        counterOf(gotham); // up and serving
        assertThat(gotham.ask("GC before", "GC-DONE before", JOIN)).isEqualTo("GC-DONE before");
        String[] jit = gotham.ask("JIT now", "JIT-MS now ", JOIN).split(" ");
        assertThat(Long.parseLong(jit[2])).isPositive();
        assertThat(gotham.ask("NONSENSE", "ERROR", JOIN)).isEqualTo("ERROR unknown command NONSENSE");
    }

    @Test
    void callsReachOtherProcessesAndKill9FiresNoconnectionAtOnce() throws Exception {
        int pd = freePort(), pm = freePort(), pc = freePort();
        NodeProcess metropolis = node("metropolis@127.0.0.1", pm, pd);
        ClusterNode driver = driverJoinedTo(metropolis, pd);
        Pid counter = counterOf(metropolis);

        Integer one = driver.node().call(counter, "inc");
        driver.node().cast(counter, "bump");
        Integer twelve = driver.node().call(counter, "inc");
        assertThat(List.of(one, twelve)).containsExactly(1, 12);

        // a node started after the others joins through its static seed list
        NodeProcess capitol = node("capitol@127.0.0.1", pc, pd);
        await().atMost(JOIN).until(() -> driver.connectedNodes().contains("capitol@127.0.0.1"));
        capitol.awaitLine(l -> l.equals("UP metropolis@127.0.0.1"), JOIN);

        CompletableFuture<Down> down = watch(driver, counter);
        CompletableFuture<Throwable> pending = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                driver.node().call(counter, "hang", Duration.ofMinutes(5));
            } catch (Throwable t) {
                pending.complete(t);
            }
        });
        // both the monitor and the pending call's monitor have reached metropolis: a call answered after them proves it
        Integer thirteen = driver.node().call(counter, "inc");
        assertThat(thirteen).isEqualTo(13);

        metropolis.kill9();
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            assertThat(down.get().reason()).isEqualTo(ExitReason.NOCONNECTION);
            assertThat(pending.get()).isInstanceOfSatisfying(CallException.class,
                    e -> assertThat(e.reason()).isEqualTo(ExitReason.NOCONNECTION));
        });
        capitol.awaitLine(l -> l.equals("DOWN metropolis@127.0.0.1"), JOIN);
        assertThat(driver.connectedNodes()).containsExactly("capitol@127.0.0.1");
    }

    /**
     * A hung node (SIGSTOP: its sockets stay open, so TCP says nothing) is declared lost by
     * JGroups' heartbeat failure detection (FD_ALL3 500 ms / 2 s, then VERIFY_SUSPECT2), not
     * after Erlang's 60 s tick: its monitors fire with noconnection within seconds.
     */
    @Test
    void aHungNodeIsDeclaredLostByHeartbeats() throws Exception {
        int pd = freePort(), pm = freePort();
        NodeProcess metropolis = node("metropolis@127.0.0.1", pm, pd);
        ClusterNode driver = driverJoinedTo(metropolis, pd);
        Pid counter = counterOf(metropolis);
        CompletableFuture<Down> down = watch(driver, counter);
        Integer one = driver.node().call(counter, "inc"); // the monitor has arrived before this reply
        assertThat(one).isEqualTo(1);
        metropolis.signal("STOP");
        assertThat(down.get(60, TimeUnit.SECONDS).reason()).isEqualTo(ExitReason.NOCONNECTION);
        assertThat(driver.connectedNodes()).doesNotContain("metropolis@127.0.0.1");
    }
}
