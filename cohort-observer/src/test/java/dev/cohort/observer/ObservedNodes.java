package dev.cohort.observer;

import dev.cohort.cluster.testing.NodeProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/** Three node processes a@, b@, c@127.0.0.1 seeded with each other, each serving an observer; the URLs they printed. */
final class ObservedNodes implements AutoCloseable {
    final List<NodeProcess> nodes = new ArrayList<>();
    final List<String> urls = new ArrayList<>();

    /** Starts them with {@code main}; {@code options} gives node i's options beyond {@code --seeds}. */
    ObservedNodes(Class<?> main, IntFunction<List<String>> options, Duration wait) throws Exception {
        int[] ports = new int[3];
        for (int i = 0; i < 3; i++) ports[i] = dev.cohort.cluster.Ports.free();
        String seeds = "127.0.0.1:" + ports[0] + ",127.0.0.1:" + ports[1] + ",127.0.0.1:" + ports[2];
        try {
            for (int i = 0; i < 3; i++) {
                List<String> all = new ArrayList<>(List.of("--seeds", seeds));
                all.addAll(options.apply(i));
                nodes.add(NodeProcess.startWith(main, (char) ('a' + i) + "@127.0.0.1", ports[i], "c", all));
            }
            for (NodeProcess n : nodes) urls.add(n.awaitLine(l -> l.startsWith("OBSERVER "), wait).substring("OBSERVER ".length()).replaceAll("/$", ""));
        } catch (Exception | Error e) {
            close();
            throw e;
        }
    }

    @Override
    public void close() {
        nodes.forEach(NodeProcess::close);
    }
}
