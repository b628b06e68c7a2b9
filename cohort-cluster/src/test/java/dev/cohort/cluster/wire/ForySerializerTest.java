package dev.cohort.cluster.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ForySerializerTest {
    record Hero(String name, int health) {}

    /** Counts instantiations: a class outside the allow-list must never be built. */
    static final AtomicInteger villainsBuilt = new AtomicInteger();

    record Villain(String name) {
        Villain {
            villainsBuilt.incrementAndGet();
        }
    }

    @Test
    void allowedClassesAndBasicTypesRoundTrip() throws Exception {
        ForySerializer s = ForySerializer.builder().allow(Hero.class).build();
        assertThat(s.deserialize(s.serialize(new Hero("batman", 100)))).isEqualTo(new Hero("batman", 100));
        assertThat(s.deserialize(s.serialize("text"))).isEqualTo("text");
        assertThat(s.deserialize(s.serialize(42L))).isEqualTo(42L);
        assertThat(s.deserialize(s.serialize(List.of(1, 2, 3)))).isEqualTo(List.of(1, 2, 3));
        assertThat(s.deserialize(s.serialize(Map.of("k", "v")))).isEqualTo(Map.of("k", "v"));
        dev.cohort.process.Pid pid = new dev.cohort.process.Pid("gotham@127.0.0.1", 3, 42);
        assertThat(s.deserialize(s.serialize(pid))).as("pids keep their identity").isEqualTo(pid);
        assertThat(s.deserialize(s.serialize(List.of(pid, new dev.cohort.process.Ref("gotham@127.0.0.1", 3, 7)))))
                .isEqualTo(List.of(pid, new dev.cohort.process.Ref("gotham@127.0.0.1", 3, 7)));
    }

    @Test
    void classOutsideTheAllowListIsNeverSentNorInstantiated() {
        ForySerializer receiver = ForySerializer.builder().allow(Hero.class).build();
        assertThatThrownBy(() -> receiver.serialize(new Villain("joker")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Villain").hasMessageContaining("allow");
        ForySerializer sender = ForySerializer.builder().allow(Hero.class, Villain.class).build();
        byte[] bytes = sender.serialize(new Villain("joker"));
        int built = villainsBuilt.get();
        assertThatThrownBy(() -> receiver.deserialize(bytes)).isInstanceOf(FrameException.class);
        assertThat(villainsBuilt.get()).as("no Villain was built on the receiving side").isEqualTo(built);
    }

    @Test
    void randomAndMutatedPayloadsFailOnlyWithFrameException() throws Exception {
        ForySerializer s = ForySerializer.builder().allow(Hero.class).build();
        Random r = new Random(7);
        byte[][] seeds = {s.serialize(new Hero("batman", 100)), s.serialize(List.of("a", 1L)), s.serialize("visit")};
        for (int i = 0; i < 20_000; i++) {
            byte[] input = Mutations.mutate(r, seeds[r.nextInt(seeds.length)]);
            try {
                s.deserialize(input);
            } catch (FrameException expected) {
                // refused: fine
            }
        }
    }

    /** A payload that fails half-way must not leave the pooled Fory instance unable to read the next good one. */
    @Test
    void aBadPayloadNeverSpoilsTheNextGoodOne() throws Exception {
        ForySerializer s = ForySerializer.builder().allow(Hero.class).build();
        Random r = new Random(11);
        byte[][] seeds = {s.serialize(new Hero("batman", 100)), s.serialize(List.of("a", 1L, List.of(2, 3))), s.serialize("visit"), s.serialize(42L)};
        for (int i = 0; i < 10_000; i++) {
            byte[] input = r.nextInt(4) == 0 ? randomBytes(r) : Mutations.mutate(r, seeds[r.nextInt(seeds.length)]);
            try {
                s.deserialize(input);
            } catch (FrameException expected) {
                // refused: fine
            }
            long n = r.nextLong();
            assertThat(s.deserialize(s.serialize(n))).as("good payload after bad case %d", i).isEqualTo(n);
        }
    }

    private static byte[] randomBytes(Random r) {
        byte[] b = new byte[1 + r.nextInt(60)];
        r.nextBytes(b);
        return b;
    }
}
