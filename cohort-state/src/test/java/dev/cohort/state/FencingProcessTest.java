package dev.cohort.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cohort.cluster.testing.NodeProcess;
import dev.cohort.process.Pid;
import dev.cohort.state.testing.SharedPostgres;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two incarnations of one key, forced by a partition, write at the same time: the node cut off
 * takes the tally over (a newer epoch) while the original keeps writing. Only the newest epoch's
 * writes land; the original's first refused write stops it with {shutdown, fenced}; every write
 * it had acknowledged is in the state the newer one restored.
 */
class FencingProcessTest {
    @TempDir Path dir;

    @Test
    void sqlite() throws Exception {
        run("sqlite:" + dir.resolve("state.db"));
    }

    @Test
    void postgres() throws Exception {
        run(SharedPostgres.get().uri() + "?table=" + SharedPostgres.freshTable());
    }

    private void run(String store) throws Exception {
        try (StateCluster cluster = new StateCluster(2, store)) {
            assertThat(cluster.nodes.get(0).ask("BULK 1", "BULK ", StateCluster.WAIT)).isEqualTo("BULK 1 0");
            await().atMost(StateCluster.WAIT).until(() -> cluster.registry.whereis("k0") != null);
            Pid original = cluster.registry.whereis("k0");
            NodeProcess x = cluster.nodes.get(cluster.indexOf(original.node()));
            NodeProcess y = cluster.nodes.get(1 - cluster.indexOf(original.node()));
            assertThat(x.ask("ADD k0 10", "ADDED k0 ", StateCluster.WAIT)).isEqualTo("ADDED k0 10 0");

            // x writes without pause while y is cut off and takes k0 over
            int before = x.lines().size();
            x.command("ADD k0 1000000");
            y.command("ISOLATE");
            String started = y.awaitLine(l -> l.startsWith("STARTED k0 "), StateCluster.WAIT);
            long restored = Long.parseLong(started.split(" ")[2]);
            assertThat(y.ask("ADD k0 100", "ADDED k0 ", StateCluster.WAIT)).isEqualTo("ADDED k0 100 0");

            // the original was refused at its first write after the takeover, and stopped
            String added = x.awaitNewLine(before, l -> l.startsWith("ADDED k0 "), StateCluster.WAIT);
            long xAcked = Long.parseLong(added.split(" ")[2]);
            assertThat(Long.parseLong(added.split(" ")[3])).isPositive();
            String stopped = x.awaitNewLine(before, l -> l.startsWith("STOPPED k0 "), StateCluster.WAIT);
            assertThat(stopped).contains("{shutdown, fenced k0 epoch 1 < 2}");
            // every write x acknowledged landed before the takeover, none after
            assertThat(restored).isEqualTo(10 + xAcked);
            assertThat(y.ask("ROW k0", "ROW k0 ", StateCluster.WAIT)).isEqualTo("ROW k0 2 " + (restored + 100));

            // after the heal, one tally remains, with the newest state
            y.command("HEAL");
            await().atMost(StateCluster.WAIT).until(() -> {
                Pid p = cluster.registry.whereis("k0");
                return p != null && p.node().equals(y.name);
            });
            long count = cluster.client.node().<Long>call(cluster.registry.whereis("k0"), "get", StateCluster.WAIT);
            assertThat(count).isEqualTo(restored + 100);
            assertThat(x.ask("ROW k0", "ROW k0 ", StateCluster.WAIT)).isEqualTo("ROW k0 2 " + (restored + 100));
        }
    }
}
