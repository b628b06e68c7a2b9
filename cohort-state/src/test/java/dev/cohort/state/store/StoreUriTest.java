package dev.cohort.state.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Store URIs as the command line takes them: good ones open, bad ones say what is accepted. */
class StoreUriTest {
    @Test
    void goodUrisOpen(@TempDir Path dir) {
        try (StateStore s = StateStore.open("sqlite:" + dir.resolve("a.db"))) {
            assertThat(s.describe()).contains("a.db");
        }
        try (StateStore s = StateStore.open("memory:")) {
            assertThat(s.describe()).isEqualTo("memory:");
        }
    }

    @Test
    void badUrisAreClearErrors() {
        for (String bad : new String[] {"", "  ", "sqlite:", "mysql://x/y", "postgres://", "postgres://host", "postgres://h:5432/", "postgres://[bad/x"}) {
            assertThatThrownBy(() -> StateStore.open(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("sqlite:PATH");
        }
        assertThatThrownBy(() -> StateStore.open(null)).isInstanceOf(IllegalArgumentException.class);
    }
}
