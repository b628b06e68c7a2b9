package dev.cohort.state.testing;

import dev.cohort.testkit.LocalPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.atomic.AtomicInteger;

/** One real PostgreSQL server per test JVM (started on first use, stopped at exit); each test takes its own table. */
public final class SharedPostgres {
    private static LocalPostgres server;
    private static final AtomicInteger TABLES = new AtomicInteger();

    private SharedPostgres() {}

    public static synchronized LocalPostgres get() {
        if (server == null) {
            try {
                server = LocalPostgres.start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return server;
    }

    /** A store on {@code pg} (user {@code postgres}, no password), in {@code table}. */
    public static dev.cohort.state.store.JdbcStateStore.Builder store(LocalPostgres pg, String table) {
        return dev.cohort.state.store.JdbcStateStore.builder(dev.cohort.state.store.JdbcStateStore.Dialect.POSTGRESQL, pg.jdbcUrl())
                .credentials("postgres", "").table(table);
    }

    /** A table name no other test of this JVM uses. */
    public static String freshTable() {
        return "t" + ProcessHandle.current().pid() + "_" + TABLES.incrementAndGet();
    }
}
