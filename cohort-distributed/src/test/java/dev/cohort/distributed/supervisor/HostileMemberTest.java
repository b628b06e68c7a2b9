package dev.cohort.distributed.supervisor;

import static dev.cohort.distributed.supervisor.SupervisorNodes.WAIT;
import static dev.cohort.distributed.supervisor.SupervisorNodes.awaitExactlyOnce;
import static dev.cohort.distributed.supervisor.SupervisorNodes.start;
import static dev.cohort.distributed.supervisor.SupervisorNodes.whereis;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cohort.cluster.ClusterNode;
import dev.cohort.cluster.discovery.Discovery;
import dev.cohort.cluster.testing.NodeProcess;
import dev.cohort.cluster.wire.ForySerializer;
import dev.cohort.process.Address;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Test;

/**
 * Issue 18's structured fuzzing: a member holding the cookie ({@link HostileMember}) sends
 * well-formed messages with extreme values to every service of a live three-node cluster (OS
 * processes, {@code SupervisorNodeMain}) while a workload runs (children registered by a
 * distributed supervisor, a replicated map written on every node). Throughout, a liveness call
 * to every node's supervisor member is answered; afterwards no process of Cohort's own has died
 * (every system name runs under the pid it had before), no service gave up, the heap stayed under
 * its bound, and the workload's data is complete and identical on every node.
 *
 * <p>The first fifth of the cases is a warm-up: liveness calls must succeed throughout, their
 * latencies are kept after it. The default run sends {@value #DEFAULT_CASES} cases; {@code -Dcohort.hostile.cases=N} sends
 * more (the soak). The latency figures go to {@code ./cohort bench hostile}, not here.
 */
public class HostileMemberTest {
    static final int DEFAULT_CASES = 3000;
    static final long SEED = 20261206L;
    /** What a node's heap may reach (its JVM runs with -Xmx256m): the sum of its heap pools' peaks. */
    static final long HEAP_BOUND_MB = 200;
    private static final List<String> SYSTEM = List.of(
            "cohort_system", "cohort_spawner", "cohort_global_keeper",
            "cohort.crdt.kv", "cohort.service.crdt.kv",
            "cohort.crdt.registry.bench", "cohort.crdt.registry.bench.meta", "cohort.registry.bench", "cohort.service.registry.bench",
            "cohort.crdt.supervisor.workers", "cohort.supervisor.workers", "cohort.service.supervisor.workers");

    /** What one run saw, for the test's assertions and the bench's figures. */
    public record Outcome(int cases, Map<String, Integer> kinds, long livenessCalls, long livenessFailed, long[] livenessMaxMicros,
                          long[] livenessMicros, long peakHeapMb, List<String> slowCalls, long attackMillis) {
        /** The {@code q}-quantile (0..1) of the liveness calls' latencies, in microseconds. */
        public long quantileMicros(double q) {
            if (livenessMicros.length == 0) return 0;
            return livenessMicros[(int) Math.min(livenessMicros.length - 1, Math.floor(q * livenessMicros.length))];
        }
    }

    @Test
    void hostileValuesFromAMemberKillNothingStallNothingAndLoseNothing() throws Exception {
        int cases = Integer.getInteger("cohort.hostile.cases", DEFAULT_CASES);
        Outcome o = run(cases, SEED);
        System.out.printf("hostile: %d cases %s; liveness %d calls, %d failed, slowest per node %s us; peak heap %d MB%n",
                o.cases(), o.kinds(), o.livenessCalls(), o.livenessFailed(), java.util.Arrays.toString(o.livenessMaxMicros()), o.peakHeapMb());
        assertThat(o.livenessFailed()).as("liveness calls not answered within 5 s").isZero();
        assertThat(o.peakHeapMb()).as("peak heap of a node, MB").isLessThan(HEAP_BOUND_MB);
        assertThat(o.kinds().keySet()).as("kinds of case sent").hasSizeGreaterThanOrEqualTo(9);
    }

    /**
     * One run: a cluster, a workload, {@code cases} hostile cases spread over the three nodes, then
     * the checks (an AssertionError if a Cohort process died, a service gave up, or data is missing
     * or differs). The bench ({@code ./cohort bench hostile}) reports its figures.
     */
    public static Outcome run(int cases, long seed) throws Exception {
        try (SupervisorNodes nodes = new SupervisorNodes(3).startAll(3)) {
            try {
                return run(nodes, cases, seed);
            } catch (AssertionError | RuntimeException e) {
                for (NodeProcess n : nodes.all) {
                    System.out.println("---- " + n.name + (n.isAlive() ? "" : " (ended)"));
                    n.lines().stream().filter(l -> l.contains("WARN") || l.contains("ERROR") || l.contains("Exception"))
                            .limit(300).forEach(System.out::println);
                }
                throw e;
            }
        }
    }

    private static Outcome run(SupervisorNodes nodes, int cases, long seed) throws Exception {
        {
            NodeProcess a = nodes.get(0);
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                ids.add("p:" + i);
                start(nodes.get(i % 3), "p:" + i, "permanent");
            }
            awaitExactlyOnce(a, ids);
            for (int i = 0; i < 3; i++) nodes.get(i).ask("WORK w" + i, "OK", WAIT);
            Map<String, String> before = systemPids(nodes);
            List<HostileMember.Victim> victims = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                String replica = nodes.get(i).ask("REPLICA", "REPLICA ", WAIT).substring("REPLICA ".length());
                victims.add(new HostileMember.Victim(nodes.name(i), replica));
            }

