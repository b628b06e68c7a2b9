package dev.cohort.state.testing;

import dev.cohort.state.store.LocalPostgres;
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

    /** A table name no other test of this JVM uses. */
    public static String freshTable() {
        return "t" + ProcessHandle.current().pid() + "_" + TABLES.incrementAndGet();
    }
}
