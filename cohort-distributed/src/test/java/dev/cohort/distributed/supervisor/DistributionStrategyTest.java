package dev.cohort.distributed.supervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Placement: uniform, stable under membership change, deterministic where failover needs it, quorum that refuses. */
class DistributionStrategyTest {
    private static final List<String> THREE = List.of("a@h", "b@h", "c@h");

    private static List<String> ids(int n) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) ids.add("child-" + i);
        return ids;
    }

    private static Map<String, Integer> spread(DistributionStrategy s, List<String> members, List<String> ids) {
        Map<String, Integer> counts = new HashMap<>();
        for (String id : ids) counts.merge(s.choose(id, members), 1, Integer::sum);
        return counts;
    }

    @Test
    void theRingSpreadsChildrenEvenlyAndMovesOnlyTheLostMembersShare() {
        DistributionStrategy ring = DistributionStrategy.uniform();
        List<String> ids = ids(30_000);
        Map<String, Integer> counts = spread(ring, THREE, ids);
        assertThat(counts.keySet()).containsExactlyInAnyOrderElementsOf(THREE);
        counts.values().forEach(n -> assertThat(n).isBetween(8_000, 12_000)); // 10,000 each, within 20%
        List<String> two = List.of("a@h", "b@h");
        for (String id : ids) {
            String before = ring.choose(id, THREE);
            if (!before.equals("c@h")) assertThat(ring.choose(id, two)).as("a child of a survivor stays put").isEqualTo(before);
        }
        // a second instance (another node) computes the same owners
        DistributionStrategy other = DistributionStrategy.uniform();
        for (String id : ids.subList(0, 1000)) assertThat(other.choose(id, THREE)).isEqualTo(ring.choose(id, THREE));
    }

    @Test
    void randomPlacesAnywhereButFailsOverDeterministically() {
        DistributionStrategy random = DistributionStrategy.random();
        Map<String, Integer> placed = new HashMap<>();
        for (int i = 0; i < 3000; i++) placed.merge(random.placeNew("x", THREE), 1, Integer::sum);
        assertThat(placed.keySet()).containsExactlyInAnyOrderElementsOf(THREE);
        Map<String, Integer> spread = spread(random, THREE, ids(30_000));
        spread.values().forEach(n -> assertThat(n).isBetween(8_000, 12_000));
        for (String id : ids(1000)) assertThat(DistributionStrategy.random().choose(id, THREE)).isEqualTo(random.choose(id, THREE));
    }

    @Test
    void aStaticQuorumRefusesBelowItsSize() {
        DistributionStrategy q = DistributionStrategy.quorum(2);
        assertThat(q.choose("x", List.of("c@h"))).isNull();
        assertThat(q.placeNew("x", List.of("c@h"))).isNull();
        assertThat(q.choose("x", List.of("a@h", "b@h"))).isIn("a@h", "b@h");
        assertThatThrownBy(() -> DistributionStrategy.quorum(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DistributionStrategy.uniform(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aCustomStrategyIsOneMethod() {
        // by tag: ids "gpu:*" only on members whose name says gpu
        DistributionStrategy byTag = (id, members) -> {
            List<String> fit = id.startsWith("gpu:") ? members.stream().filter(m -> m.startsWith("gpu")).toList() : members;
            return fit.isEmpty() ? null : HashRing.rendezvous(id, fit);
        };
        List<String> members = List.of("cpu1@h", "gpu1@h", "gpu2@h");
        for (String id : ids(200)) assertThat(byTag.choose("gpu:" + id, members)).startsWith("gpu");
        assertThat(byTag.choose("gpu:x", List.of("cpu1@h"))).isNull();
        assertThat(byTag.placeNew("plain", members)).isEqualTo(byTag.choose("plain", members));
    }
}
