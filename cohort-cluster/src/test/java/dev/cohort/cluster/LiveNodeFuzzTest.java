package dev.cohort.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cohort.cluster.internal.jgroups.JGroupsTransport;
import dev.cohort.cluster.internal.routing.FrameRouter;
import dev.cohort.cluster.testing.NodeProcess;
import dev.cohort.cluster.wire.ForySerializer;
import dev.cohort.cluster.wire.Frame;
import dev.cohort.cluster.wire.FrameBatch;
import dev.cohort.cluster.wire.FrameCodec;
import dev.cohort.cluster.wire.Mutations;
import dev.cohort.process.Address;
import dev.cohort.process.ExitReason;
import dev.cohort.process.Node;
import dev.cohort.process.Pid;
import dev.cohort.process.Ref;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * 100,000 random and damaged frames (and batches) sent over the real transport to a live node
 * process: it drops them with a log line each, keeps running, stays in the cluster, and still
 * answers calls, with every message of an orderly sender that came in between delivered in order.
 */
class LiveNodeFuzzTest {
    private static final long SEED = 20261122L;

    @Test
    void aLiveNodeSurvivesAHundredThousandBadFrames() throws Exception {
        String target = "metropolis@127.0.0.1";
        List<String> duringFuzz;
        int pm = Ports.free(), pa = Ports.free();
        try (NodeProcess metropolis = NodeProcess.start(target, pm, "secret", pa);
             Node attacker = Node.builder().name("attacker@127.0.0.1").build()) {
            ForySerializer serializer = ForySerializer.builder().build();
            FrameRouter[] router = new FrameRouter[1];
            try (JGroupsTransport transport = new JGroupsTransport(
                    new JGroupsTransport.Settings("attacker@127.0.0.1", "127.0.0.1", pa, List.of(new InetSocketAddress("127.0.0.1", pm)), "secret"),
                    (from, bytes) -> router[0].onFrame(from, bytes), up -> {}, down -> router[0].nodeDown(down))) {
                router[0] = new FrameRouter(attacker, serializer, transport);
                attacker.attach(router[0]);
                transport.requireRegistrations(serializer.registrations());
                transport.connect();
                await().atMost(Duration.ofSeconds(60)).until(() -> transport.isConnected(target));
                metropolis.awaitLine(l -> l.equals("READY"), Duration.ofSeconds(60)); // its fixtures are registered

                Random r = new Random(SEED);
                FrameCodec codec = new FrameCodec(serializer);
                List<byte[]> valid = new ArrayList<>();
                for (int i = 0; i < 100; i++) valid.add(codec.encode(validFrame(r, target, serializer)));
                // an orderly sender works on the same connection while the bad frames fly
                java.util.concurrent.CompletableFuture<Object> verdict = new java.util.concurrent.CompletableFuture<>();
                attacker.spawn(self -> {
                    Address order = Address.remote("order", target);
                    for (long i = 0; i < 1_000; i++) self.send(order, i);
                    self.send(order, self.self());
                    verdict.complete(self.receive(String.class::isInstance, Duration.ofMinutes(2)).orElse("no answer"));
                });
                for (int i = 0; i < 100_000; i++) {
                    byte[] bad = switch (i % 5) {
                        case 0 -> randomBytes(r);
                        case 1 -> FrameBatch.pack(List.of(Mutations.mutate(r, valid.get(r.nextInt(valid.size()))), randomBytes(r)));
                        default -> Mutations.mutate(r, valid.get(r.nextInt(valid.size())));
                    };
                    if (bad.length == 0) bad = new byte[] {(byte) r.nextInt()};
                    transport.send(target, bad);
                }
                assertThat(verdict.get(3, java.util.concurrent.TimeUnit.MINUTES)).isEqualTo("ORDER 1000 true");
                // what the node logged while the bad frames arrived (closing the attacker's connection
                // mid-message makes JGroups log its own errors, which are not the decoder's)
                duringFuzz = metropolis.lines();
            }
            assertThat(metropolis.isAlive()).isTrue();
            // the node is still in the cluster and answers: a fresh driver calls its counter
            try (ClusterNode driver = ClusterNode.start("driver@127.0.0.1", Ports.free(),
                    List.of(new InetSocketAddress("127.0.0.1", pm)), "secret", ForySerializer.builder().build())) {
                await().atMost(Duration.ofSeconds(60)).until(() -> driver.connectedNodes().contains(target));
                Integer one = driver.node().call(Address.remote("counter", target), "inc");
                assertThat(one).isEqualTo(1);
            }
            assertThat(metropolis.lines()).anyMatch(l -> l.contains("dropped"));
            assertThat(duringFuzz).noneMatch(l -> l.contains("Exception in thread") || l.contains(" ERROR "));
            assertThat(metropolis.lines()).noneMatch(l -> l.contains("Exception in thread"));
        }
    }

    /** A well-formed frame for processes that do not exist on {@code node}. */
    private static Frame validFrame(Random r, String node, ForySerializer s) {
        Pid nobody = new Pid(node, r.nextLong(), 1_000_000 + r.nextInt(1_000_000));
        Pid from = new Pid("attacker@127.0.0.1", 1, 1_000_000 + r.nextInt(1_000));
        Ref ref = new Ref("attacker@127.0.0.1", 1, r.nextLong());
        return switch (r.nextInt(6)) {
            case 0 -> new Frame.Send(nobody, s.serialize("x" + r.nextInt()));
            case 1 -> new Frame.Call(nobody, from, ref, s.serialize(r.nextLong()));
            case 2 -> new Frame.Exit(from, nobody, ExitReason.NORMAL, r.nextBoolean());
            case 3 -> new Frame.Monitor(from, nobody, ref);
            case 4 -> new Frame.SendNamed("nobody-" + r.nextInt(100), s.serialize(List.of(1, 2)));
            default -> new Frame.Down(from, ref, nobody, ExitReason.NOPROC);
        };
    }

    private static byte[] randomBytes(Random r) {
        byte[] b = new byte[1 + r.nextInt(120)];
        r.nextBytes(b);
        return b;
    }
}
