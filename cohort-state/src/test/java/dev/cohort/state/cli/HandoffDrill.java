package dev.cohort.state.cli;

import dev.cohort.cluster.ClusterNode;
import dev.cohort.distributed.registry.DistributedRegistry;
import dev.cohort.process.Pid;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The hand-off crash drill, shared by the acceptance test and {@code ./cohort bench handoff}: a
 * client drives increments through the durable tallies of {@link StateNodeMain} nodes, counting
 * each acknowledged one, and at even marks kills (kill -9) or gracefully stops the node hosting a
 * random tally, then restarts it. Each increment carries the client's sequence number and is
 * retried with the same number until answered, so an increment applied but not answered is not
 * applied twice. At the end every tally is read back: {@code lost} counts acknowledged increments
 * missing from it, {@code doubled} increments counted more often than acknowledged.
 */
public final class HandoffDrill {
    private HandoffDrill() {}

    /** The node processes under test. */
    public interface Nodes {
        /** The index of the node named {@code node}. */
        int indexOf(String node);

        int size();

        /** Kill -9, no warning. */
        void kill(int i) throws Exception;

        /** Graceful: the node hands its tallies over, then exits. */
        void stop(int i) throws Exception;

        /** Starts node {@code i} again and waits until it is ready. */
        void restart(int i) throws Exception;
    }

    /** How much to do: tallies {@code k0..k(keys-1)} must exist before the run. */
    public record Plan(int keys, int increments, int clients, int disruptions, boolean kill, long seed) {}

    /** What happened; {@code mismatches} counts answers that were not the acknowledged count plus one. */
    public record Result(long[] acked, long[] counted, long lost, long doubled, long mismatches, int disrupted, Duration elapsed) {}

    public static Result run(ClusterNode client, DistributedRegistry registry, Nodes nodes, Plan plan) throws Exception {
        Random random = new Random(plan.seed());
        AtomicLongArray acked = new AtomicLongArray(plan.keys());
        AtomicInteger issued = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        AtomicLong mismatches = new AtomicLong();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        long t0 = System.nanoTime();
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < plan.clients(); c++) {
            int first = c;
            clients.add(Thread.ofVirtual().start(() -> {
                try {
                    for (long seq = 1; ; seq++) {
                        for (int k = first; k < plan.keys(); k += plan.clients()) {
                            if (issued.getAndIncrement() >= plan.increments()) return;
                            long count = call(client, registry, "k" + k, new StateNodeMain.Inc(seq));
                            if (count != acked.get(k) + 1) mismatches.incrementAndGet();
                            acked.incrementAndGet(k);
                            done.incrementAndGet();
                        }
                    }
                } catch (Throwable e) {
                    failed.compareAndSet(null, e);
                }
            }));
        }
        int disrupted = 0;
        for (int d = 1; d <= plan.disruptions(); d++) {
            int mark = (int) ((long) plan.increments() * d / (plan.disruptions() + 1));
            while (done.get() < mark && failed.get() == null && clients.stream().anyMatch(Thread::isAlive)) {
                LockSupport.parkNanos(Duration.ofMillis(5).toNanos()); // the drill's pacing: poll the clients' progress
            }
            if (failed.get() != null) break;
            Pid holder = registry.whereis("k" + random.nextInt(plan.keys()));
            int victim = holder != null ? nodes.indexOf(holder.node()) : random.nextInt(nodes.size());
            if (plan.kill()) nodes.kill(victim);
            else nodes.stop(victim);
            nodes.restart(victim);
            disrupted++;
        }
        for (Thread t : clients) t.join();
        if (failed.get() != null) throw new IllegalStateException("a client failed", failed.get());
        Duration elapsed = Duration.ofNanos(System.nanoTime() - t0);
        long[] a = new long[plan.keys()], counted = new long[plan.keys()];
        long lost = 0, doubled = 0;
        for (int k = 0; k < plan.keys(); k++) {
            a[k] = acked.get(k);
            counted[k] = call(client, registry, "k" + k, "get");
            lost += Math.max(0, a[k] - counted[k]);
            doubled += Math.max(0, counted[k] - a[k]);
        }
        return new Result(a, counted, lost, doubled, mismatches.get(), disrupted, elapsed);
    }

    /** One answered call to the tally named {@code key}, retried through the registry for up to 2 minutes. */
    static long call(ClusterNode client, DistributedRegistry registry, String key, Object request) {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        RuntimeException last = null;
        while (System.nanoTime() < deadline) {
            Pid pid = registry.whereis(key);
            if (pid != null) {
                try {
                    return client.node().<Long>call(pid, request, Duration.ofSeconds(2));
                } catch (RuntimeException e) {
                    last = e; // its node died or it was handed over: the registry will name the next incarnation
                }
            }
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos()); // the client's retry backoff
        }
        throw new IllegalStateException(request + " to " + key + " not answered within 2 minutes", last);
    }
}
