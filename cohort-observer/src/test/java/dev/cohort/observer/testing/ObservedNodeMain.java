package dev.cohort.observer.testing;

import dev.cohort.cluster.ClusterNode;
import dev.cohort.cluster.cli.NodeCommand;
import dev.cohort.cluster.wire.ForySerializer;
import dev.cohort.distributed.cli.SupervisorNodeMain;
import dev.cohort.distributed.registry.DistributedRegistry;
import dev.cohort.distributed.supervisor.DistributedSupervisor;
import dev.cohort.observer.Observer;
import dev.cohort.process.ExitReason;
import dev.cohort.process.From;
import dev.cohort.process.Pid;
import dev.cohort.process.ProcessContext;
import dev.cohort.server.GenServer;
import dev.cohort.server.Next;
import dev.cohort.server.StartOptions;
import dev.cohort.supervisor.ChildSpec;
import dev.cohort.supervisor.Supervisor;

/**
 * A node for the observer's view tests: a distributed registry {@code bench} and supervisor
 * {@code workers} (children register themselves), a local supervisor {@code local.sup} with
 * the server {@code echo}, and an observer (token {@code s3cret-token}). Commands:
 * {@code START id} starts a permanent child cluster-wide; {@code CALLS n} calls echo n times;
 * {@code CRASH} kills echo (its supervisor restarts it); {@code SLOW id} starts a child that takes
 * three seconds to stop; {@code LEAVE} leaves the supervisor gracefully.
 */
public final class ObservedNodeMain extends NodeCommand {
    public static final String TOKEN = "s3cret-token";

    public static void main(String[] args) {
        System.exit(run(new ObservedNodeMain(), args));
    }

    static final class Echo implements GenServer<Long> {
        @Override public Next<Long> init(ProcessContext self) { return Next.ok(0L); }

        @Override public Next<Long> handleCall(Object request, From from, Long state) { return Next.reply(request, state + 1); }
    }

    /** A child that takes three seconds to stop (its hand-over, say): a member leaving with it stays leaving that long. */
    static final class Slow implements GenServer<Long> {
        @Override public Next<Long> init(ProcessContext self) {
            self.trapExit(true);
            return Next.ok(0L);
        }

        @Override public void terminate(ExitReason reason, Long state) {
            java.util.concurrent.locks.LockSupport.parkNanos(3_000_000_000L);
        }
    }

    @Override
    protected void running(ClusterNode cluster) {
        ForySerializer serializer = ForySerializer.builder().build();
        DistributedRegistry registry = DistributedRegistry.builder(cluster, "bench").serializer(serializer).start();
        DistributedSupervisor workers = SupervisorNodeMain.workers(cluster, registry, serializer, true)
                .define("slow", arg -> ChildSpec.worker(arg, (sup, args) -> GenServer.startLink(sup, new Slow()))
                        .withShutdown(dev.cohort.supervisor.Shutdown.timeout(java.time.Duration.ofSeconds(10))))
                .start();
        Supervisor.start(cluster.node(), Supervisor.builder()
                .child(ChildSpec.worker("echo", (sup, args) -> GenServer.startLink(sup, new Echo(), StartOptions.named("echo")))).build(),
                StartOptions.named("local.sup"));
        Observer observer = Observer.builder(cluster).port(0).killToken(TOKEN).registry(registry).supervisor(workers).start();
        readCommands(w -> {
            switch (w[0]) {
                case "START" -> print("CHILD " + w[1] + " " + workers.startChild(w[1], "permanent", w[1]));
                case "SLOW" -> print("CHILD " + w[1] + " " + workers.startChild(w[1], "slow", w[1]));
                case "LEAVE" -> {
                    print("LEAVING");
                    print("LEFT " + workers.leave(java.time.Duration.ofSeconds(30)));
                }
                case "CALLS" -> {
                    int n = Integer.parseInt(w[1]);
                    for (int i = 0; i < n; i++) cluster.node().call(dev.cohort.process.Address.name("echo"), i);
                    print("CALLED " + n);
                }
                case "CRASH" -> {
                    Pid echo = cluster.node().whereis("echo");
                    cluster.node().exit(echo, ExitReason.KILL);
                    print("CRASHED " + echo);
                }
                default -> throw new UnknownCommand();
            }
        });
        print("OBSERVER http://127.0.0.1:" + observer.port() + "/");
    }
}
