package dev.cohort.distributed.cli;

import dev.cohort.cluster.ClusterNode;
import dev.cohort.cluster.cli.KeyArrivals;
import dev.cohort.cluster.cli.NodeCommand;
import dev.cohort.cluster.wire.ForySerializer;
import dev.cohort.distributed.registry.DistributedRegistry;
import dev.cohort.distributed.registry.RegistryEvent;
import dev.cohort.distributed.supervisor.ClusterAnswer;
import dev.cohort.distributed.supervisor.DistributedSupervisor;
import dev.cohort.distributed.supervisor.DistributionStrategy;
import dev.cohort.distributed.supervisor.RunningChild;
import dev.cohort.process.ExitReason;
import dev.cohort.process.Pid;
import dev.cohort.process.ProcessContext;
import dev.cohort.server.GenServer;
import dev.cohort.server.Next;
import dev.cohort.server.StartException;
import dev.cohort.supervisor.ChildSpec;
import dev.cohort.supervisor.Restart;
import java.time.Duration;
import java.util.List;
import java.util.TreeSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A node for the supervisor's tests and benchmark: {@link NodeCommand} plus a
 * {@link DistributedRegistry} named {@code bench} and a {@link DistributedSupervisor} named
 * {@code workers}, whose children are {@link Worker}s that register themselves in the registry
 * under their id. Factories: {@code permanent}, {@code transient}, {@code temporary} (the restart
 * type), each taking the child id as argument. Commands on standard input (see {@link #commands}).
 */
@Command(name = "cohort supervisor-node", mixinStandardHelpOptions = true)
public final class SupervisorNodeMain extends NodeCommand {
    @Option(names = "--strategy", defaultValue = "uniform", description = "uniform, random or quorum:N") String strategy;
    @Option(names = "--redistribution", defaultValue = "passive", description = "passive or active") String redistribution;
    @Option(names = "--expect", defaultValue = "3000", description = "report DONE when this many keys of a prefix resolve here") int expect;
    @Option(names = "--quiet", description = "do not print STARTED / STOPPED lines (benchmarks)") boolean quiet;

    public static void main(String[] args) {
        System.exit(run(new SupervisorNodeMain(), args));
    }

    @Override
    protected void running(ClusterNode cluster) {
        ForySerializer serializer = ForySerializer.builder().build();
        DistributedRegistry registry = DistributedRegistry.builder(cluster, "bench").serializer(serializer).start();
        KeyArrivals arrivals = new KeyArrivals(cluster, expect);
        registry.subscribe(e -> {
            if (e instanceof RegistryEvent.Registered r && e.key() instanceof String k) arrivals.arrived(k, r.previous() == null);
        });
        DistributedSupervisor supervisor = workers(cluster, registry, serializer, quiet)
                .strategy(strategy(strategy))
                .redistribution(DistributedSupervisor.Redistribution.valueOf(redistribution.toUpperCase(java.util.Locale.ROOT)))
                .start();
        dev.cohort.crdt.replicator.ReplicatedMap<String, Integer> kv = dev.cohort.crdt.replicator.ReplicatedMap
                .builder(cluster, "kv", String.class, Integer.class).serializer(serializer).start();
        commands(cluster, registry, supervisor, new SystemCommands(cluster, kv, SupervisorNodeMain::print));
        print("READY");
    }

    /**
     * A builder for the supervisor {@code workers} with this node's factories ({@code permanent},
     * {@code transient}, {@code temporary}: a {@link Worker} with that restart type, named by the
     * child id given as argument). The benchmark's own node uses it too.
     */
    public static DistributedSupervisor.Builder workers(ClusterNode cluster, DistributedRegistry registry, ForySerializer serializer, boolean quiet) {
        DistributedSupervisor.Builder b = DistributedSupervisor.builder(cluster, "workers", serializer);
        for (Restart r : Restart.values()) {
            b.define(r.name().toLowerCase(java.util.Locale.ROOT), arg -> ChildSpec.worker(arg, (sup, args) ->
                    GenServer.startLink(sup, new Worker((String) arg, registry, quiet))).withRestart(r));
        }
        return b;
    }

    static DistributionStrategy strategy(String s) {
        if (s.equals("uniform")) return DistributionStrategy.uniform();
        if (s.equals("random")) return DistributionStrategy.random();
        if (s.startsWith("quorum:")) return DistributionStrategy.quorum(Integer.parseInt(s.substring(7)));
        throw new IllegalArgumentException("unknown strategy " + s + " (uniform, random or quorum:N)");
    }

    /**
     * A child: registers itself under its id, prints {@code STARTED id pid} and, when stopped,
     * {@code STOPPED id reason}. A cast {@code "finish"} ends it normally, {@code "crash"} abnormally.
     */
    static final class Worker implements GenServer<String> {
        private final String id;
        private final DistributedRegistry registry;
        private final boolean quiet;

        Worker(String id, DistributedRegistry registry, boolean quiet) {
            this.id = id;
            this.registry = registry;
            this.quiet = quiet;
        }

        @Override
        public Next<String> init(ProcessContext self) {
            self.trapExit(true);
            Pid holder = registry.registerSelf(self, id);
            if (holder != null) throw new StartException(ExitReason.of("name_taken"), id + " is registered by " + holder);
            if (!quiet) print("STARTED " + id + " " + self.self());
            return Next.ok(id);
        }

        /** The loser of a registry conflict (it traps exits, so the signal is a message) stops, as an application's process would. */
        @Override
        public Next<String> handleInfo(Object message, String state) {
            if (message instanceof dev.cohort.process.Exit e && dev.cohort.supervisor.RoutineExit.is(e.reason())) return Next.stop(e.reason(), state);
            return Next.noReply(state);
        }

        @Override
        public Next<String> handleCast(Object request, String state) {
            if ("finish".equals(request)) return Next.stop(ExitReason.NORMAL, state);
            if ("crash".equals(request)) return Next.stop(ExitReason.of("crash"), state);
            return Next.noReply(state);
        }

        @Override
        public void terminate(ExitReason reason, String state) {
            if (!quiet) print("STOPPED " + id + " " + reason);
        }
    }

    /**
     * Standard input:
     * {@code START id kind} (kind: permanent, transient, temporary; prints {@code CHILD id pid} or {@code REFUSED id why}),
     * {@code BULK prefix n} (starts children prefix:0..n-1 from this node, quietly; prints {@code BULK prefix started refused}),
     * {@code TERMINATE id} ({@code TERMINATED id true|false}, or {@code TERMINATED id failed why}),
     * {@code CAST id finish|crash} ({@code OK}),
     * {@code WHEREIS id} (the registry, a local read: {@code WHEREIS id pid|none}),
     * {@code WHICH} (every member's children: {@code WHICH total missing=[..] id=pid,...} sorted),
     * {@code MEMBERS} ({@code MEMBERS {a=ALIVE, ...}}), {@code STATS}, {@code LEAVE} ({@code LEFT true|false}),
     * {@code ISOLATE} / {@code HEAL} ({@code OK}), and those of {@link SystemCommands}.
     */
    private static void commands(ClusterNode cluster, DistributedRegistry registry, DistributedSupervisor sup, SystemCommands system) {
        readCommands(w -> {
            if (system.handle(w)) return;
            switch (w[0]) {
                case "START" -> {
                    try {
                        print("CHILD " + w[1] + " " + sup.startChild(w[1], w[2], w[1]));
                    } catch (RuntimeException e) {
                        print("REFUSED " + w[1] + " " + e.getMessage());
                    }
                }
                case "BULK" -> {
                    int n = Integer.parseInt(w[2]), refused = 0;
                    for (int i = 0; i < n; i++) {
                        try {
                            sup.startChild(w[1] + ":" + i, "permanent", w[1] + ":" + i);
                        } catch (RuntimeException e) {
                            refused++;
                        }
                    }
                    print("BULK " + w[1] + " " + (n - refused) + " " + refused);
                }
                case "TERMINATE" -> {
                    Pid pid = sup.whereis(w[1]).orElse(null);
                    try {
                        print("TERMINATED " + w[1] + " " + (pid != null && sup.terminateChild(pid)));
                    } catch (RuntimeException e) {
                        print("TERMINATED " + w[1] + " failed " + e.getMessage());
                    }
                }
                case "CAST" -> {
                    Pid pid = registry.whereis(w[1]);
                    if (pid != null) cluster.node().send(pid, new dev.cohort.process.Cast(w[2]));
                    print("OK");
                }
                case "WHEREIS" -> {
                    Pid pid = registry.whereis(w[1]);
                    print("WHEREIS " + w[1] + " " + (pid == null ? "none" : pid));
                }
                case "WHICH" -> {
                    ClusterAnswer<List<RunningChild>> a = sup.whichChildren(Duration.ofSeconds(5));
                    List<String> all = a.answers().values().stream().flatMap(List::stream).map(c -> c.id() + "=" + c.pid()).sorted().toList();
                    print("WHICH " + all.size() + " missing=" + new TreeSet<>(a.missing()) + " " + String.join(",", all));
                }
                case "MEMBERS" -> print("MEMBERS " + sup.members());
                case "STATS" -> {
                    DistributedSupervisor.Stats s = sup.stats();
                    print("STATS local=" + s.localChildren() + " global=" + s.globalChildren() + " orphans=" + s.orphans() + " members=" + s.members());
                }
                case "LEAVE" -> print("LEFT " + sup.leave(Duration.ofSeconds(30)));
                case "ISOLATE" -> { cluster.isolate(true); print("OK"); }
                case "HEAL" -> { cluster.isolate(false); print("OK"); }
                default -> throw new UnknownCommand();
            }
        });
    }
}
