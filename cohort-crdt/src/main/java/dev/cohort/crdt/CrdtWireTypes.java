package dev.cohort.crdt;

import dev.cohort.time.Timestamp;

import dev.cohort.wire.WireTypes;
import java.util.List;

/** cohort-crdt's wire types (ids 1200..): dots and hybrid-clock readings, which applications put in their values. Found through {@link java.util.ServiceLoader}. */
public final class CrdtWireTypes implements WireTypes {
    @Override public String module() { return "cohort-crdt"; }

    @Override public int firstId() { return 1200; }

    @Override public List<Class<?>> types() { return List.of(Dot.class, Timestamp.class); }
}
