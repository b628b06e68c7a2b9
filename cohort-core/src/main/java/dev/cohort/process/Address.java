package dev.cohort.process;

/**
 * Where a message or a call can go: a {@link Pid}, a name registered on the local node
 * ({@link #name(String)}), or a key resolved by a registry ({@link #via(NameResolver, Object)}).
 *
 * <p>An address is resolved when it is used: a name that is not registered at that moment
 * resolves to nothing, so a send to it is dropped and a call to it fails with reason
 * {@code noproc}. Resolution never blocks.
 */
public sealed interface Address permits Pid, Address.Name, Address.Via {

    /** A name registered on the local node with {@link Node#register(String, Pid)}. */
    static Address name(String name) {
        return new Name(name);
    }

    /** A key resolved by a registry, as Elixir's {@code {:via, Registry, key}}. */
    static Address via(NameResolver resolver, Object key) {
        return new Via(resolver, key);
    }

    /** A locally registered name. */
    record Name(String name) implements Address {
        public Name {
            if (name == null || name.isBlank()) throw new IllegalArgumentException("name must not be blank");
        }

        @Override
        public String toString() { return name; }
    }

    /** A key resolved by a {@link NameResolver}, for example a {@code dev.cohort.registry.Registry}. */
    record Via(NameResolver resolver, Object key) implements Address {
        public Via {
            if (resolver == null || key == null) throw new IllegalArgumentException("resolver and key are required");
        }

        @Override
        public String toString() { return "via(" + resolver + ", " + key + ")"; }
    }
}
