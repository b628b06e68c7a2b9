package dev.cohort.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cohort.cluster.testing.NodeProcess;
import dev.cohort.state.cli.HandoffDrill;
import dev.cohort.state.testing.SharedPostgres;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hand-off acceptance test ({@link HandoffDrill}): a client drives 10,000 increments through
 * durable tallies spread over three node processes, counting each acknowledged one, while the
 * node hosting a random tally is killed with kill -9 (or stopped gracefully) and restarted, four
 * times. At the end every tally, running and stored, equals its acknowledged increments: none
 * lost, none counted twice. With SQLite (three processes on one file) and with PostgreSQL.
 * Seeded: {@code -Dcohort.handoff.seed}.
 */
class HandoffCrashTest {
    static final int KEYS = 12;
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
        try (StateCluster cluster = new StateCluster(3, store)) {
            NodeProcess a = cluster.nodes.get(0);
            assertThat(a.ask("BULK " + KEYS, "BULK ", StateCluster.WAIT)).isEqualTo("BULK " + KEYS + " 0");
            await().atMost(StateCluster.WAIT).until(() -> {
                for (int k = 0; k < KEYS; k++) if (cluster.registry.whereis("k" + k) == null) return false;
                return true;
            });
            HandoffDrill.Result r;
            try {
                r = HandoffDrill.run(cluster.client, cluster.registry, cluster.drillNodes(),
                        new HandoffDrill.Plan(KEYS, 10_000, 4, 4, kill, seed));
            } catch (Exception e) {
                throw new AssertionError("seed " + seed + cluster.dump(), e);
            }
            String why = "seed " + seed + ": acked " + Arrays.toString(r.acked()) + " counted " + Arrays.toString(r.counted());
            assertThat(r.disrupted()).isEqualTo(4);
            assertThat(Arrays.stream(r.acked()).sum()).isEqualTo(10_000);
            assertThat(r.lost()).as(why).isZero();
            assertThat(r.doubled()).as(why).isZero();
            assertThat(r.mismatches()).as(why).isZero();
            assertThat(r.counted()).isEqualTo(r.acked());
            for (int k = 0; k < KEYS; k++) { // the stored rows too
                NodeProcess any = cluster.nodes.get(0); // restarted nodes are new processes
                assertThat(any.ask("ROW k" + k, "ROW k" + k + " ", StateCluster.WAIT)).as(why).endsWith(" " + r.acked()[k]);
            }
        }
    }
}
