package dev.cohort.distributed.cli;

import dev.cohort.cluster.ClusterNode;
import dev.cohort.cluster.cli.KeyArrivals;
import dev.cohort.cluster.cli.NodeCommand;
import dev.cohort.cluster.wire.ForySerializer;
import dev.cohort.distributed.registry.DistributedRegistry;
import dev.cohort.distributed.registry.RegistryEvent;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A node for the registry benchmark and tests: {@link NodeCommand} (same options) plus a
 * {@link DistributedRegistry} named {@code bench}. It tells the process registered globally as
 * {@code bench-driver} when a key {@code probe:*} resolves here ({@code "SEEN <key> <node>"}), and
 * when {@code --expect} keys of another prefix, such as {@code bulk:*}, resolve here
 * ({@code "DONE bulk <node>"}). Takes commands on standard input (see {@link #commands}). Prints {@code READY}.
 */
@Command(name = "cohort registry-node", mixinStandardHelpOptions = true)
public final class RegistryNodeMain extends NodeCommand {
    @Option(names = "--expect", defaultValue = "10000") int expect;

    public static void main(String[] args) {
        System.exit(run(new RegistryNodeMain(), args));
    }

    @Override
    protected void running(ClusterNode cluster) {
        DistributedRegistry registry = DistributedRegistry.builder(cluster, "bench").serializer(ForySerializer.builder().build()).start();
        KeyArrivals arrivals = new KeyArrivals(cluster, expect);
        registry.subscribe(e -> {
            if (e instanceof RegistryEvent.Registered r && e.key() instanceof String k) arrivals.arrived(k, r.previous() == null);
        });
        commands(cluster, registry);
        print("READY");
    }

    /**
     * Standard input: {@code REGISTER key} (a new process that traps exits registers under key;
     * prints {@code REGISTERED key pid} or {@code TAKEN key holder}, and later {@code EXIT key reason}
     * if the process is told to exit), {@code WHEREIS key} (a local read: {@code WHEREIS key pid|none}),
     * {@code AWAIT key} (until every connected node resolves the key alike, at most 10 s: {@code VISIBLE key true|false}),
     * {@code ISOLATE} / {@code HEAL} (drop all cluster traffic, or stop dropping it: {@code OK}).
     */
    private static void commands(ClusterNode cluster, DistributedRegistry registry) {
        readCommands(w -> {
            switch (w[0]) {
                case "REGISTER" -> {
                    String key = w[1];
                    var pid = cluster.node().spawn(self -> {
                        self.trapExit(true);
                        for (;;) {
                            if (self.receive() instanceof dev.cohort.process.Exit e) {
                                print("EXIT " + key + " " + e.reason());
                                return;
                            }
                        }
                    });
                    try {
                        registry.register(key, pid);
                        print("REGISTERED " + key + " " + pid);
                    } catch (dev.cohort.distributed.registry.AlreadyRegistered e) {
                        print("TAKEN " + key + " " + e.holder());
                    }
                }
                case "WHEREIS" -> {
                    var pid = registry.whereis(w[1]);
                    print("WHEREIS " + w[1] + " " + (pid == null ? "none" : pid));
                }
                case "AWAIT" -> {
                    try {
                        print("VISIBLE " + w[1] + " " + registry.awaitVisible(w[1], java.time.Duration.ofSeconds(10)));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                case "ISOLATE" -> { cluster.isolate(true); print("OK"); }
                case "HEAL" -> { cluster.isolate(false); print("OK"); }
                default -> throw new UnknownCommand();
            }
        });
    }
}
