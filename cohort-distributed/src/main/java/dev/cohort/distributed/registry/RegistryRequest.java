package dev.cohort.distributed.registry;

/**
 * What one node's registry server asks another's: the wire form of remote lookups and
 * unregistrations (registered as wire types of cohort-distributed). The key travels in the
 * registry's own encoding, so keys need no entry in the serializer's allow-list; the receiver
 * decodes it with the registry's codec and refuses a damaged one with an error reply.
 * Not for applications: use {@link DistributedRegistry}.
 */
public sealed interface RegistryRequest {
    /** The encoded key. */
    byte[] key();

    /** Which pid holds the key, as the asked node sees it (replies the pid or null). */
    record Whereis(byte[] key) implements RegistryRequest {}

    /** Unregisters a key held by a process of the asked node (replies true if it was registered). */
    record Unregister(byte[] key) implements RegistryRequest {}
}
