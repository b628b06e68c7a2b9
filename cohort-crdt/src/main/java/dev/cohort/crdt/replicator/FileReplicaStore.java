package dev.cohort.crdt.replicator;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/** {@link ReplicaStore#file}: one file, replaced by a forced temporary file and a forced directory. */
final class FileReplicaStore implements ReplicaStore {
    private static final String TMP = ".tmp";
    private final Path path;

    FileReplicaStore(Path path) {
        this.path = path.toAbsolutePath();
    }

    @Override
    public Optional<byte[]> load() throws IOException {
        removeStaleTemporaries();
        return Files.exists(path) ? Optional.of(Files.readAllBytes(path)) : Optional.empty();
    }

    @Override
    public void save(byte[] state) throws IOException {
        Path dir = path.getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, path.getFileName().toString() + ".", TMP);
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer b = ByteBuffer.wrap(state);
                while (b.hasRemaining()) ch.write(b);
                ch.force(true); // the new bytes are on disk before any name points at them
            }
            forceDirectory(dir); // the temporary file's entry too
            try {
                Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING);
            }
            forceDirectory(dir); // the rename itself
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Temporary files of this store that a killed process left: never the state, always safe to remove. */
    private void removeStaleTemporaries() throws IOException {
        Path dir = path.getParent();
        if (!Files.isDirectory(dir)) return;
        String prefix = path.getFileName().toString() + ".";
        try (DirectoryStream<Path> stale = Files.newDirectoryStream(dir, p -> {
            String n = p.getFileName().toString();
            return n.startsWith(prefix) && n.endsWith(TMP) && Files.isRegularFile(p);
        })) {
            for (Path p : stale) Files.deleteIfExists(p);
        }
    }

    private static void forceDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // some file systems (and Windows) cannot open a directory: the rename is still atomic there
            if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("win")) throw e;
        }
    }

    @Override
    public String toString() { return "ReplicaStore.file(" + path + ")"; }
}
