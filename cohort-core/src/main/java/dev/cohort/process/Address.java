package dev.cohort.process;

/**
 * Where a message or a call can go: a {@link Pid}, a name registered on the local node
 * ({@link #name(String)}), a name registered on a given node ({@link #remote(String, String)},
 * Erlang's {@code {Name, Node}}), or a key resolved by a registry
 * ({@link #via(NameResolver, Object)}).
 *
 * <p>An address is resolved when it is used: a name that is not registered at that moment
 * resolves to nothing, so a send to it is dropped and a call to it fails with reason
 * {@code noproc}. Resolution never blocks.
 */
public sealed interface Address permits Pid, Address.Name, Address.Remote, Address.Via {

    /** A name registered on the local node with {@link Node#register(String, Pid)}. */
    static Address name(String name) {
        return new Name(name);
    }

    /**
     * A name registered on node {@code node} (Erlang's {@code {Name, Node}}). The name is
     * resolved on that node when the message arrives, so no lookup round trip comes first;
     * a call to a name that is not registered there fails with {@code noproc}.
     */
    static Address remote(String name, String node) {
        return new Remote(name, node);
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

    /** A name registered on another (or this) node. */
    record Remote(String name, String node) implements Address {
        public Remote {
            if (name == null || name.isBlank()) throw new IllegalArgumentException("name must not be blank");
            if (node == null || node.indexOf('@') < 1) throw new IllegalArgumentException("node must look like NAME@HOST, got: " + node);
        }

        @Override
        public String toString() { return "{" + name + ", " + node + "}"; }
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
