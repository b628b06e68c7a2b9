package dev.cohort.state.store;

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
        return SharedPostgres.get().store(SharedPostgres.freshTable()).build();
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
        StateStore s = own.store("gone").retryFor(Duration.ofSeconds(2)).build();
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
}
