package dev.cohort.distributed.cli;

import dev.cohort.cluster.ClusterNode;
import dev.cohort.cluster.cli.NodeCommand;
import dev.cohort.cluster.wire.ForySerializer;
import dev.cohort.distributed.registry.DistributedRegistry;
import dev.cohort.distributed.registry.RegistryEvent;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A node for the registry benchmark and tests: {@link NodeCommand} (same options) plus a
 * {@link DistributedRegistry} named {@code bench}. It tells the process registered globally as
 * {@code bench-driver} when a key {@code probe:*} resolves here ({@code "SEEN <key> <node>"}), and
 * when {@code --expect} keys of another prefix, such as {@code bulk:*}, resolve here
 * ({@code "DONE bulk <node>"}). Prints {@code READY}.
 */
@Command(name = "cohort registry-node", mixinStandardHelpOptions = true)
public final class RegistryNodeMain extends NodeCommand {
    @Option(names = "--expect", defaultValue = "10000") int expect;

    public static void main(String[] args) {
        System.exit(run(new RegistryNodeMain(), args));
    }

    @Override
    protected void running(ClusterNode cluster) {
        DistributedRegistry registry = DistributedRegistry.start(cluster, "bench", ForySerializer.builder().build());
        Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
        registry.subscribe(e -> {
            if (!(e instanceof RegistryEvent.Registered r) || r.previous() != null || !(e.key() instanceof String k)) return;
            int colon = k.indexOf(':');
            String prefix = colon < 0 ? "" : k.substring(0, colon);
            if (prefix.equals("probe")) {
                cluster.global().send("bench-driver", "SEEN " + k + " " + cluster.name());
            } else if (!prefix.isEmpty() && counts.computeIfAbsent(prefix, x -> new AtomicInteger()).incrementAndGet() == expect) {
                cluster.global().send("bench-driver", "DONE " + prefix + " " + cluster.name());
            }
        });
        System.out.println("READY");
        System.out.flush();
    }
}
