package dev.cohort.distributed.registry;

import static dev.cohort.distributed.testing.TestCluster.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cohort.crdt.replicator.ReplicatedMap;
import dev.cohort.distributed.testing.TestCluster;
import dev.cohort.process.ExitReason;
import dev.cohort.process.Pid;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Process groups on three nodes in this JVM. */
class ProcessGroupsTest {
    private TestCluster cluster;
    private final List<ProcessGroups> groups = new ArrayList<>();

    @AfterEach
    void stop() {
        if (cluster != null) cluster.close();
    }

    private void start(int n) throws Exception {
        cluster = new TestCluster(n);
        for (int i = 0; i < n; i++) {
            groups.add(ProcessGroups.builder(cluster.get(i), "league").serializer(cluster.serializer)
                    .options(ReplicatedMap.Options.defaults().withSyncInterval(Duration.ofMillis(100))).start());
        }
    }

    @Test
    void membersOnEveryNodeSeenEverywhereLeavingByExitLeaveOrNodeLoss() throws Exception {
        start(3);
        Pid a = cluster.idle(0), b = cluster.idle(1), c = cluster.idle(2);
        groups.get(0).join("justice", a, "flight");
        assertThat(groups.get(0).members("justice")).containsOnlyKeys(a); // here at once
        groups.get(1).join("justice", b);
        groups.get(2).join("justice", c);
        groups.get(2).join("titans", c);
        await().atMost(WAIT).until(() -> groups.stream().allMatch(g -> g.members("justice").keySet().equals(Set.of(a, b, c))));
        assertThat(groups.get(1).members("justice").get(a).value()).isEqualTo("flight");
        assertThat(groups.get(0).localMembers("justice")).containsExactly(a);
        await().atMost(WAIT).until(() -> groups.get(0).groups().equals(Set.of("justice", "titans")));

        // dispatch: a message to every member this node sees
        List<Object> got = new CopyOnWriteArrayList<>();
        Pid listener = cluster.get(1).node().spawn(self -> { for (;;) got.add(self.receive()); });
        groups.get(1).join("justice", listener);
        await().atMost(WAIT).until(() -> groups.get(0).count("justice") == 4);
        groups.get(0).dispatch("justice", members -> members.keySet().forEach(p -> cluster.get(0).node().send(p, "assemble")));
        await().atMost(WAIT).until(() -> got.contains("assemble"));

        assertThat(groups.get(0).leave("justice", b)).isTrue(); // from another node
        cluster.get(0).node().exit(a, ExitReason.KILL);
        await().atMost(WAIT).until(() -> groups.stream().allMatch(g -> g.members("justice").keySet().equals(Set.of(c, listener))));
        cluster.get(2).close();
        await().atMost(WAIT).until(() -> groups.get(0).members("justice").keySet().equals(Set.of(listener))
                && groups.get(0).members("titans").isEmpty() && !groups.get(0).groups().contains("titans"));
    }

    @Test
    void bothSidesOfAPartitionKeepTheirMembersAfterTheHeal() throws Exception {
        start(3);
        Pid early = cluster.idle(2);
        groups.get(2).join("watch", early);
        await().atMost(WAIT).until(() -> groups.get(0).count("watch") == 1);
        cluster.get(2).isolate(true);
        await().atMost(WAIT).until(() -> cluster.get(0).connectedNodes().size() == 1 && groups.get(0).count("watch") == 0);
        Pid major = cluster.idle(0), minor = cluster.idle(2);
        groups.get(0).join("watch", major);
        groups.get(2).join("watch", minor);
        cluster.get(2).isolate(false);
        await().atMost(WAIT).until(() -> groups.stream().allMatch(g -> g.members("watch").keySet().equals(Set.of(early, major, minor))));
    }
}