            int port = dev.cohort.cluster.Ports.free(), probePort = dev.cohort.cluster.Ports.free();
            List<InetSocketAddress> seeds = new ArrayList<>();
            for (int i = 0; i < 3; i++) seeds.add(new InetSocketAddress("127.0.0.1", nodes.port(i)));
            seeds.add(new InetSocketAddress("127.0.0.1", port));
            seeds.add(new InetSocketAddress("127.0.0.1", probePort));
            // the attacker, and an honest member that measures liveness over links of its own
            // (the attacker's calls would queue behind its own flood)
            try (ClusterNode member = ClusterNode.builder().name("m@127.0.0.1").port(port).cookie("c")
                    .discovery(Discovery.staticHosts(seeds)).serializer(ForySerializer.builder().build()).start();
                    ClusterNode prober = ClusterNode.builder().name("probe@127.0.0.1").port(probePort).cookie("c")
                    .discovery(Discovery.staticHosts(seeds)).serializer(ForySerializer.builder().build()).start()) {
                List<String> victimNames = victims.stream().map(HostileMember.Victim::node).toList();
                await().atMost(WAIT).until(() -> member.connectedNodes().containsAll(victimNames) && prober.connectedNodes().containsAll(victimNames));

                // liveness: every node's supervisor member answers a call, every 20 ms, throughout
                AtomicBoolean stop = new AtomicBoolean();
                AtomicLong calls = new AtomicLong(), failed = new AtomicLong();
                AtomicLongArray slowest = new AtomicLongArray(3);
                java.util.Queue<Long> latencies = new java.util.concurrent.ConcurrentLinkedQueue<>();
                java.util.Queue<String> slow = new java.util.concurrent.ConcurrentLinkedQueue<>();
                AtomicBoolean measuring = new AtomicBoolean();
                long[] attackStart = {System.nanoTime()};
                List<Thread> probes = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    int n = i;
                    probes.add(Thread.ofVirtual().start(() -> {
                        while (!stop.get()) {
                            long t0 = System.nanoTime();
                            try {
                                prober.node().call(Address.remote("cohort.supervisor.workers", victims.get(n).node()), new MemberRequest.Count(), Duration.ofSeconds(5));
                                long us = (System.nanoTime() - t0) / 1000;
                                if (measuring.get()) { // latencies of the measured part of the attack, after its warm-up
                                    calls.incrementAndGet();
                                    slowest.accumulateAndGet(n, us, Math::max);
                                    latencies.add(us);
                                    if (us > 100_000) slow.add(victims.get(n).node() + " at " + (t0 - attackStart[0]) / 1_000_000 + " ms: " + us / 1000 + " ms");
                                }
                            } catch (RuntimeException e) {
                                failed.incrementAndGet();
                            }
                            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000);
                        }
                    }));
                }
                HostileMember hostile = new HostileMember(member, seed);
                // the first fifth of the cases warms up every JVM (the JIT, the links, each kind's
                // first handling); liveness failures count throughout, latencies after it
                int warmUp = cases / 5;
                for (int k = 0; k < cases; k++) {
                    if (k == warmUp) {
                        attackStart[0] = System.nanoTime();
                        measuring.set(true);
                    }
                    hostile.sendOne(victims.get(k % 3));
                }
                // what was sent is handled before the checks: a round trip to each node's servers
                for (HostileMember.Victim v : victims) {
                    member.node().call(Address.remote("cohort.supervisor.workers", v.node()), new MemberRequest.Count(), WAIT);
                }
                stop.set(true);
                for (Thread t : probes) t.join();

                long peak = 0;
                for (NodeProcess n : nodes.all) peak = Math.max(peak, Long.parseLong(n.ask("HEAP", "HEAP ", WAIT).split(" ")[2]));
                Map<String, String> after = systemPids(nodes);
                assertThat(after).as("pids of Cohort's own processes (a change is a death)").isEqualTo(before);
                for (NodeProcess n : nodes.all) {
                    assertThat(n.ask("GAVEUP", "GAVEUP ", WAIT)).as("services that gave up on %s", n.name).isEqualTo("GAVEUP {}");
                }
                assertDataCompleteAndIdentical(nodes, ids);
                long[] us = {slowest.get(0), slowest.get(1), slowest.get(2)};
                long[] all = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
                return new Outcome(hostile.total(), hostile.tried(), calls.get(), failed.get(), us, all, peak, List.copyOf(slow),
                        (System.nanoTime() - attackStart[0]) / 1_000_000);
            }
        }
    }

    private static Map<String, String> systemPids(SupervisorNodes nodes) throws Exception {
        Map<String, String> out = new java.util.TreeMap<>();
        for (NodeProcess n : nodes.all) {
            for (String name : SYSTEM) {
                String line = n.ask("PROC " + name, "PROC " + name + " ", WAIT);
                out.put(n.name + " " + name, line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return out;
    }

    /** Every child once and found on every node; every acknowledged write on every node; the three replicas of kv alike. */
    private static void assertDataCompleteAndIdentical(SupervisorNodes nodes, List<String> ids) throws Exception {
        awaitExactlyOnce(nodes.get(0), ids);
        for (NodeProcess n : nodes.all) {
            for (String id : ids) assertThat(whereis(n, id)).as("%s on %s", id, n.name).isNotEqualTo("none");
        }
        List<String[]> worked = new ArrayList<>();
        for (NodeProcess n : nodes.all) {
            String[] paused = n.ask("PAUSE", "PAUSED ", WAIT).split(" ");
            assertThat(Long.parseLong(paused[2])).as("writes acknowledged on " + n.name).isGreaterThan(20);
            worked.add(n.ask("WORKED", "WORKED ", WAIT).split(" "));
        }
        for (int w = 0; w < worked.size(); w++) assertThat(Long.parseLong(worked.get(w)[2])).as("writes that failed on node %d", w).isZero();
        nodes.awaitAcknowledgedWritesEverywhere(worked);
        nodes.awaitSameKv();
    }
}
