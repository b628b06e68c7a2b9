package dev.cohort.examples.superheroes;

import dev.cohort.time.Timestamp;

import dev.cohort.cluster.wire.ForySerializer;

/** The serializer every node of the example uses: the same allow-list, in the same order, everywhere. */
public final class Wire {
    private Wire() {}

    public static ForySerializer serializer() {
        return ForySerializer.builder().allow(Timestamp.class, Hero.class, Replica.class,
                CityProtocol.Get.class, CityProtocol.Update.class, CityProtocol.Assign.class, CityProtocol.AssignResult.class,
                CityProtocol.Bomb.class, CityProtocol.GetStatus.class, CityProtocol.CityStatus.class)
                .build();
    }
}
