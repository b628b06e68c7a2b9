package dev.cohort.examples.counter;

import dev.cohort.cluster.ClusterNode;
import dev.cohort.cluster.discovery.Discovery;
import dev.cohort.cluster.wire.ForySerializer;
import dev.cohort.distributed.registry.DistributedRegistry;
import dev.cohort.distributed.supervisor.DistributedSupervisor;
import dev.cohort.observer.Observer;
import dev.cohort.process.Node;
import dev.cohort.process.Pid;
import java.util.Map;
import dev.cohort.server.GenServer;
import dev.cohort.state.Persistence;
import dev.cohort.state.WritePolicy;
import dev.cohort.state.store.StateStore;
import dev.cohort.supervisor.ChildSpec;
import dev.cohort.supervisor.Restart;
import io.javalin.Javalin;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * One counter node ({@code ./cohort counter}), as {@code iex --name a@127.0.0.1 -S mix} starts
 * one in the original. Prints {@code COUNTER READY <node> <stage> <url>} once it serves, logs
 * {@code UP}/{@code DOWN} for peers, and on SIGTERM or Ctrl-C stops gracefully (stages distributed
 * and handoff hand their sessions over first).
 */
@Command(name = "node", mixinStandardHelpOptions = true, description = "Starts one counter node.")
final class CounterNode implements Callable<Integer> {
    @Option(names = "--stage", defaultValue = "simple", description = "simple, clustered, distributed or handoff (default: ${DEFAULT-VALUE})")
    String stage;
    @Option(names = "--name", defaultValue = "a@127.0.0.1", description = "node name NAME@HOST (default: ${DEFAULT-VALUE})")
    String name;
    @Option(names = "--http-port", defaultValue = "${env:PORT:-4005}", description = "HTTP port (env PORT, default 4005; 0 picks a free one, printed on the COUNTER READY line)")
    int httpPort;
    @Option(names = "--http-host", defaultValue = "127.0.0.1", description = "HTTP address to bind (default: ${DEFAULT-VALUE})")
    String httpHost;
    @Option(names = "--port", defaultValue = "4370", description = "cluster port (default: ${DEFAULT-VALUE})")
    int port;
    @Option(names = "--seeds", split = ",", description = "cluster members HOST:PORT,... (stages clustered and after)")
    List<String> seeds = new ArrayList<>();
    @Option(names = "--cookie", defaultValue = "${env:COHORT_COOKIE:-counter}", description = "shared cluster secret (env COHORT_COOKIE)")
    String cookie;
    @Option(names = "--store", defaultValue = "sqlite:counter-state.db",
            description = "handoff stage: sqlite:PATH or postgres://USER:PASSWORD@HOST:PORT/DB (default: ${DEFAULT-VALUE})")
    String store;

    @Option(names = "--observer-port", description = "serve the observer on this HTTP port (0: a free one; stages clustered and after)")
    Integer observerPort;
    @Option(names = "--observer-token", defaultValue = "${env:COHORT_OBSERVER_TOKEN}", description = "token that allows kills from the observer")
    String observerToken;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    static ForySerializer serializer() {
        return ForySerializer.builder().allow(Session.State.class, Session.Visit.class).build();
    }

