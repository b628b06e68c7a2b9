package dev.cohort.distributed.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.cluster.wire.ForySerializer;
import dev.cohort.distributed.testing.CodecFuzz;
import dev.cohort.process.Pid;
import java.util.ArrayList;
import java.util.List;
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
        int refused = CodecFuzz.refusals(11, seeds, codec::decode);
        assertThat(refused).isGreaterThan(20_000);
    }
}
