package dev.cohort.crdt.replicator;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where a {@link ReplicatedMap} keeps its replica's state between runs of its node: the replicator
 * saves the whole state (writes and causal context, in {@link dev.cohort.crdt.DeltaCodec}'s
 * encoding) at most once per sync interval while it changes, and when it stops; it loads it once
 * when it starts. Writes made after the last save are recovered from the other replicas, if any
 * survive; a cluster that loses every node at once loses only those.
 *
 * <p>Saving is O(size of the map): a store suits maps of up to some hundred thousand keys.
 */
public interface ReplicaStore {
    /** The last saved state, if any. */
    Optional<byte[]> load() throws IOException;

    /** Replaces the saved state. */
    void save(byte[] state) throws IOException;

    /**
     * A store in one file, replaced atomically and durably: the state is written to a temporary
     * file beside it, forced to disk, moved over it, and the directory forced, so that after a
     * crash or power cut the file holds the old state or the new one, whole. Temporary files a
     * killed process left behind are removed when the state is loaded.
     */
    static ReplicaStore file(Path path) {
        return new FileReplicaStore(path);
    }
}
