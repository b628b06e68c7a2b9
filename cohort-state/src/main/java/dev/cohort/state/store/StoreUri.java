package dev.cohort.state.store;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Parses the store URIs of {@link StateStore#open}. */
final class StoreUri {
    private static final String FORMS = "sqlite:PATH, postgres://USER:PASSWORD@HOST:PORT/DATABASE or memory:"
            + " (sqlite and postgres take ?table=NAME)";

    private StoreUri() {}

    static StateStore open(String uri) {
        if (uri == null || uri.isBlank()) throw new IllegalArgumentException("no store given; use " + FORMS);
        if (uri.equals("memory:")) return StateStore.inMemory();
        String table = null;
        int q = uri.indexOf("?table=");
        if (q >= 0) {
            table = uri.substring(q + "?table=".length());
            uri = uri.substring(0, q);
        }
        if (uri.startsWith("sqlite:")) {
            String path = uri.substring("sqlite:".length());
            if (path.isBlank()) throw new IllegalArgumentException("sqlite: needs a file path, as in sqlite:state.db; use " + FORMS);
            JdbcStateStore.Builder b = JdbcStateStore.builder(JdbcStateStore.Dialect.SQLITE, "jdbc:sqlite:" + Path.of(path).toAbsolutePath());
            return (table != null ? b.table(table) : b).build();
        }
        if (uri.startsWith("postgres://") || uri.startsWith("postgresql://")) {
            URI u;
            try {
                u = URI.create(uri);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("not a PostgreSQL URI: " + e.getMessage() + "; use " + FORMS);
            }
            if (u.getHost() == null || u.getPath() == null || u.getPath().length() < 2) {
                throw new IllegalArgumentException("a PostgreSQL URI needs a host and a database; use " + FORMS);
            }
            String user = null, password = null;
            if (u.getRawUserInfo() != null) {
                String[] up = u.getRawUserInfo().split(":", 2);
                user = URLDecoder.decode(up[0], StandardCharsets.UTF_8);
                if (up.length == 2) password = URLDecoder.decode(up[1], StandardCharsets.UTF_8);
            }
            String jdbc = "jdbc:postgresql://" + u.getHost() + (u.getPort() > 0 ? ":" + u.getPort() : "") + u.getPath()
                    + (u.getRawQuery() != null ? "?" + u.getRawQuery() : "");
            JdbcStateStore.Builder b = JdbcStateStore.builder(JdbcStateStore.Dialect.POSTGRESQL, jdbc).credentials(user, password)
                    .describedAs("postgres://" + u.getHost() + (u.getPort() > 0 ? ":" + u.getPort() : "") + u.getPath());
            return (table != null ? b.table(table) : b).build();
        }
        throw new IllegalArgumentException("unknown store " + uri + "; use " + FORMS);
    }
}
