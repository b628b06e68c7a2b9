package dev.cohort.supervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.cohort.InProcess;
import dev.cohort.process.Down;
import dev.cohort.process.ExitReason;
import dev.cohort.process.Node;
import dev.cohort.process.Pid;
import dev.cohort.process.Ref;
import dev.cohort.server.StartException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DynamicSupervisorTest {
    private final Node node = Node.builder().name("gotham@127.0.0.1").build();
    private final List<Object> seenArgs = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() { node.shutdown(Duration.ofSeconds(5)); }

    private ChildSpec echo(String id) {
        return ChildSpec.worker(id, (sup, args) -> {
            seenArgs.add(args);
            return sup.spawnLink(self -> {
                Object m = self.receive();
                if (m.equals("crash")) throw new IllegalStateException("crash");
            });
        });
    }

    @Test
    void startWhichCountAndTerminateChildren() {
        Pid sup = DynamicSupervisor.start(node, DynamicSupervisor.Spec.defaults());
        Pid a = DynamicSupervisor.startChild(node, sup, echo("a"));
        Pid b = DynamicSupervisor.startChild(node, sup, echo("b"));
        assertThat(DynamicSupervisor.whichChildren(node, sup)).extracting(ChildInfo::pid).containsExactly(a, b);
        assertThat(DynamicSupervisor.countChildren(node, sup)).isEqualTo(new ChildCounts(2, 2, 0, 2));
        assertThat(DynamicSupervisor.terminateChild(node, sup, a)).isTrue();
        assertThat(node.isAlive(a)).isFalse();
        assertThat(DynamicSupervisor.terminateChild(node, sup, a)).isFalse();
        assertThat(DynamicSupervisor.whichChildren(node, sup)).extracting(ChildInfo::pid).containsExactly(b);
    }

    @Test
    void maxChildrenIsEnforced() {
        Pid sup = DynamicSupervisor.start(node, DynamicSupervisor.Spec.defaults().withMaxChildren(1));
        DynamicSupervisor.startChild(node, sup, echo("a"));
        assertThatThrownBy(() -> DynamicSupervisor.startChild(node, sup, echo("b")))
                .isInstanceOfSatisfying(StartException.class, e -> assertThat(e.reason()).isEqualTo(ExitReason.of("max_children")));
    }

    @Test
    void extraArgumentsArePassedToEveryChild() {
        Pid sup = DynamicSupervisor.start(node, DynamicSupervisor.Spec.defaults().withExtraArgs(List.of("pool", 7)));
        DynamicSupervisor.startChild(node, sup, echo("a"));
        assertThat(seenArgs).containsExactly(List.of("pool", 7));
    }

    @Test
    void crashedPermanentChildIsRestartedTemporaryIsNot() {
        Pid sup = DynamicSupervisor.start(node, DynamicSupervisor.Spec.defaults());
        Pid a = DynamicSupervisor.startChild(node, sup, echo("a"));
        Pid t = DynamicSupervisor.startChild(node, sup, echo("t").withRestart(Restart.TEMPORARY));
        node.send(a, "crash");
        node.send(t, "crash");
        await().until(() -> {
            List<ChildInfo> kids = DynamicSupervisor.whichChildren(node, sup);
            return kids.size() == 1 && !kids.get(0).pid().equals(a);
        });
    }

    @Test
    void shutdownStopsAllChildren() {
        Pid sup = DynamicSupervisor.start(node, DynamicSupervisor.Spec.defaults());
        List<Pid> kids = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++) kids.add(DynamicSupervisor.startChild(node, sup, echo("k" + i)));
        node.exit(sup, ExitReason.SHUTDOWN); // from a plain thread: sent as the system pid, the parent
        await().until(() -> !node.isAlive(sup));
        assertThat(kids).noneMatch(node::isAlive);
    }
}
