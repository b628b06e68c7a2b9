package dev.cohort.crdt.replicator;

import dev.cohort.cluster.ClusterNode;
import dev.cohort.cluster.cli.NodeCommand;
import dev.cohort.cluster.wire.ForySerializer;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;

/**
 * A node for the CRDT benchmark and tests: {@link NodeCommand} (same options) plus a
 * {@link ReplicatedMap} named {@code bench}. It tells the process registered globally as
 * {@code bench-driver} when it sees a key {@code probe:*} ({@code "SEEN <key> <node>"}) and when it
 * holds {@code --expect} keys {@code bulk:*} ({@code "DONE <node>"}). Prints {@code READY}.
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
        ReplicatedMap<String, Integer> map = ReplicatedMap.start(cluster, "bench", serializer, String.class, Integer.class,
                ReplicatedMap.Options.defaults());
        AtomicInteger bulk = new AtomicInteger();
        map.subscribe(c -> {
            String k = c.key();
            if (k.startsWith("probe:") && c.after().isPresent()) {
                cluster.global().send("bench-driver", "SEEN " + k + " " + cluster.name());
            } else if (k.startsWith("bulk:") && c.before().isEmpty() && c.after().isPresent()) {
                if (bulk.incrementAndGet() == expect) cluster.global().send("bench-driver", "DONE " + cluster.name());
            }
        });
        System.out.println("READY");
        System.out.flush();
    }
}
