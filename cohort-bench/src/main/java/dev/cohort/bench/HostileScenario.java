package dev.cohort.bench;

import static dev.cohort.bench.Bench.figure;

import dev.cohort.distributed.supervisor.HostileMemberTest;

/**
 * {@code ./cohort bench hostile [CASES] [SEED]}: issue 18's structured fuzzing as a figure. A
 * member holding the cookie sends CASES (default 20,000) well-formed messages with extreme values
 * to every service of a live three-node cluster (OS processes) under a workload, while it calls
 * every node's supervisor member every 20 ms; then it checks that no process of Cohort's own died,
 * no service gave up, and the workload's data is complete and alike on every node (the run fails
 * otherwise). Prints the cases, the liveness latencies and the nodes' peak heap.
 */
final class HostileScenario {
    private HostileScenario() {}

    static void run(String[] args) throws Exception {
        int cases = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        long seed = args.length > 1 ? Long.parseLong(args[1]) : 20261206L;
        if (cases < 1) throw new IllegalArgumentException("CASES must be positive, got " + cases);
        HostileMemberTest.Outcome o = HostileMemberTest.run(cases, seed);
        figure("HOSTILE", "cases_tried", o.cases(), "count");
        figure("HOSTILE", "case_kinds", o.kinds().size(), "count");
        figure("HOSTILE", "liveness_calls", o.livenessCalls(), "count");
        figure("HOSTILE", "liveness_failed", o.livenessFailed(), "count");
        figure("HOSTILE", "liveness_p50", o.quantileMicros(0.50) / 1000.0, "ms");
        figure("HOSTILE", "liveness_p99", o.quantileMicros(0.99) / 1000.0, "ms");
        figure("HOSTILE", "liveness_max", o.quantileMicros(1.0) / 1000.0, "ms");
        figure("HOSTILE", "liveness_over_100ms", java.util.Arrays.stream(o.livenessMicros()).filter(us -> us > 100_000).count(), "count");
        figure("HOSTILE", "attack_duration", o.attackMillis() / 1000.0, "s");
        figure("HOSTILE", "peak_heap_one_node", o.peakHeapMb(), "MB");
        o.slowCalls().forEach(c -> System.out.println("# liveness call over 100 ms: " + c));
        figure("HOSTILE", "cohort_processes_died", 0, "count"); // run() fails otherwise
        figure("HOSTILE", "lost_writes", 0, "count"); // run() fails otherwise
    }
}
