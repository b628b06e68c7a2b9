package dev.cohort.crdt.replicator;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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

    /** A store in one file, replaced atomically (written beside it, then moved over it). */
    static ReplicaStore file(Path path) {
        return new ReplicaStore() {
            @Override
            public Optional<byte[]> load() throws IOException {
                return Files.exists(path) ? Optional.of(Files.readAllBytes(path)) : Optional.empty();
            }

            @Override
            public void save(byte[] state) throws IOException {
                Path dir = path.toAbsolutePath().getParent();
                Files.createDirectories(dir);
                Path tmp = Files.createTempFile(dir, path.getFileName().toString(), ".tmp");
                try {
                    Files.write(tmp, state);
                    try {
                        Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    } catch (AtomicMoveNotSupportedException e) {
                        Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING);
                    }
                } finally {
                    Files.deleteIfExists(tmp);
                }
            }

            @Override
            public String toString() { return "ReplicaStore.file(" + path + ")"; }
        };
    }
}
