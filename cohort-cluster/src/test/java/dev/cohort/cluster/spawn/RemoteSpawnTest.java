package dev.cohort.cluster.spawn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cohort.cluster.internal.routing.TestNetwork;
import dev.cohort.cluster.wire.ForySerializer;
import dev.cohort.process.Address;
import dev.cohort.process.CallException;
import dev.cohort.process.Exit;
import dev.cohort.process.ExitReason;
import dev.cohort.process.From;
import dev.cohort.process.Node;
import dev.cohort.process.Pid;
import dev.cohort.process.ProcessContext;
import dev.cohort.server.GenServer;
import dev.cohort.server.Next;
import dev.cohort.server.StartOptions;
import dev.cohort.supervisor.ChildSpec;
import dev.cohort.supervisor.DynamicSupervisor;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Starting processes and supervised children on another node by factory name. */
class RemoteSpawnTest {
    private final TestNetwork net = new TestNetwork();
    private final Node gotham = net.joinNode("gotham@127.0.0.1", ForySerializer.builder().build());
    private final Node metropolis = net.joinNode("metropolis@127.0.0.1", ForySerializer.builder().build());
    private final RemoteSpawn gothamSpawn = serve(gotham);
    private final RemoteSpawn metropolisSpawn = serve(metropolis);

    /** A spawn service under a supervisor of its own, as a ClusterNode's system tree holds it. */
    private static RemoteSpawn serve(Node node) {
        RemoteSpawn spawn = new RemoteSpawn();
        dev.cohort.supervisor.Supervisor.start(node, dev.cohort.supervisor.Supervisor.builder().child(spawn.childSpec()).build());
        return spawn;
    }

    @AfterEach
    void stop() {
        gotham.shutdown(Duration.ofSeconds(5));
        metropolis.shutdown(Duration.ofSeconds(5));
    }

    /** A counter server starting at {@code arg}. */
    private static GenServer<Integer> counterFrom(Object arg) {
        return new GenServer<>() {
            @Override public Next<Integer> init(ProcessContext self) { return Next.ok((Integer) arg); }
            @Override public Next<Integer> handleCall(Object req, From from, Integer n) { return Next.reply(n + 1, n + 1); }
        };
    }

    @Test
    void aProcessIsStartedOnTheNamedNodeFromAFactoryAndAnArgument() throws Exception {
        CompletableFuture<Object> got = new CompletableFuture<>();
        metropolisSpawn.define("greeter", arg -> self -> got.complete(arg + " from " + self.node().name()));
        Pid pid = gothamSpawn.spawn(gotham, "metropolis@127.0.0.1", "greeter", "hello");
        assertThat(pid.node()).isEqualTo("metropolis@127.0.0.1");
        assertThat(got.get(10, TimeUnit.SECONDS)).isEqualTo("hello from metropolis@127.0.0.1");

        assertThatThrownBy(() -> gothamSpawn.spawn(gotham, "metropolis@127.0.0.1", "nothing", 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no process factory named nothing");
        assertThatThrownBy(() -> gothamSpawn.spawn(gotham, "nowhere@127.0.0.1", "greeter", 1))
                .isInstanceOfSatisfying(CallException.class, e -> assertThat(e.reason()).isEqualTo(ExitReason.NOCONNECTION));
    }

    @Test
    void aLinkedRemoteProcessIsLinkedBeforeItRunsAndItsNodeLossReachesTheCaller() throws Exception {
        metropolisSpawn.define("idle", arg -> ProcessContext::receive);
        CompletableFuture<Exit> exit = new CompletableFuture<>();
        CompletableFuture<Pid> spawned = new CompletableFuture<>();
        gotham.spawn(self -> {
            self.trapExit(true);
            Pid p = gothamSpawn.spawnLink(self, "metropolis@127.0.0.1", "idle", null);
            spawned.complete(p);
            exit.complete(self.receive(Exit.class));
        });
        Pid p = spawned.get(10, TimeUnit.SECONDS);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> metropolis.info(p).map(i -> i.links().size() == 1).orElse(false));
        net.lose("metropolis@127.0.0.1");
        Exit e = exit.get(10, TimeUnit.SECONDS);
        assertThat(e.from()).isEqualTo(p);
        assertThat(e.reason()).isEqualTo(ExitReason.NOCONNECTION);
    }

    @Test
    void aChildIsStartedUnderANamedDynamicSupervisorOnAnotherNode() {
        DynamicSupervisor.start(metropolis, DynamicSupervisor.Spec.defaults(), StartOptions.named("sessions"));
        metropolisSpawn.defineChild("counter", arg -> ChildSpec.worker("counter", parent -> GenServer.startLink(parent, counterFrom(arg))));
        Pid child = gothamSpawn.startChild(gotham, "metropolis@127.0.0.1", "sessions", "counter", 41);
        Integer n = gotham.call(child, "inc");
        assertThat(n).isEqualTo(42);
        assertThat(DynamicSupervisor.countChildren(gotham, Address.remote("sessions", "metropolis@127.0.0.1")).active()).isEqualTo(1);
        assertThatThrownBy(() -> gothamSpawn.startChild(gotham, "metropolis@127.0.0.1", "sessions", "missing", 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no child factory named missing");
    }
}
