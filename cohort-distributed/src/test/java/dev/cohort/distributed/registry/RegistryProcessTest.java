package dev.cohort.distributed.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cohort.cluster.testing.NodeProcess;
import dev.cohort.distributed.cli.RegistryNodeMain;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The registry across three nodes that are separate OS processes ({@link RegistryNodeMain}), driven by commands. */
class RegistryProcessTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private final List<NodeProcess> nodes = new ArrayList<>();

    @AfterEach
    void stop() {
        nodes.forEach(NodeProcess::close);
    }

    private static int freePort() throws java.io.IOException {
        return dev.cohort.cluster.Ports.free(); // below the ephemeral range: see Ports
    }

    private NodeProcess a, b, c;

    private void cluster() throws Exception {
        int pa = freePort(), pb = freePort(), pc = freePort();
        a = NodeProcess.start(RegistryNodeMain.class, "a@127.0.0.1", pa, "c", pb, pc);
        b = NodeProcess.start(RegistryNodeMain.class, "b@127.0.0.1", pb, "c", pa, pc);
        c = NodeProcess.start(RegistryNodeMain.class, "c@127.0.0.1", pc, "c", pa, pb);
        nodes.addAll(List.of(a, b, c));
        for (NodeProcess n : nodes) {
            n.awaitLine("READY"::equals, WAIT);
            for (NodeProcess o : nodes) if (o != n) n.awaitLine(("UP " + o.name)::equals, WAIT);
        }
    }

    private static String pidOf(String line) { return line.substring(line.lastIndexOf(' ') + 1); }

    private static String whereis(NodeProcess n, String key) throws Exception {
        return pidOf(n.ask("WHEREIS " + key, "WHEREIS " + key + " ", WAIT));
    }

    @Test
    void readYourWritesLocalLookupsAndKeysThatGoWithTheirNode() throws Exception {
        cluster();
        String hero = pidOf(a.ask("REGISTER hero", "REGISTERED hero ", WAIT));
        assertThat(whereis(a, "hero")).isEqualTo(hero); // the next command on the same node sees it
        await().atMost(WAIT).until(() -> whereis(b, "hero").equals(hero) && whereis(c, "hero").equals(hero));
        // awaitVisible: once it returns true, the other nodes resolve the name at once
        String robin = pidOf(b.ask("REGISTER robin", "REGISTERED robin ", WAIT));
        assertThat(b.ask("AWAIT robin", "VISIBLE robin ", WAIT)).isEqualTo("VISIBLE robin true");
        assertThat(whereis(a, "robin")).isEqualTo(robin);
        assertThat(whereis(c, "robin")).isEqualTo(robin);
        assertThat(b.ask("REGISTER hero", "TAKEN hero ", WAIT)).endsWith(hero);

        // a lookup is a local read: a node cut off from every other still answers at once
        a.ask("ISOLATE", "OK", WAIT);
        assertThat(whereis(a, "hero")).isEqualTo(hero);
        a.ask("HEAL", "OK", WAIT);

        String flash = pidOf(c.ask("REGISTER flash", "REGISTERED flash ", WAIT));
        await().atMost(WAIT).until(() -> whereis(a, "flash").equals(flash));
        c.kill9();
        await().atMost(WAIT).until(() -> whereis(a, "flash").equals("none") && whereis(b, "flash").equals("none"));
    }

    /** Both sides of a partition register one key; after the heal one holder remains and the other is told why. */
    @Test
    void afterAPartitionHealsOneHolderRemainsEverywhereAndTheLoserGetsTheConflictReason() throws Exception {
        cluster();
        int lines = a.lines().size();
        c.ask("ISOLATE", "OK", WAIT);
        a.awaitNewLine(lines, ("DOWN " + c.name)::equals, WAIT);
        String onA = pidOf(a.ask("REGISTER dup", "REGISTERED dup ", WAIT));
        String onC = pidOf(c.ask("REGISTER dup", "REGISTERED dup ", WAIT));
        c.ask("HEAL", "OK", WAIT);
        await().atMost(WAIT).until(() -> {
            String w = whereis(a, "dup");
            return !w.equals("none") && w.equals(whereis(b, "dup")) && w.equals(whereis(c, "dup"));
        });
        String winner = whereis(a, "dup");
        NodeProcess loserNode = winner.equals(onA) ? c : a;
        String exit = loserNode.awaitLine(l -> l.startsWith("EXIT dup "), WAIT);
        assertThat(exit).contains("RegistryConflict[key=dup, registry=bench, winner=" + winner + "]");
        NodeProcess winnerNode = loserNode == a ? c : a;
        assertThat(winnerNode.lines()).noneMatch(l -> l.startsWith("EXIT dup "));
        assertThat(List.of(onA, onC)).contains(winner);
    }
}
