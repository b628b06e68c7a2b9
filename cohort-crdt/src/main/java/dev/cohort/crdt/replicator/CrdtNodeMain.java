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
        ReplicatedMap<String, Integer> map = ReplicatedMap.start(cluster, "bench", serializer, String.class, Integer.class,
                ReplicatedMap.Options.defaults());
        java.util.Map<String, AtomicInteger> counts = new java.util.concurrent.ConcurrentHashMap<>();
        map.subscribe(c -> {
            String k = c.key();
            int colon = k.indexOf(':');
            String prefix = colon < 0 ? "" : k.substring(0, colon);
            if (prefix.equals("probe") && c.after().isPresent()) {
                cluster.global().send("bench-driver", "SEEN " + k + " " + cluster.name());
            } else if (!prefix.isEmpty() && c.before().isEmpty() && c.after().isPresent()) {
                if (counts.computeIfAbsent(prefix, x -> new AtomicInteger()).incrementAndGet() == expect) {
                    cluster.global().send("bench-driver", "DONE " + prefix + " " + cluster.name());
                }
            }
        });
        Thread.ofVirtual().start(() -> commands(map));
        System.out.println("READY");
        System.out.flush();
    }

    /**
     * Standard input: {@code PUT key value}, {@code REMOVE key}, {@code DIGEST} (prints {@code DIGEST size hash}),
     * {@code GC tag} (collects garbage, then prints {@code GC-DONE tag}: a benchmark's pause between phases).
     */
    private static void commands(ReplicatedMap<String, Integer> map) {
        try (var in = new java.io.BufferedReader(new java.io.InputStreamReader(System.in, java.nio.charset.StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                String[] w = line.trim().split("\\s+");
                try {
                    switch (w[0]) {
                        case "PUT" -> { map.put(w[1], Integer.parseInt(w[2])); print("OK"); }
                        case "REMOVE" -> { map.remove(w[1]); print("OK"); }
                        case "GC" -> { System.gc(); print("GC-DONE " + w[1]); }
                        case "DIGEST" -> {
                            var m = new java.util.TreeMap<>(map.toMap());
                            print("DIGEST " + m.size() + " " + m.hashCode());
                        }
                        default -> print("ERROR unknown command " + line);
                    }
                } catch (RuntimeException e) {
                    print("ERROR " + line + ": " + e);
                }
            }
        } catch (java.io.IOException e) {
            // no more commands
        }
    }

    private static synchronized void print(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
