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

    /**
     * Seen on a live node with Fory 0.16: a 12-byte payload declaring 40,000,000 list elements made
     * a 164 MB allocation before the first element was read. Every declared size is now checked
     * against the bytes left: the payload fails as a FrameException, having allocated little.
     */
    @Test
    void aHugeDeclaredCollectionSizeFailsBeforeAnythingIsAllocated() throws Exception {
        ForySerializer s = ForySerializer.builder().build();
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        for (Object honest : List.<Object>of(new java.util.ArrayList<>(List.of(7)), new java.util.HashSet<>(List.of(7)),
                new java.util.HashMap<>(Map.of(7, 7)), new java.util.LinkedHashMap<>(Map.of(7, 7)), new java.util.LinkedList<>(List.of(7)))) {
            byte[] one = s.serialize(honest);
            assertThat(s.deserialize(one)).isEqualTo(honest);
            int at = countAt(s, honest, one);
            for (int declared : new int[] {40_000_000, 0x3FFFFFFF, Integer.MAX_VALUE}) {
                byte[] hostile = withCount(one, at, declared);
                assertThat(hostile.length).isLessThan(24);
                long before = threads.getCurrentThreadAllocatedBytes();
                assertThatThrownBy(() -> s.deserialize(hostile)).as("%s declaring %d", honest.getClass(), declared)
                        .isInstanceOf(FrameException.class).hasMessageContaining("elements in the");
                assertThat(threads.getCurrentThreadAllocatedBytes() - before).as("bytes allocated").isLessThan(4_000_000);
            }
        }
    }

    /** Where {@code one} (a one-element collection) holds its count: the byte that reads 2 when a second element is added. */
    private static int countAt(ForySerializer s, Object honest, byte[] one) {
        Object bigger = honest instanceof Map<?, ?> m ? new java.util.HashMap<Object, Object>(m) : new java.util.ArrayList<Object>((java.util.Collection<?>) honest);
        if (bigger instanceof java.util.HashMap<?, ?>) ((java.util.HashMap<Object, Object>) bigger).put(8, 8);
        else ((java.util.List<Object>) bigger).add(8);
        if (honest instanceof java.util.HashSet<?>) bigger = new java.util.HashSet<Object>((java.util.Collection<?>) bigger);
        if (honest instanceof java.util.LinkedList<?>) bigger = new java.util.LinkedList<Object>((java.util.Collection<?>) bigger);
        if (honest instanceof java.util.LinkedHashMap<?, ?>) bigger = new java.util.LinkedHashMap<Object, Object>((Map<?, ?>) bigger);
        byte[] two = s.serialize(bigger);
        for (int i = 0; i < one.length; i++) if (one[i] == 1 && two[i] == 2) return i;
        throw new AssertionError("no count byte in " + java.util.Arrays.toString(one));
    }

    private static byte[] withCount(byte[] one, int at, int count) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(one, 0, at);
        long v = count & 0xFFFFFFFFL;
        while ((v & ~0x7FL) != 0) { out.write((int) ((v & 0x7F) | 0x80)); v >>>= 7; }
        out.write((int) v);
        out.write(one, at + 1, one.length - at - 1);
        return out.toByteArray();
    }
}
