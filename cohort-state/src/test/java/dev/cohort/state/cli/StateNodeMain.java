package dev.cohort.state.cli;

import dev.cohort.cluster.ClusterNode;
import dev.cohort.cluster.cli.NodeCommand;
import dev.cohort.cluster.wire.ForySerializer;
import dev.cohort.distributed.registry.DistributedRegistry;
import dev.cohort.distributed.supervisor.DistributedSupervisor;
import dev.cohort.process.ExitReason;
import dev.cohort.process.From;
import dev.cohort.process.Pid;
import dev.cohort.process.ProcessContext;
import dev.cohort.server.GenServer;
import dev.cohort.server.Next;
import dev.cohort.server.StartException;
import dev.cohort.state.Persistence;
import dev.cohort.state.StatefulServer;
import dev.cohort.state.WritePolicy;
import dev.cohort.state.store.StateStore;
import dev.cohort.supervisor.ChildSpec;
import dev.cohort.supervisor.Restart;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A node for the hand-off tests and benchmark: {@link NodeCommand} plus a
 * {@link DistributedRegistry} {@code state}, a {@link DistributedSupervisor} {@code tallies}
 * whose children (factory {@code tally}, argument the key) are durable {@link Tally} counters,
 * registered by their key, persisted in {@code --store}. Commands on standard input: see
 * {@link #commands}.
 */
@Command(name = "cohort state-node", mixinStandardHelpOptions = true)
public final class StateNodeMain extends NodeCommand {
    @Option(names = "--store", required = true, description = "sqlite:PATH or postgres://USER@HOST:PORT/DB (?table=NAME)") String store;
    @Option(names = "--policy", defaultValue = "write-through", description = "write-through, write-behind or on-stop") String policy;

    /** The durable state: the count, and the highest client sequence number applied (a retried increment is applied once). */
    public record Tally(long count, long lastSeq) {}

    /** Call: add one if {@code seq} is above the last applied; answers the count either way. */
    public record Inc(long seq) {}

    /** The serializer every node, and every client, of this fixture uses (same classes, same order). */
    public static ForySerializer serializer() {
        return ForySerializer.builder().allow(Tally.class, Inc.class).build();
    }

    /** Processes of this node by key (the INC command finds its local incarnation here). */
    private static final Map<String, Pid> LOCAL = new ConcurrentHashMap<>();

    public static void main(String[] args) {
        System.exit(run(new StateNodeMain(), args));
    }

    @Override
    protected void configure(ClusterNode.Builder builder) {
        builder.serializer(serializer()); // calls carry Inc and answer longs
    }

    @Override
    protected void running(ClusterNode cluster) {
        ForySerializer serializer = serializer();
        StateStore stateStore = StateStore.open(store);
        Persistence persistence = Persistence.builder(stateStore, serializer).policy(policy(policy)).build();
        DistributedRegistry registry = DistributedRegistry.builder(cluster, "state").serializer(serializer).start();
        DistributedSupervisor supervisor = DistributedSupervisor.builder(cluster, "tallies", serializer)
                .define("tally", arg -> ChildSpec.worker(arg, (sup, args) -> GenServer.startLink(sup,
                        persistence.server((String) arg, Tally.class, new TallyServer((String) arg, registry))))
                        .withRestart(Restart.TRANSIENT))
                .start();
        commands(cluster, registry, supervisor, stateStore);
        print("READY");
    }

    static WritePolicy policy(String name) {
        return switch (name) {
            case "write-through" -> WritePolicy.writeThrough();
            case "write-behind" -> WritePolicy.writeBehind(Duration.ofMillis(100), 1_000);
            case "on-stop" -> WritePolicy.onStop();
            default -> throw new IllegalArgumentException("unknown policy " + name + " (write-through, write-behind, on-stop)");
        };
    }

    /** The counter: claims its key in the registry before restoring; prints STARTED / STOPPED lines. */
    static final class TallyServer implements StatefulServer<Tally> {
        private final String key;
        private final DistributedRegistry registry;

        TallyServer(String key, DistributedRegistry registry) {
            this.key = key;
            this.registry = registry;
        }

        @Override public Tally initial(String key) { return new Tally(0, 0); }

        @Override
        public void beforeRestore(ProcessContext self) {
            Pid holder = registry.registerSelf(self, key);
            if (holder != null) throw new StartException(ExitReason.of("name_taken"), key + " is registered by " + holder);
        }

        @Override
        public Next<Tally> init(ProcessContext self, Tally state, boolean restored) {
            LOCAL.put(key, self.self());
            print("STARTED " + key + " " + state.count() + " " + self.self());
            return Next.ok(state);
        }

        @Override
        public Next<Tally> handleCall(Object request, From from, Tally state) {
            if (request instanceof Inc inc) {
                if (inc.seq() <= state.lastSeq()) return Next.reply(state.count(), state);
                Tally next = new Tally(state.count() + 1, inc.seq());
                return Next.reply(next.count(), next);
            }
            if ("add".equals(request)) {
                Tally next = new Tally(state.count() + 1, state.lastSeq());
                return Next.reply(next.count(), next);
            }
            if ("get".equals(request)) return Next.reply(state.count(), state);
            throw new IllegalArgumentException("unknown request " + request);
        }

        @Override
        public void terminate(ExitReason reason, Tally state) {
            print("STOPPED " + key + " " + state.count() + " " + reason);
        }
    }

    /**
     * Standard input:
     * {@code BULK n} (starts tallies k0..k(n-1) from this node: {@code BULK started refused}),
     * {@code ADD key n} (n plain increments through this node's own incarnation of key, one after another:
     * {@code ADDED key acked failed}),
     * {@code ROW key} (the store's row: {@code ROW key epoch count|none}),
     * {@code WHEREIS key}, {@code LEAVE} ({@code LEFT true|false}, then the node exits 0),
     * {@code ISOLATE} / {@code HEAL}.
     */
    private static void commands(ClusterNode cluster, DistributedRegistry registry, DistributedSupervisor sup, StateStore store) {
        ForySerializer serializer = serializer();
        readCommands(w -> {
            switch (w[0]) {
                case "BULK" -> {
                    int n = Integer.parseInt(w[1]), refused = 0;
                    for (int i = 0; i < n; i++) {
                        try {
                            sup.startChild("k" + i, "tally", "k" + i);
                        } catch (RuntimeException e) {
                            refused++;
                        }
                    }
                    print("BULK " + (n - refused) + " " + refused);
                }
                case "ADD" -> {
                    Pid pid = LOCAL.get(w[1]);
                    int n = Integer.parseInt(w[2]), acked = 0;
                    for (int i = 0; i < n && pid != null; i++) {
                        try {
                            cluster.node().call(pid, "add", Duration.ofSeconds(5));
                            acked++;
                        } catch (RuntimeException e) {
                            break;
                        }
                    }
                    print("ADDED " + w[1] + " " + acked + " " + (n - acked));
                }
                case "ROW" -> {
                    var row = store.read(w[1]);
                    print("ROW " + w[1] + " " + row.map(r -> r.epoch() + " " + r.state().map(s -> {
                        try {
                            return String.valueOf(((Tally) serializer.deserialize(s.bytes())).count());
                        } catch (Exception e) {
                            return "unreadable";
                        }
                    }).orElse("none")).orElse("none"));
                }
                case "WHEREIS" -> {
                    Pid pid = registry.whereis(w[1]);
                    print("WHEREIS " + w[1] + " " + (pid == null ? "none" : pid));
                }
                case "LEAVE" -> {
                    print("LEFT " + sup.leave(Duration.ofSeconds(30)));
                    cluster.close();
                    store.close();
                    System.exit(0);
                }
                case "ISOLATE" -> { cluster.isolate(true); print("OK"); }
                case "HEAL" -> { cluster.isolate(false); print("OK"); }
                default -> throw new UnknownCommand();
            }
        });
    }
}
