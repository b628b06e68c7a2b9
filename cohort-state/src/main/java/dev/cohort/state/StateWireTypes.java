package dev.cohort.state;

import dev.cohort.wire.WireTypes;
import java.util.List;

/**
 * cohort-state's wire types (ids 1400..): {@link Fenced}, the reason a durable server stops when
 * a newer incarnation holds its key, so that a remote caller is told why. Found through
 * {@link java.util.ServiceLoader}.
 */
public final class StateWireTypes implements WireTypes {
    @Override public String module() { return "cohort-state"; }

    @Override public int firstId() { return 1400; }

    @Override public List<Class<?>> types() { return List.of(Fenced.class); }
}
