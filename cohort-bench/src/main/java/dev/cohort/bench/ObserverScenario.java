package dev.cohort.bench;

import static dev.cohort.bench.Bench.figure;
import static dev.cohort.bench.Bench.progress;

import dev.cohort.cluster.ClusterNode;
import dev.cohort.cluster.discovery.Discovery;
import dev.cohort.observer.Observer;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * What an observer costs the node it runs on while no page is open: the S4 scenarios (ping-pong,
 * fan-in, call latency) on one cluster node, with and without an {@link Observer} started on it
 * (its web server, its probe map's replicator, its summary process, and the telemetry that times
 * every call). The observer is started and closed in turns, {@code --rounds} times each (default
 * 8), so drift of the machine hits both; each turn takes {@code --samples} samples of each
 * scenario (default 4). A figure is the median of its samples; the overhead is
 * {@code 1 - observed / bare} of the medians. Samples are shorter than S4's own runs (500,000
 * round trips, 1,000 x 1,000 messages, 20,000 calls) so that there are many: on this machine
 * single runs vary by 10% and more, so one pair of runs could not show a 2% difference.
 */
final class ObserverScenario {
    private ObserverScenario() {}

    static void run(String[] args) throws Exception {
        int rounds = intArg(args, "--rounds", 8);
        int samples = intArg(args, "--samples", 4);
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        ClusterNode cluster = ClusterNode.builder().name("bench@127.0.0.1").port(port).cookie("bench")
                .discovery(Discovery.staticHosts(List.of(new InetSocketAddress("127.0.0.1", port)))).start();
        Callable<LocalScenarios.Env> env = () -> new LocalScenarios.Env(cluster.node(), () -> { }); // the node outlives each sample
        List<List<Double>> ping = List.of(new ArrayList<>(), new ArrayList<>()), fan = List.of(new ArrayList<>(), new ArrayList<>()),
                call = List.of(new ArrayList<>(), new ArrayList<>());
        // a warm-up of each scenario, not counted
        LocalScenarios.pingPong(env, 200_000, 1);
        LocalScenarios.fanIn(env, 1_000, 200, 1);
        LocalScenarios.callLatency(env, 20_000, 1);
        for (int round = 0; round < 2 * rounds; round++) {
            int observed = round % 2 == 0 ? (round / 2) % 2 : 1 - (round / 2) % 2; // bare, observed, observed, bare, ...
            Observer observer = observed == 1 ? Observer.builder(cluster).port(0).start() : null;
            progress("round " + (round + 1) + "/" + 2 * rounds + (observed == 1 ? ": with an observer" : ": bare"));
            System.gc();
            for (int s = 0; s < samples; s++) {
                ping.get(observed).add(LocalScenarios.pingPong(env, 500_000, 1, false));
                fan.get(observed).add(LocalScenarios.fanIn(env, 1_000, 1_000, 1, false));
                call.get(observed).add((double) LocalScenarios.callLatency(env, 20_000, 1, false)[0]);
            }
            if (observer != null) observer.close();
        }
        cluster.close();
        report("pingpong_roundtrips_per_s", "roundtrips/s", ping);
        report("fanin_msgs_per_s", "msgs/s", fan);
        double bare = median(call.get(0)) / 1000, observed = median(call.get(1)) / 1000;
        figure("S4", "call_p50_us[bare]", bare, "us");
        figure("S4", "call_p50_us[observer]", observed, "us");
        figure("S4", "observer_overhead_call_p50_pct", 100 * (observed / bare - 1), "%");
    }

    private static void report(String name, String unit, List<List<Double>> values) {
        double bare = median(values.get(0)), observed = median(values.get(1));
        figure("S4", name + "[bare]", Math.round(bare), unit);
        figure("S4", name + "[observer]", Math.round(observed), unit);
        figure("S4", "observer_overhead_" + name.substring(0, name.indexOf('_')) + "_pct", 100 * (1 - observed / bare), "%");
    }

    private static double median(List<Double> xs) {
        List<Double> sorted = new ArrayList<>(xs);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static int intArg(String[] args, String name, int dflt) {
        for (int i = 0; i + 1 < args.length; i++) if (args[i].equals(name)) return Integer.parseInt(args[i + 1].replace("_", ""));
        return dflt;
    }
}
