package dev.cohort.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cohort.cluster.testing.NodeProcess;
import dev.cohort.process.Pid;
import dev.cohort.state.cli.StateNodeMain;
import dev.cohort.state.testing.SharedPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hand-off acceptance test: a client drives 10,000 increments through durable tallies spread
 * over three node processes, counting each acknowledged one, while the node hosting a random
 * tally is killed with kill -9 (or stopped gracefully) and restarted, four times. At the end
 * every tally equals its acknowledged increments: none lost, none counted twice. With SQLite
 * (three processes on one file) and with PostgreSQL. Seeded: {@code -Dcohort.handoff.seed}.
 */
class HandoffCrashTest {
    static final int KEYS = 12, INCREMENTS = 10_000, CLIENTS = 4, DISRUPTIONS = 4;
    @TempDir Path dir;

    @Test
    void sqliteKill9() throws Exception {
        run("sqlite:" + dir.resolve("state.db"), true);
    }

    @Test
    void sqliteGracefulStop() throws Exception {
        run("sqlite:" + dir.resolve("state.db"), false);
    }

    @Test
    void postgresKill9() throws Exception {
        run(SharedPostgres.get().uri() + "?table=" + SharedPostgres.freshTable(), true);
    }

    @Test
    void postgresGracefulStop() throws Exception {
        run(SharedPostgres.get().uri() + "?table=" + SharedPostgres.freshTable(), false);
    }

    private void run(String store, boolean kill) throws Exception {
        long seed = Long.getLong("cohort.handoff.seed", System.nanoTime());
        Random random = new Random(seed);
        try (StateCluster cluster = new StateCluster(3, store)) {
            NodeProcess a = cluster.nodes.get(0);
            assertThat(a.ask("BULK " + KEYS, "BULK ", StateCluster.WAIT)).isEqualTo("BULK " + KEYS + " 0");
            await().atMost(StateCluster.WAIT).until(() -> allResolve(cluster));

            AtomicLongArray acked = new AtomicLongArray(KEYS);
            AtomicInteger total = new AtomicInteger();
            AtomicReference<Throwable> failed = new AtomicReference<>();
            List<Thread> clients = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int first = c;
                clients.add(Thread.ofVirtual().start(() -> {
                    try {
                        long seq = 0;
                        while (total.get() < INCREMENTS) {
                            seq++;
                            for (int k = first; k < KEYS; k += CLIENTS) {
                                if (total.getAndIncrement() >= INCREMENTS) return;
                                long count = increment(cluster, "k" + k, seq);
                                if (count != acked.get(k) + 1) throw new AssertionError("k" + k + " answered " + count + " after " + acked.get(k) + " acknowledged (seed " + seed + ")");
                                acked.incrementAndGet(k);
                            }
                        }
                    } catch (Throwable e) {
                        failed.compareAndSet(null, e);
                    }
                }));
            }
            // disruptions at 20%, 40%, 60%, 80% of the increments, each on the node hosting a random tally
            for (int d = 1; d <= DISRUPTIONS; d++) {
                int mark = INCREMENTS * d / (DISRUPTIONS + 1);
                await().atMost(Duration.ofMinutes(3)).until(() -> total.get() >= mark || failed.get() != null);
                if (failed.get() != null) break;
                String key = "k" + random.nextInt(KEYS);
                Pid holder = cluster.registry.whereis(key);
                int victim = holder != null ? cluster.indexOf(holder.node()) : random.nextInt(3);
                NodeProcess p = cluster.nodes.get(victim);
                if (kill) {
                    p.kill9();
                } else {
                    p.command("LEAVE");
                    p.awaitLine(l -> l.startsWith("LEFT "), StateCluster.WAIT);
                    await().atMost(StateCluster.WAIT).until(() -> !p.isAlive());
                }
                cluster.restart(victim);
            }
            for (Thread t : clients) t.join(Duration.ofMinutes(5).toMillis());
            if (failed.get() != null) throw new AssertionError("seed " + seed + cluster.dump(), failed.get());

            long sum = 0;
            for (int k = 0; k < KEYS; k++) {
                String key = "k" + k;
                long expected = acked.get(k);
                sum += expected;
                // the running tally and the stored row both equal the acknowledged increments
                assertThat(increment(cluster, key, Long.MAX_VALUE - 1) - 1).as("%s (seed %d)", key, seed).isEqualTo(expected);
                String row = cluster.nodes.get(0).ask("ROW " + key, "ROW " + key + " ", StateCluster.WAIT);
                assertThat(row).as("stored %s", key).endsWith(" " + (expected + 1));
            }
            assertThat(sum).isEqualTo(INCREMENTS);
        }
    }

    private static boolean allResolve(StateCluster cluster) {
        for (int k = 0; k < KEYS; k++) if (cluster.registry.whereis("k" + k) == null) return false;
        return true;
    }

    /** One acknowledged increment of {@code key} with client sequence {@code seq}: retried (same seq) until answered. */
    private static long increment(StateCluster cluster, String key, long seq) {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        RuntimeException last = null;
        while (System.nanoTime() < deadline) {
            Pid pid = cluster.registry.whereis(key);
            if (pid != null) {
                try {
                    return cluster.client.node().<Long>call(pid, new StateNodeMain.Inc(seq), Duration.ofSeconds(2));
                } catch (RuntimeException e) {
                    last = e; // its node died or it was stopped: the registry will name the next incarnation
                }
            }
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos()); // the client's retry backoff
        }
        throw new AssertionError("increment of " + key + " not acknowledged within 2 minutes", last);
    }
}
