package dev.cohort.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cohort.cluster.testing.NodeProcess;
import dev.cohort.cluster.wire.ForySerializer;
import dev.cohort.process.Address;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Three nodes as separate OS processes ({@link NodeMain}) on 127.0.0.1, driven through their
 * standard input and, for messaging, from a fourth node in this JVM.
 */
class ThreeNodeClusterTest {
    private static final Duration JOIN = Duration.ofSeconds(60);
    private static final String GOTHAM = "gotham@127.0.0.1", METROPOLIS = "metropolis@127.0.0.1", CAPITOL = "capitol@127.0.0.1";
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) open.get(i).close();
    }

    private NodeProcess node(String name, int port, int... seeds) throws Exception {
        NodeProcess p = NodeProcess.start(name, port, "secret", seeds);
        open.add(p);
        return p;
    }

    /** Waits until {@code p} has printed UP for each of {@code others} (it sees them in its view). */
    private static void awaitSees(NodeProcess p, String... others) {
        p.awaitLine(l -> l.equals("READY"), JOIN);
        for (String o : others) p.awaitLine(l -> l.equals("UP " + o), JOIN);
    }

    private record Trio(NodeProcess gotham, NodeProcess metropolis, NodeProcess capitol) {}

    private Trio trio() throws Exception {
        int pg = Ports.free(), pm = Ports.free(), pc = Ports.free();
        NodeProcess gotham = node(GOTHAM, pg, pm, pc);
        NodeProcess metropolis = node(METROPOLIS, pm, pg, pc);
        NodeProcess capitol = node(CAPITOL, pc, pg, pm);
        awaitSees(gotham, METROPOLIS, CAPITOL);
        awaitSees(metropolis, GOTHAM, CAPITOL);
        awaitSees(capitol, GOTHAM, METROPOLIS);
        return new Trio(gotham, metropolis, capitol);
    }

    @Test
    void namesOnEveryNodeAnswerCallsAndCastsAndAHundredThousandMessagesArriveInOrder() throws Exception {
        Trio t = trio();
        ClusterNode driver = ClusterNode.start("driver@127.0.0.1", Ports.free(),
                List.of(new InetSocketAddress("127.0.0.1", t.gotham().port)), "secret", ForySerializer.builder().build());
        open.add(driver);
        await().atMost(JOIN).until(() -> driver.connectedNodes().containsAll(List.of(GOTHAM, METROPOLIS, CAPITOL)));

        for (String n : List.of(GOTHAM, METROPOLIS, CAPITOL)) {
            Address counter = Address.remote("counter", n);
            Integer one = driver.node().call(counter, "inc");
            driver.node().cast(counter, "bump");
            Integer twelve = driver.node().call(counter, "inc");
            assertThat(List.of(one, twelve)).as(n).containsExactly(1, 12);
        }

        CompletableFuture<Object> verdict = new CompletableFuture<>();
        driver.node().spawn(self -> {
            Address order = Address.remote("order", METROPOLIS);
            for (long i = 0; i < 100_000; i++) self.send(order, i);
            self.send(order, self.self());
            verdict.complete(self.receive(String.class::isInstance, Duration.ofMinutes(2)).orElse("no answer"));
        });
        assertThat(verdict.get(3, TimeUnit.MINUTES)).isEqualTo("ORDER 100000 true");
    }

    @Test
    void aNodeWithAnotherCookieIsRefusedAndTheRefusalIsLoggedOnBothSides() throws Exception {
        int pg = Ports.free();
        NodeProcess gotham = node(GOTHAM, pg);
        gotham.awaitLine(l -> l.startsWith("COUNTER "), JOIN);
        NodeProcess intruder = NodeProcess.start("joker@127.0.0.1", Ports.free(), "not-the-cookie", pg);
        open.add(intruder);
        intruder.awaitLine(l -> l.contains("authentication failed"), JOIN);
        gotham.awaitLine(l -> l.contains("refused a message") && l.contains("another cookie"), JOIN);
        await().atMost(JOIN).until(() -> !intruder.isAlive());
        assertThat(gotham.lines()).noneMatch(l -> l.startsWith("UP "));
        assertThat(intruder.lines()).noneMatch(l -> l.startsWith("UP ") || l.startsWith("COUNTER "));
    }

    @Test
    void aNodeStartedBeforeItsSeedsJoinsThemWhenTheyComeUp() throws Exception {
        int pd = Ports.free(), pg = Ports.free();
        NodeProcess dispatch = node("dispatch@127.0.0.1", pd, pg); // gotham is not running yet
        dispatch.awaitLine(l -> l.startsWith("COUNTER "), JOIN);
        NodeProcess gotham = node(GOTHAM, pg); // knows nobody: dispatch's retries must find it
        awaitSees(dispatch, GOTHAM);
        awaitSees(gotham, "dispatch@127.0.0.1");
    }

    @Test
    void globalNamesAreUniqueVisibleEverywhereAndFreedWhenTheirNodeIsKilled() throws Exception {
        Trio t = trio();
        String held = t.gotham().ask("GLOBAL batcave", "GLOBAL batcave", JOIN);
        assertThat(held).contains(" yes ");
        String pid = held.substring(held.indexOf(" yes ") + 5);
        for (NodeProcess p : List.of(t.gotham(), t.metropolis(), t.capitol())) {
            assertThat(p.ask("WHEREIS batcave", "WHEREIS batcave", JOIN)).isEqualTo("WHEREIS batcave " + pid);
        }
        assertThat(t.metropolis().ask("GLOBAL batcave", "GLOBAL batcave", JOIN)).contains(" no ");

        t.gotham().kill9();
        for (NodeProcess p : List.of(t.metropolis(), t.capitol())) {
            p.awaitLine(l -> l.equals("DOWN " + GOTHAM), JOIN);
            assertThat(p.ask("WHEREIS batcave", "WHEREIS batcave", JOIN)).isEqualTo("WHEREIS batcave none");
        }
        assertThat(t.capitol().ask("GLOBAL batcave", "GLOBAL batcave", JOIN)).contains(" yes ");

        // the killed node comes back under its name as a new incarnation: its old pids stay dead
        NodeProcess again = t.gotham().restart();
        open.add(again);
        awaitSees(again, METROPOLIS, CAPITOL);
        await().atMost(JOIN).until(() -> t.metropolis().lines().stream().filter(l -> l.equals("UP " + GOTHAM)).count() == 2);
        String oldCreation = pid.split(" ")[1];
        String counter = again.awaitLine(l -> l.startsWith("COUNTER "), JOIN);
        assertThat(counter.split(" ")[2]).isNotEqualTo(oldCreation);
        // the members tell a joiner what they hold once they see it: wait for capitol's word
        await().atMost(JOIN).until(() -> again.ask("WHEREIS batcave", "WHEREIS batcave", JOIN).startsWith("WHEREIS batcave " + CAPITOL));
    }

    /**
     * A partition (capitol cut off by JGroups' DISCARD) and its heal: both sides see nodeDown
     * then nodeUp; a global name registered on both sides meanwhile ends with exactly one
     * holder, the earlier registration, and the other holder exits with a NameConflict.
     */
    @Test
    void afterAPartitionHealsEveryNodeAgreesOnOneHolderAndTheOtherExitsWithTheReason() throws Exception {
        Trio t = trio();
        t.capitol().ask("ISOLATE", "ISOLATED", JOIN);
        t.gotham().awaitLine(l -> l.equals("DOWN " + CAPITOL), JOIN);
        t.metropolis().awaitLine(l -> l.equals("DOWN " + CAPITOL), JOIN);
        t.capitol().awaitLine(l -> l.equals("DOWN " + GOTHAM), JOIN);
        t.capitol().awaitLine(l -> l.equals("DOWN " + METROPOLIS), JOIN);

        String early = t.metropolis().ask("GLOBAL hq", "GLOBAL hq", JOIN);
        String late = t.capitol().ask("GLOBAL hq", "GLOBAL hq", JOIN);
        assertThat(early).contains(" yes ");
        assertThat(late).as("the other side cannot see the first holder").contains(" yes ");
        String winner = early.substring(early.indexOf(" yes ") + 5);

        int before = t.capitol().lines().size();
        t.capitol().ask("HEAL", "HEALED", JOIN);
        t.capitol().awaitNewLine(before, l -> l.equals("UP " + GOTHAM), JOIN);
        t.capitol().awaitNewLine(before, l -> l.equals("UP " + METROPOLIS), JOIN);
        t.capitol().awaitLine(l -> l.startsWith("EXIT hq ") && l.contains("global name conflict: hq stays with"), JOIN);
        for (NodeProcess p : List.of(t.gotham(), t.metropolis(), t.capitol())) {
            await().atMost(JOIN).until(() -> p.ask("WHEREIS hq", "WHEREIS hq", JOIN).equals("WHEREIS hq " + winner));
        }
        assertThat(t.metropolis().lines()).noneMatch(l -> l.startsWith("EXIT hq"));
    }
}
