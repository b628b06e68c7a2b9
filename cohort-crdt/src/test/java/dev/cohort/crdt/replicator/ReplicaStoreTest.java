package dev.cohort.crdt.replicator;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplicaStoreTest {

    /** A process killed between writing its temporary file and the rename leaves the file; the next start removes it and keeps the state. */
    @Test
    void temporaryFilesOfAKilledSaveAreRemovedAtLoadAndTheStateIsKept(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sessions.crdt");
        ReplicaStore store = ReplicaStore.file(file);
        assertThat(store.load()).isEmpty();
        store.save(new byte[] {1, 2, 3});
        store.save(new byte[] {4, 5});
        Path stale = dir.resolve("sessions.crdt.8812345.tmp");
        Files.write(stale, new byte[] {9, 9, 9, 9});
        Path other = dir.resolve("other.crdt.1.tmp"); // another store's: not ours to remove
        Files.write(other, new byte[] {7});

        assertThat(ReplicaStore.file(file).load()).hasValueSatisfying(b -> assertThat(b).containsExactly(4, 5));
        assertThat(stale).doesNotExist();
        assertThat(other).exists();
        try (Stream<Path> left = Files.list(dir)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("sessions.crdt", "other.crdt.1.tmp");
        }
    }
}