    @Override
    public Integer call() throws Exception {
        Stage s;
        try {
            s = Stage.parse(stage);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        if (httpPort < 0 || httpPort > 65535) throw new CommandLine.ParameterException(spec.commandLine(), "--http-port must be 0..65535 (0: any free port), got " + httpPort);
        if (name.indexOf('@') < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--name must look like NAME@HOST, got " + name);
        List<AutoCloseable> closing = new ArrayList<>();
        Sessions sessions;
        DistributedSupervisor supervisor = null;
        if (s == Stage.SIMPLE) {
            if (observerPort != null) throw new CommandLine.ParameterException(spec.commandLine(), "the observer needs a cluster node: stages clustered and after");
            Node node = Node.builder().name(name).build();
            closing.add(node);
            sessions = new LocalSessions(node);
        } else {
            ClusterNode cluster = ClusterNode.builder().name(name).port(port).cookie(cookie)
                    .discovery(Discovery.staticHosts(seedAddresses())).serializer(serializer()).start();
            closing.add(cluster);
            cluster.onNodeEvent(e -> say((e.up() ? "UP " : "DOWN ") + e.node() + (e.up() ? " connected" : " is unreachable")));
            for (String peer : cluster.connectedNodes()) say("UP " + peer + " connected");
            if (s == Stage.CLUSTERED) {
                LocalSessions local = new LocalSessions(cluster.node());
                sessions = local;
                observe(cluster, local::names, ob -> ob, closing);
            } else {
                DistributedRegistry registry = DistributedRegistry.builder(cluster, "counter").serializer(serializer()).start();
                DistributedSupervisor.Builder b = DistributedSupervisor.builder(cluster, "sessions", serializer());
                if (s == Stage.DISTRIBUTED) {
                    b.define("session", arg -> ChildSpec.worker(arg, (sup, args) -> GenServer.startLink(sup,
                            new EphemeralServer<>(Session.key((String) arg), new Session((String) arg, Session.Naming.distributed(registry)))))
                            .withRestart(Restart.TRANSIENT));
                } else {
                    StateStore stateStore = StateStore.open(store);
                    closing.addFirst(stateStore);
                    Persistence persistence = Persistence.builder(stateStore, serializer()).policy(WritePolicy.writeThrough()).build();
                    b.define("session", arg -> ChildSpec.worker(arg, (sup, args) -> GenServer.startLink(sup,
                            persistence.server(Session.key((String) arg), Session.State.class,
                                    new Session((String) arg, Session.Naming.distributed(registry)))))
                            .withRestart(Restart.TRANSIENT));
                    say("sessions are stored in " + stateStore.describe());
                }
                supervisor = b.start();
                sessions = new ClusterSessions(cluster, registry, supervisor);
                DistributedSupervisor started = supervisor;
                observe(cluster, Map::of, ob -> ob.registry(registry).supervisor(started), closing);
            }
        }
        Javalin web = CounterWeb.start(httpHost, httpPort, name, sessions);
        DistributedSupervisor sup = supervisor;
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            say("stopping " + name + (sup != null ? ": handing sessions over" : ""));
            web.stop();
            if (sup != null) sup.leave(Duration.ofSeconds(30));
            for (AutoCloseable c : closing.reversed()) {
                try {
                    c.close();
                } catch (Exception e) {
                    // closing anyway
                }
            }
            say("stopped " + name);
            stopped.countDown();
        }));
        say("COUNTER READY " + name + " " + s.label() + " http://" + httpHost + ":" + web.port() + "/");
        stopped.await();
        return 0;
    }

    /** Starts the observer if asked: {@code more} adds the stage's registry and supervisor. */
    private void observe(ClusterNode cluster, java.util.function.Supplier<Map<Pid, String>> names,
            java.util.function.UnaryOperator<Observer.Builder> more, List<AutoCloseable> closing) {
        if (observerPort == null) return;
        Observer observer = more.apply(Observer.builder(cluster).host(httpHost).port(observerPort).killToken(observerToken).names(names)).start();
        closing.add(observer);
        say("OBSERVER http://" + httpHost + ":" + observer.port() + "/");
    }

    /** One line on standard output, flushed (tests and the demo read it as it comes). */
    static synchronized void say(String line) {
        System.out.println(line);
        System.out.flush();
    }

    private List<InetSocketAddress> seedAddresses() {
        List<InetSocketAddress> out = new ArrayList<>();
        for (String seed : seeds) {
            int colon = seed.lastIndexOf(':');
            try {
                if (colon < 1) throw new NumberFormatException();
                out.add(new InetSocketAddress(seed.substring(0, colon), Integer.parseInt(seed.substring(colon + 1))));
            } catch (NumberFormatException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--seeds needs HOST:PORT,..., got " + seed);
            }
        }
        return out;
    }
}
