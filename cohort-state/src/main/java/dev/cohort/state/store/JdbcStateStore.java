package dev.cohort.state.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link StateStore} in one SQL table, through a HikariCP pool: SQLite (the embedded default)
 * or PostgreSQL. Both speak the same statements: the epoch check and the write are one
 * {@code INSERT ... ON CONFLICT DO UPDATE ... WHERE epoch <= ?}; {@link #acquire} is one
 * {@code INSERT ... ON CONFLICT DO UPDATE SET epoch = epoch + 1 RETURNING ...}.
 *
 * <p>The table ({@code cohort_state} unless {@link Builder#table named}) is created on first use:
 * <pre>
 * state_key TEXT PRIMARY KEY, epoch BIGINT NOT NULL, version INTEGER NOT NULL,
 * state BYTEA (BLOB on SQLite), updated_at BIGINT NOT NULL  -- milliseconds since 1970
 * </pre>
 * Rows are never deleted ({@link #delete} clears the state and keeps the epoch), so an old
 * incarnation stays fenced forever.
 *
 * <p>Durability: PostgreSQL's commit (with the server's {@code fsync} and
 * {@code synchronous_commit} settings); SQLite in WAL mode with {@code synchronous=FULL} by
 * default (a returned write survives a process kill and a power loss; {@link Builder#sqliteSynchronous
 * NORMAL} survives a process kill only, and is faster). Several processes may share one SQLite file;
 * a busy file is waited for ({@code busy_timeout}) and then retried like a lost connection.
 */
public final class JdbcStateStore implements StateStore {
    private static final Logger log = LoggerFactory.getLogger(JdbcStateStore.class);
    private static final Pattern TABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");

    /** The SQL flavours this store speaks. */
    public enum Dialect { SQLITE, POSTGRESQL }

    private final Dialect dialect;
    private final String describe;
    private final HikariDataSource pool;
    private final Duration retryFor;
    private final String acquireSql, writeSql, deleteSql, readSql;

    private JdbcStateStore(Builder b) {
        this.dialect = b.dialect;
        this.describe = b.describe != null ? b.describe : b.url.replaceFirst("^jdbc:", "").replaceFirst("(?i)password=[^&]*", "password=***");
        this.retryFor = b.retryFor;
        String t = b.table;
        acquireSql = "INSERT INTO " + t + " (state_key, epoch, version, state, updated_at) VALUES (?, 1, 0, NULL, ?)"
                + " ON CONFLICT (state_key) DO UPDATE SET epoch = " + t + ".epoch + 1 RETURNING epoch, version, state";
        writeSql = "INSERT INTO " + t + " (state_key, epoch, version, state, updated_at) VALUES (?, ?, ?, ?, ?)"
                + " ON CONFLICT (state_key) DO UPDATE SET epoch = excluded.epoch, version = excluded.version,"
                + " state = excluded.state, updated_at = excluded.updated_at WHERE " + t + ".epoch <= excluded.epoch";
        deleteSql = "UPDATE " + t + " SET state = NULL, version = 0, updated_at = ? WHERE state_key = ? AND epoch <= ?";
        readSql = "SELECT epoch, version, state FROM " + t + " WHERE state_key = ?";

        HikariConfig config = new HikariConfig();
        config.setPoolName("cohort-state-" + t);
        config.setJdbcUrl(b.url);
        if (b.user != null) config.setUsername(b.user);
        if (b.password != null) config.setPassword(b.password);
        config.setMaximumPoolSize(b.poolSize);
        config.setMinimumIdle(1);
        config.setConnectionTimeout(Math.max(250, Math.min(5_000, retryFor.toMillis())));
        config.setInitializationFailTimeout(-1); // unreachable at start: the first call retries, then says so
        if (dialect == Dialect.POSTGRESQL) {
            // a server or link that stops answering must end as an error, never block a caller for
            // ever: connect, log-in and socket reads are bounded, and each statement is bounded on
            // the server too (the driver's socket timeout is the backstop if the server is gone)
            long statementMs = b.statementTimeout != null ? b.statementTimeout.toMillis() : Math.min(5_000, retryFor.toMillis());
            int connectS = (int) Math.max(1, (config.getConnectionTimeout() + 999) / 1000);
            config.addDataSourceProperty("connectTimeout", String.valueOf(connectS));
            config.addDataSourceProperty("loginTimeout", String.valueOf(connectS));
            config.addDataSourceProperty("socketTimeout", String.valueOf((statementMs + 999) / 1000 + 2));
            config.addDataSourceProperty("options", "-c statement_timeout=" + statementMs);
            config.addDataSourceProperty("tcpKeepAlive", "true");
            config.setValidationTimeout(Math.max(250, Math.min(config.getConnectionTimeout(), 5_000)));
        }
        if (dialect == Dialect.SQLITE) {
            config.addDataSourceProperty("journal_mode", "WAL");
            config.addDataSourceProperty("synchronous", b.sqliteSynchronous);
            config.addDataSourceProperty("busy_timeout", "5000");
        }
        this.pool = new HikariDataSource(config);
        try {
            retrying("create table " + t, c -> {
                try (var s = c.createStatement()) {
                    s.execute("CREATE TABLE IF NOT EXISTS " + t + " (state_key TEXT PRIMARY KEY, epoch BIGINT NOT NULL,"
                            + " version INTEGER NOT NULL, state " + (dialect == Dialect.SQLITE ? "BLOB" : "BYTEA")
                            + ", updated_at BIGINT NOT NULL)");
                } catch (SQLException e) {
                    // two processes creating it at once (PostgreSQL): the other one won, which is fine
                    if (!"23505".equals(e.getSQLState()) && !"42P07".equals(e.getSQLState())) throw e;
                }
                return null;
            });
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    /** A builder for {@code dialect} at a JDBC URL ({@code jdbc:sqlite:FILE}, {@code jdbc:postgresql://HOST:PORT/DB}). */
    public static Builder builder(Dialect dialect, String jdbcUrl) {
        return new Builder(dialect, jdbcUrl);
    }

    @Override
    public Acquired acquire(String key) {
        checkKey(key);
        return retrying("acquire " + key, c -> {
            try (PreparedStatement s = c.prepareStatement(acquireSql)) {
                s.setString(1, key);
                s.setLong(2, System.currentTimeMillis());
                try (ResultSet r = s.executeQuery()) {
                    if (!r.next()) throw new SQLException("acquire of " + key + " returned no row");
                    long epoch = r.getLong(1);
                    int version = r.getInt(2);
                    byte[] state = r.getBytes(3);
                    return new Acquired(epoch, state == null ? Optional.empty() : Optional.of(new StoredState(version, state)));
                }
            }
        });
    }

    @Override
    public void write(String key, long epoch, StoredState state) {
        checkKey(key);
        Objects.requireNonNull(state, "state");
        int changed = retrying("write " + key, c -> {
            try (PreparedStatement s = c.prepareStatement(writeSql)) {
                s.setString(1, key);
                s.setLong(2, epoch);
                s.setInt(3, state.version());
                s.setBytes(4, state.bytes());
                s.setLong(5, System.currentTimeMillis());
                return s.executeUpdate();
            }
        });
        if (changed == 0) throw fenced(key, epoch);
    }

    @Override
    public void delete(String key, long epoch) {
        checkKey(key);
        int changed = retrying("delete " + key, c -> {
            try (PreparedStatement s = c.prepareStatement(deleteSql)) {
                s.setLong(1, System.currentTimeMillis());
                s.setString(2, key);
                s.setLong(3, epoch);
                return s.executeUpdate();
            }
        });
        if (changed == 0 && read(key).isPresent()) throw fenced(key, epoch);
    }

    @Override
    public Optional<Row> read(String key) {
        checkKey(key);
        return retrying("read " + key, c -> {
            try (PreparedStatement s = c.prepareStatement(readSql)) {
                s.setString(1, key);
                try (ResultSet r = s.executeQuery()) {
                    if (!r.next()) return Optional.empty();
                    byte[] state = r.getBytes(3);
                    return Optional.of(new Row(r.getLong(1), state == null ? Optional.empty() : Optional.of(new StoredState(r.getInt(2), state))));
                }
            }
        });
    }

    private FencedException fenced(String key, long epoch) {
        return new FencedException(key, epoch, read(key).map(Row::epoch).orElse(-1L));
    }

    static void checkKey(String key) {
        Objects.requireNonNull(key, "key");
        if (key.isEmpty() || key.length() > 1024) throw new IllegalArgumentException("a state key has 1..1024 characters, got " + key.length());
        if (key.indexOf('\0') >= 0) throw new IllegalArgumentException("a state key may not contain the NUL character");
    }

    @Override
    public String describe() { return describe; }

    @Override
    public void close() { pool.close(); }

    @Override
    public String toString() { return "JdbcStateStore[" + describe + "]"; }

    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /**
     * Runs {@code work} on a pooled connection; transient failures (lost or refused connection,
     * busy file, serialization failure) are retried with backoff 10 ms .. 1 s until
     * {@code retryFor} has passed, then surface as {@link StoreUnavailableException}.
     */
    private <T> T retrying(String what, Work<T> work) {
        long deadline = System.nanoTime() + retryFor.toNanos();
        long backoffMs = 10;
        for (int attempt = 1; ; attempt++) {
            try (Connection c = pool.getConnection()) {
                return work.run(c);
            } catch (SQLException e) {
                if (!transient_(e)) throw new IllegalStateException(describe + ": " + what + " failed: " + e.getMessage(), e);
                if (System.nanoTime() + backoffMs * 1_000_000 > deadline) {
                    throw new StoreUnavailableException(describe + ": " + what + " failed for " + retryFor.toMillis()
                            + " ms (" + attempt + " attempts), last: " + e.getMessage(), e);
                }
                if (attempt == 1) log.warn("{}: {} failed, retrying: {}", describe, what, e.getMessage());
                try {
                    Thread.sleep(backoffMs);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new StoreUnavailableException(describe + ": " + what + " interrupted while retrying", e);
                }
                backoffMs = Math.min(1_000, backoffMs * 2);
            }
        }
    }

    static boolean transient_(SQLException e) {
        // the pool's "no connection in time" carries why the last connection attempt failed: judge that
        if (e instanceof java.sql.SQLTransientConnectionException && e.getCause() instanceof SQLException cause) return transient_(cause);
        if (e instanceof SQLTransientException || e instanceof SQLRecoverableException) return true;
        String state = e.getSQLState();
        if (state != null && (state.startsWith("08") || state.startsWith("57P") || state.equals("57014") || state.equals("40001") || state.equals("40P01"))) return true;
        String m = String.valueOf(e.getMessage());
        return m.contains("SQLITE_BUSY") || m.contains("SQLITE_LOCKED") || m.contains("I/O error occurred while sending")
                || (e.getCause() instanceof java.io.IOException);
    }

    /** Options of a {@link JdbcStateStore}. */
    public static final class Builder {
        private final Dialect dialect;
        private final String url;
        private String user, password, describe;
        private String table = "cohort_state";
        private int poolSize;
        private Duration retryFor = Duration.ofSeconds(10);
        private Duration statementTimeout;
        private String sqliteSynchronous = "FULL";

        private Builder(Dialect dialect, String url) {
            this.dialect = Objects.requireNonNull(dialect, "dialect");
            this.url = Objects.requireNonNull(url, "jdbcUrl");
            this.poolSize = dialect == Dialect.SQLITE ? 1 : 8;
        }

        public Builder credentials(String user, String password) {
            this.user = user;
            this.password = password;
            return this;
        }

        /** The table name (letters, digits, underscores); default {@code cohort_state}. */
        public Builder table(String name) {
            if (!TABLE.matcher(name).matches()) throw new IllegalArgumentException("a table name is letters, digits and underscores, got " + name);
            this.table = name;
            return this;
        }

        /**
         * Connections in the pool; default 8 for PostgreSQL and 1 for SQLite (writes to one file take
         * turns anyway; one connection makes this process's writers queue in order instead of
         * polling the file lock).
         */
        public Builder poolSize(int size) {
            if (size < 1) throw new IllegalArgumentException("pool size must be >= 1, got " + size);
            this.poolSize = size;
            return this;
        }

        /** How long transient failures are retried before {@link StoreUnavailableException}; default 10 s. */
        public Builder retryFor(Duration d) {
            if (d.isNegative() || d.isZero()) throw new IllegalArgumentException("retryFor must be positive, got " + d);
            this.retryFor = d;
            return this;
        }

        /**
         * PostgreSQL: how long one statement may run (the server's {@code statement_timeout});
         * reads of a connection that stops answering fail 2 s after it. Default: {@code retryFor},
         * at most 5 s. A timed-out statement counts as a transient failure and is retried within
         * {@code retryFor}, so a blackholed connection ends as {@link StoreUnavailableException}
         * after about {@code retryFor} plus this plus 2 s.
         */
        public Builder statementTimeout(Duration d) {
            if (d.isNegative() || d.isZero()) throw new IllegalArgumentException("statementTimeout must be positive, got " + d);
            this.statementTimeout = d;
            return this;
        }

        /** SQLite's {@code synchronous} pragma: {@code FULL} (default) or {@code NORMAL}. */
        public Builder sqliteSynchronous(String mode) {
            if (!mode.equals("FULL") && !mode.equals("NORMAL")) throw new IllegalArgumentException("synchronous is FULL or NORMAL, got " + mode);
            this.sqliteSynchronous = mode;
            return this;
        }

        /** How the store names itself in messages (default: the URL without a password). */
        public Builder describedAs(String text) {
            this.describe = text;
            return this;
        }

        /** Opens the pool and creates the table if missing. @throws StoreUnavailableException if unreachable for {@code retryFor} */
        public JdbcStateStore build() {
            return new JdbcStateStore(this);
        }
    }
}
