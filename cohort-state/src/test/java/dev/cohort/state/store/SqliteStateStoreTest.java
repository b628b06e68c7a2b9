package dev.cohort.state.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The contract against a real SQLite file, plus what is SQLite's own. */
class SqliteStateStoreTest extends StateStoreContract {
    @TempDir Path dir;

    @Override
    protected StateStore open() {
        return StateStore.sqlite(dir.resolve("state.db"));
    }

    @Test
    void twoStoresOnOneFileSeeEachOthersEpochs() {
        try (StateStore other = StateStore.sqlite(dir.resolve("state.db"))) {
            long e1 = store.acquire("k").epoch();
            long e2 = other.acquire("k").epoch();
            assertThat(e2).isEqualTo(e1 + 1);
            assertThatThrownBy(() -> store.write("k", e1, text("stale"))).isInstanceOf(FencedException.class);
            other.write("k", e2, text("fresh"));
            assertThat(text(store.read("k").get().state())).isEqualTo("fresh");
        }
    }

    @Test
    void aFileThatIsNotADatabaseIsAClearError() throws Exception {
        Path junk = dir.resolve("junk.db");
        Files.writeString(junk, "this is not a database, it is a text file that is long enough to have a header page");
        assertThatThrownBy(() -> StateStore.sqlite(junk)).hasMessageContaining("junk.db").hasMessageContaining("create table");
    }
}
