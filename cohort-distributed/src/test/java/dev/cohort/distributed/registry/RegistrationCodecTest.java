package dev.cohort.distributed.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.cluster.wire.ForySerializer;
import dev.cohort.crdt.DeltaCodec;
import dev.cohort.process.Pid;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Registrations and keys survive the round trip; damaged bytes only ever fail with {@code Malformed} (100,000 cases). */
class RegistrationCodecTest {
    private final RegistrationCodec codec = new RegistrationCodec(ForySerializer.builder().build());

    @Test
    void roundTripAndDamagedInput() throws Exception {
        List<Object> items = List.of(new Registration(new Pid("gotham@127.0.0.1", 42, 7), "cave"),
                new Registration(new Pid("métropolis@127.0.0.1", -1, 0), null), "batman", 17, List.of("a", "b"));
        List<byte[]> seeds = new ArrayList<>();
        for (Object o : items) {
            byte[] b = codec.encode(o);
            seeds.add(b);
            assertThat(codec.decode(b)).isEqualTo(o);
        }
        Random r = new Random(11);
        int refused = 0;
        for (int i = 0; i < 100_000; i++) {
            byte[] b;
            if (i % 4 == 0) {
                b = new byte[r.nextInt(40)];
                r.nextBytes(b);
            } else {
                b = dev.cohort.cluster.wire.Mutations.mutate(r, seeds.get(r.nextInt(seeds.size())));
            }
            try {
                codec.decode(b);
            } catch (DeltaCodec.Malformed expected) {
                refused++;
            } catch (RuntimeException e) {
                throw new AssertionError("case " + i + ": " + e, e);
            }
        }
        assertThat(refused).isGreaterThan(20_000);
    }
}
