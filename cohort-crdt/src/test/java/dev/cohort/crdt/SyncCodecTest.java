package dev.cohort.crdt;

import dev.cohort.time.HybridLogicalClock;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Sync steps survive the round trip; damaged steps only ever fail with {@code Malformed}, and a
 * damaged step that still decodes is handled by a replica without an exception (100,000 cases).
 */
class SyncCodecTest {
    private static final long SEED = 4711L;
    private final SyncCodec<String, Integer> codec = new SyncCodec<>(new DeltaCodec<>(DeltaCodecTest.VALUES, String.class, Integer.class));

    /** Every step of syncs between two replicas that differ in many ways. */
    private List<SyncStep> realSteps(Random r) {
        List<SyncStep> out = new ArrayList<>();
        HybridLogicalClock ca = new HybridLogicalClock("gotham@127.0.0.1/1", () -> 10), cb = new HybridLogicalClock("métropolis/2", () -> 10);
        for (int round = 0; round < 40; round++) {
            AWLWWMapReplica<String, Integer> a = new AWLWWMapReplica<>(), b = new AWLWWMapReplica<>();
            AntiEntropy<String, Integer> ea = new AntiEntropy<>(a, 1 + r.nextInt(8), 1 + r.nextInt(20), MerkleTree::hashOf, r);
            AntiEntropy<String, Integer> eb = new AntiEntropy<>(b, depthOf(ea), 1 + r.nextInt(20), MerkleTree::hashOf, r);
            for (int i = 0; i < 60; i++) {
                AWLWWMapReplica<String, Integer> s = r.nextBoolean() ? a : b;
                String key = "key-" + r.nextInt(40);
                var d = r.nextInt(4) == 0 ? s.remove(key) : s.put(key, r.nextInt(), (s == a ? ca : cb).now());
                if (r.nextInt(3) == 0) (s == a ? b : a).join(d, null);
            }
            SyncStep step = ea.start(round);
            AntiEntropy<String, Integer> to = eb;
            for (int n = 0; step != null && n < 50; n++) {
                out.add(step);
                step = to.handle(step).reply();
                to = to == ea ? eb : ea;
            }
        }
        return out;
    }

    private static int depthOf(AntiEntropy<String, Integer> e) {
        return ((SyncStep.Hashes) e.start(0)).depth();
    }

    @Test
    void stepsSurviveTheRoundTrip() throws Exception {
        List<SyncStep> steps = realSteps(new Random(SEED));
        assertThat(steps).hasAtLeastOneElementOfType(SyncStep.Digests.class).hasAtLeastOneElementOfType(SyncStep.Answer.class);
        for (SyncStep s : steps) assertThat(same(codec.decode(codec.encode(s)), s)).as("%s", s).isTrue();
    }

    /** Field-wise equality (records compare arrays by reference). */
    private static boolean same(SyncStep a, SyncStep b) {
        if (a.getClass() != b.getClass() || a.sync() != b.sync() || a.fromOwner() != b.fromOwner()) return false;
        return switch (a) {
            case SyncStep.Hashes h -> {
                SyncStep.Hashes o = (SyncStep.Hashes) b;
                yield h.depth() == o.depth() && h.level() == o.level() && java.util.Arrays.equals(h.nodes(), o.nodes())
                        && java.util.Arrays.equals(h.hashes(), o.hashes());
            }
            case SyncStep.Digests d -> {
                SyncStep.Digests o = (SyncStep.Digests) b;
                yield java.util.Arrays.equals(d.leaves(), o.leaves()) && java.util.Arrays.equals(d.counts(), o.counts())
                        && java.util.Arrays.equals(d.keyHashes(), o.keyHashes()) && java.util.Arrays.equals(d.digests(), o.digests());
            }
            case SyncStep.Slice<?, ?> s -> java.util.Arrays.equals(s.wants(), ((SyncStep.Slice<?, ?>) b).wants())
                    && s.delta().equals(((SyncStep.Slice<?, ?>) b).delta());
            case SyncStep.Answer<?, ?> x -> x.delta().equals(((SyncStep.Answer<?, ?>) b).delta());
            case SyncStep.Removed<?, ?> x -> x.delta().equals(((SyncStep.Removed<?, ?>) b).delta());
            case SyncStep.Done d -> true;
        };
    }

    @Test
    void damagedStepsFailOnlyWithMalformedAndDecodedOnesAreHandledSafely() {
        Random r = new Random(SEED + 1);
        List<byte[]> seeds = new ArrayList<>();
        for (SyncStep s : realSteps(r)) seeds.add(codec.encode(s));
        AWLWWMapReplica<String, Integer> victim = new AWLWWMapReplica<>();
        HybridLogicalClock clock = new HybridLogicalClock("victim", () -> 10);
        for (int i = 0; i < 300; i++) victim.put("key-" + i % 50, i, clock.now());
        AntiEntropy<String, Integer> handler = new AntiEntropy<>(victim, 4, 10, MerkleTree::hashOf, new Random(SEED));
        int refused = 0, handled = 0;
        for (int i = 0; i < 100_000; i++) {
            byte[] in;
            if (i % 5 == 0) {
                in = new byte[r.nextInt(60)];
                r.nextBytes(in);
                if (in.length > 1) { in[0] = (byte) (1 + r.nextInt(6)); in[1] = (byte) r.nextInt(2); }
            } else {
                in = dev.cohort.cluster.wire.Mutations.mutate(r, seeds.get(r.nextInt(seeds.size())));
            }
            SyncStep step;
            try {
                step = codec.decode(in);
            } catch (DeltaCodec.Malformed expected) {
                refused++;
                continue;
            } catch (RuntimeException e) {
                throw new AssertionError("seed " + SEED + " case " + i + ": " + e, e);
            }
            try {
                handler.handle(step);
                handled++;
            } catch (RuntimeException e) {
                throw new AssertionError("seed " + SEED + " case " + i + ": handling " + step + " threw " + e, e);
            }
        }
        assertThat(refused).isGreaterThan(20_000);
        assertThat(handled).isGreaterThan(1_000);
    }
}
