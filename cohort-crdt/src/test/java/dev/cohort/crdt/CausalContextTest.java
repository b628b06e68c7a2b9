package dev.cohort.crdt;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CausalContextTest {

    @Test
    void dotsFoldIntoTheVectorWhateverTheOrderTheyArriveIn() {
        Random r = new Random(1);
        for (int round = 0; round < 200; round++) {
            List<Dot> dots = new ArrayList<>();
            for (long i = 1; i <= 20; i++) dots.add(new Dot("a", i));
            for (long i = 1; i <= 5; i++) dots.add(new Dot("b", i));
            Collections.shuffle(dots, r);
            CausalContext c = CausalContext.EMPTY;
            for (Dot d : dots) c = c.with(d);
            assertThat(c.vector()).isEqualTo(Map.of("a", 20L, "b", 5L));
            assertThat(c.cloud()).isEmpty();
            assertThat(c).isEqualTo(CausalContext.of(dots));
        }
    }

    @Test
    void gapsStayInTheCloudAndNextIsPastEverything() {
        CausalContext c = CausalContext.of(List.of(new Dot("a", 1), new Dot("a", 3), new Dot("b", 2)));
        assertThat(c.vector()).isEqualTo(Map.of("a", 1L));
        assertThat(c.cloud()).containsExactlyInAnyOrder(new Dot("a", 3), new Dot("b", 2));
        assertThat(c.contains(new Dot("a", 2))).isFalse();
        assertThat(c.contains(new Dot("a", 3))).isTrue();
        assertThat(c.next("a")).isEqualTo(new Dot("a", 4));
        assertThat(c.next("c")).isEqualTo(new Dot("c", 1));
        assertThat(c.with(new Dot("a", 2)).vector()).containsEntry("a", 3L);
        assertThat(c.restrictTo(List.of(new Dot("a", 3), new Dot("a", 2), new Dot("c", 1)))).isEqualTo(CausalContext.of(List.of(new Dot("a", 3))));
        assertThat(c.forget("a").replicas()).containsExactly("b");
    }

    @Test
    void joinIsCommutativeAssociativeAndIdempotent() {
        Random r = new Random(2);
        for (int i = 0; i < 2_000; i++) {
            CausalContext a = random(r), b = random(r), c = random(r);
            assertThat(a.join(b)).isEqualTo(b.join(a));
            assertThat(a.join(b).join(c)).isEqualTo(a.join(b.join(c)));
            assertThat(a.join(a)).isEqualTo(a);
        }
    }

    static CausalContext random(Random r) {
        List<Dot> dots = new ArrayList<>();
        for (String rep : List.of("a", "b", "c")) for (long i = 1; i <= 8; i++) if (r.nextInt(3) > 0) dots.add(new Dot(rep, i));
        return CausalContext.of(dots);
    }
}
