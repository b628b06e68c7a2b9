package dev.cohort.state.store;

import dev.cohort.testkit.LocalPostgres;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cohort.state.testing.SharedPostgres;
import java.sql.DriverManager;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The contract against a real PostgreSQL server (run from Maven-shipped binaries), plus connection loss. */
class PostgresStateStoreTest extends StateStoreContract {
    @Override
    protected StateStore open() {
        return SharedPostgres.store(SharedPostgres.get(), SharedPostgres.freshTable()).build();
    }

    @Test
    void openedByUriWithTheTableCreatedOnFirstUse() {
        try (StateStore s = StateStore.open(SharedPostgres.get().uri())) {
            long e = s.acquire("uri").epoch();
            s.write("uri", e, text("ok"));
            assertThat(text(s.read("uri").get().state())).isEqualTo("ok");
            assertThat(s.describe()).startsWith("postgres://127.0.0.1:").doesNotContain("password");
        }
    }

    /** The server closes every connection of the pool: the next calls reconnect and succeed. */
    @Test
    void lostConnectionsAreRetried() throws Exception {
        long e = store.acquire("k").epoch();
        store.write("k", e, text("before"));
        try (var admin = DriverManager.getConnection(SharedPostgres.get().jdbcUrl(), "postgres", "");
             var s = admin.createStatement()) {
            s.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND datname = 'postgres'"
                    + " AND backend_type = 'client backend'");
        }
        store.write("k", e, text("after"));
        assertThat(text(store.read("k").get().state())).isEqualTo("after");
    }

    /** A server that stays down: the call fails within the retry budget with a message naming the store. */
    @Test
    void aServerThatStaysDownIsAClearErrorNotAHang() throws Exception {
        LocalPostgres own = LocalPostgres.start();
        StateStore s = SharedPostgres.store(own, "gone").retryFor(Duration.ofSeconds(2)).build();
        try {
            long e = s.acquire("k").epoch();
            own.close();
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> s.write("k", e, text("lost")))
                    .isInstanceOf(StoreUnavailableException.class)
                    .hasMessageContaining("127.0.0.1:" + own.port()).hasMessageContaining("write k").hasMessageContaining("2000 ms");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(30));
        } finally {
            s.close();
            own.close();
        }
    }

    /**
     * The link to the server stops forwarding (a blackholed connection: no reset, no answer). With
     * no socket or statement timeout a durable server would block for ever; here the call ends as
     * {@link StoreUnavailableException} within {@code retryFor} plus a few seconds.
     */
    @Test
    void aBlackholedConnectionEndsAsStoreUnavailableNotAHang() throws Exception {
        try (BlackholeProxy proxy = new BlackholeProxy(SharedPostgres.get().port())) {
            StateStore s = JdbcStateStore.builder(JdbcStateStore.Dialect.POSTGRESQL, "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/postgres")
                    .credentials("postgres", "").table(SharedPostgres.freshTable()).retryFor(Duration.ofSeconds(2))
                    .statementTimeout(Duration.ofSeconds(1)).build();
            try {
                long e = s.acquire("k").epoch();
                s.write("k", e, text("before"));
                proxy.blackhole();
                long t0 = System.nanoTime();
                assertThatThrownBy(() -> s.write("k", e, text("lost")))
                        .isInstanceOf(StoreUnavailableException.class).hasMessageContaining("write k");
                // retryFor 2 s + statement 1 s + socket margin 2 s, with slack for a loaded machine: a bound on a hang, not a timing
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(20));
            } finally {
                s.close();
            }
        }
    }
}
