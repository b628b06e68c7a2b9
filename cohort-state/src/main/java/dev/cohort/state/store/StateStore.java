package dev.cohort.state.store;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Where durable servers keep their state: one row per key holding the latest state bytes, the
 * schema version they were written at, and the key's <em>epoch</em>.
 *
 * <p>Guarantees every implementation gives:
 * <ul>
 *   <li>{@link #acquire} raises the key's epoch by one and returns it together with the state
 *       stored at that moment, atomically: no write of an earlier epoch can land after it.</li>
 *   <li>{@link #write} lands only if the writer's epoch is at least the stored one; otherwise
 *       it throws {@link FencedException} and changes nothing. The check and the write are one
 *       atomic step (one SQL statement for the JDBC stores).</li>
 *   <li>A write that returned normally is durable as the store defines it (see each store).</li>
 *   <li>Transient failures (a lost connection, a busy database file) are retried with backoff;
 *       when they last longer than the store's retry budget the call throws
 *       {@link StoreUnavailableException}, never hangs.</li>
 * </ul>
 * Not guaranteed: ordering between different keys, or any use of the bytes (they are opaque).
 */
public interface StateStore extends AutoCloseable {

    /** Raises {@code key}'s epoch (a missing key starts at 1) and returns it with the stored state, if any. */
    Acquired acquire(String key);

    /**
     * Stores {@code state} for {@code key} as written by the incarnation holding {@code epoch}.
     *
     * @throws FencedException if a newer incarnation acquired the key since
     */
    void write(String key, long epoch, StoredState state);

    /** Clears {@code key}'s state (its epoch stays, so older incarnations remain fenced). */
    void delete(String key, long epoch);

    /** The stored row of {@code key} without acquiring it (diagnostics, dashboards, tests). */
    Optional<Row> read(String key);

    /** A short description for messages and logs, such as {@code sqlite:/var/lib/app/state.db}. */
    String describe();

    @Override
    void close();

    /** The embedded default: one SQLite file, safe for several processes on one machine. */
    static StateStore sqlite(Path file) {
        return JdbcStateStore.builder(JdbcStateStore.Dialect.SQLITE, "jdbc:sqlite:" + file.toAbsolutePath()).build();
    }

    /** PostgreSQL through a HikariCP pool; the table is created on first use. */
    static StateStore postgres(String jdbcUrl, String user, String password) {
        return JdbcStateStore.builder(JdbcStateStore.Dialect.POSTGRESQL, jdbcUrl).credentials(user, password).build();
    }

    /** A store in this JVM's memory, for unit tests only: nothing survives the process. */
    static StateStore inMemory() {
        return new MemoryStateStore();
    }

    /**
     * Opens a store from a URI, as the command line takes it: {@code sqlite:PATH},
     * {@code postgres://USER:PASSWORD@HOST:PORT/DATABASE}, or {@code memory:}.
     *
     * @throws IllegalArgumentException naming the accepted forms for anything else
     */
    static StateStore open(String uri) {
        return StoreUri.open(uri);
    }

    /** What {@link #acquire} returns: the new epoch and the state stored before it, if any. */
    record Acquired(long epoch, Optional<StoredState> state) {}

    /** A key's row as {@link #read} sees it; {@code state} is empty for a key never written or deleted. */
    record Row(long epoch, Optional<StoredState> state) {}
}
