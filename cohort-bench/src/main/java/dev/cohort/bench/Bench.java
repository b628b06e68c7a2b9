package dev.cohort.bench;

import java.util.Arrays;

/**
 * {@code ./cohort bench NAME}: runs a benchmark scenario and prints one line per figure,
 * {@code scenario figure value unit}, on standard output (progress goes to standard error).
 */
public final class Bench {
    private Bench() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println("usage: ./cohort bench NAME   (NAME: local, observer, transport, backpressure, crdt, cluster, handoff)");
            System.exit(2);
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        switch (args[0]) {
            case "local" -> LocalScenarios.run(rest);
            case "observer" -> ObserverScenario.run(rest);
            case "handoff" -> HandoffScenarios.run(rest);
            case "transport" -> TransportScenarios.run(rest);
            case "backpressure" -> BackPressureScenario.run(rest);
            case "hostile" -> HostileScenario.run(rest);
            case "cluster" -> {
                System.setProperty("jdk.virtualThreadScheduler.parallelism", CrdtScenarios.CARRIERS); // as for crdt, below
                ClusterScenarios.run(rest);
            }
            case "crdt" -> {
                // three node JVMs share this machine's cores: each gets one carrier thread for its
                // processes (set before the first virtual thread starts), so that a message between
                // two processes does not wake a second carrier, which costs a futex wake-up and a
                // context switch per message on an oversubscribed machine
                System.setProperty("jdk.virtualThreadScheduler.parallelism", CrdtScenarios.CARRIERS);
                CrdtScenarios.run(rest);
            }
            default -> {
                System.err.println("unknown benchmark '" + args[0] + "' (known: local, observer, transport, backpressure, hostile, crdt, cluster, handoff, jmh)");
                System.exit(2);
            }
        }
        System.exit(0);
    }

    /** Prints one result line. */
    static void figure(String scenario, String figure, double value, String unit) {
        String v = value == Math.rint(value) && Math.abs(value) < 1e15 ? String.valueOf((long) value) : String.format("%.2f", value);
        System.out.println(scenario + " " + figure + " " + v + " " + unit);
        System.out.flush();
    }

    static void progress(String msg) {
        System.err.println("# " + msg);
    }
}
