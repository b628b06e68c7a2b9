package dev.cohort.distributed.testing;

import dev.cohort.cluster.wire.Mutations;
import dev.cohort.crdt.DeltaCodec;
import java.util.List;
import java.util.Random;

/**
 * Fuzzing for this module's decoders: 100,000 inputs, one in four random bytes, the others
 * damaged copies of well-formed seeds. A decoder may refuse an input only with
 * {@code Malformed}; any other exception fails, naming the case.
 */
public final class CodecFuzz {
    private CodecFuzz() {}

    /** A decoder under test. */
    @FunctionalInterface
    public interface Decoder {
        Object decode(byte[] bytes) throws DeltaCodec.Malformed;
    }

    /** How many of the inputs {@code decoder} refused. */
    public static int refusals(long seed, List<byte[]> seeds, Decoder decoder) {
        Random r = new Random(seed);
        int refused = 0;
        for (int i = 0; i < 100_000; i++) {
            byte[] b;
            if (i % 4 == 0) {
                b = new byte[r.nextInt(40)];
                r.nextBytes(b);
            } else {
                b = Mutations.mutate(r, seeds.get(r.nextInt(seeds.size())));
            }
            try {
                decoder.decode(b);
            } catch (DeltaCodec.Malformed expected) {
                refused++;
            } catch (RuntimeException e) {
                throw new AssertionError("case " + i + ": " + e, e);
            }
        }
        return refused;
    }
}
