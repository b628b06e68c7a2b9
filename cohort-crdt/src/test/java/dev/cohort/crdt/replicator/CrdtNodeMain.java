package dev.cohort.crdt.replicator;

import dev.cohort.cluster.ClusterNode;
import dev.cohort.cluster.cli.NodeCommand;
import dev.cohort.cluster.wire.ForySerializer;
import picocli.CommandLine.Command;

/**
 * A node for the CRDT benchmark and tests: {@link NodeCommand} (same options) plus a
 * {@link ReplicatedMap} named {@code bench}. It tells the process registered globally as
 * {@code bench-driver} when it sees a key {@code probe:*} ({@code "SEEN <key> <node>"}) and when it
 * holds {@code --expect} keys of another prefix, such as {@code bulk:*} ({@code "DONE bulk <node>"}).
 * Prints {@code READY}.
 */
@Command(name = "cohort crdt-node", mixinStandardHelpOptions = true)
public final class CrdtNodeMain extends NodeCommand {
    @picocli.CommandLine.Option(names = "--expect", defaultValue = "100000") int expect;

    public static void main(String[] args) {
        System.exit(run(new CrdtNodeMain(), args));
    }

    @Override
    protected void running(ClusterNode cluster) {
        ForySerializer serializer = ForySerializer.builder().build();
        ReplicatedMap<String, Integer> map = ReplicatedMap.builder(cluster, "bench", String.class, Integer.class).serializer(serializer).start();
        dev.cohort.cluster.cli.KeyArrivals arrivals = new dev.cohort.cluster.cli.KeyArrivals(cluster, expect);
        map.subscribe(c -> { if (c.after().isPresent()) arrivals.arrived(c.key(), c.before().isEmpty()); });
        commands(map);
        print("READY");
    }

    /**
     * Standard input: {@code PUT key value}, {@code REMOVE key}, {@code DIGEST} (prints {@code DIGEST size hash}),
     * and {@code GC tag} (see {@link NodeCommand#readCommands}).
     */
    private static void commands(ReplicatedMap<String, Integer> map) {
        readCommands(w -> {
            switch (w[0]) {
                case "PUT" -> { map.put(w[1], Integer.parseInt(w[2])); print("OK"); }
                case "REMOVE" -> { map.remove(w[1]); print("OK"); }
                case "DIGEST" -> {
                    var m = new java.util.TreeMap<>(map.toMap());
                    print("DIGEST " + m.size() + " " + m.hashCode());
                }
                default -> throw new UnknownCommand();
            }
        });
    }
}
