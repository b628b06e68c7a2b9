package dev.cohort.state.store;

import java.util.Arrays;
import java.util.Objects;

/**
 * State bytes and the schema version of the code that wrote them.
 *
 * @param version the writer's schema version (see {@code Persistence.Builder#version})
 * @param bytes the serialized state (the array is not copied: do not change it)
 */
public record StoredState(int version, byte[] bytes) {
    public StoredState {
        Objects.requireNonNull(bytes, "bytes");
        if (version < 0) throw new IllegalArgumentException("version must be >= 0, got " + version);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StoredState s && s.version == version && Arrays.equals(s.bytes, bytes);
    }

    @Override
    public int hashCode() { return 31 * version + Arrays.hashCode(bytes); }

    @Override
    public String toString() { return "StoredState[version=" + version + ", " + bytes.length + " bytes]"; }
}
