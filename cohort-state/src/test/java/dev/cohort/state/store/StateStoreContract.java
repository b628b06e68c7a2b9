package dev.cohort.state.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every {@link StateStore} guarantees; one subclass per store runs it against the real thing. */
abstract class StateStoreContract {
    protected StateStore store;

    protected abstract StateStore open() throws Exception;

    @BeforeEach
    void openStore() throws Exception {
        store = open();
    }

    @AfterEach
    void closeStore() {
        if (store != null) store.close();
    }

    static StoredState text(String s) {
        return new StoredState(1, s.getBytes(StandardCharsets.UTF_8));
    }

    static String text(Optional<StoredState> s) {
        return s.map(x -> new String(x.bytes(), StandardCharsets.UTF_8)).orElse(null);
    }

    @Test
    void acquireStartsAtOneAndRaisesTheEpochEachTimeReturningTheStoredState() {
        StateStore.Acquired first = store.acquire("k");
        assertThat(first.epoch()).isEqualTo(1);
        assertThat(first.state()).isEmpty();
        store.write("k", 1, text("one"));
        StateStore.Acquired second = store.acquire("k");
        assertThat(second.epoch()).isEqualTo(2);
        assertThat(text(second.state())).isEqualTo("one");
        assertThat(second.state().get().version()).isEqualTo(1);
        assertThat(store.read("k")).hasValueSatisfying(r -> assertThat(r.epoch()).isEqualTo(2));
        assertThat(store.read("other")).isEmpty();
    }

    @Test
    void aWriteOfAnOlderEpochIsRefusedAndChangesNothing() {
        store.acquire("k");
        store.write("k", 1, text("old"));
        store.acquire("k");
        assertThatThrownBy(() -> store.write("k", 1, text("stale")))
                .isInstanceOfSatisfying(FencedException.class, e -> {
                    assertThat(e.epoch()).isEqualTo(1);
                    assertThat(e.storedEpoch()).isEqualTo(2);
                    assertThat(e.key()).isEqualTo("k");
                });
        assertThat(text(store.read("k").get().state())).isEqualTo("old");
        store.write("k", 2, text("new"));
        assertThat(text(store.read("k").get().state())).isEqualTo("new");
    }

    @Test
    void deleteClearsTheStateButKeepsTheEpochSoOldWritersStayFenced() {
        store.acquire("k");
        store.write("k", 1, text("a"));
        store.acquire("k");
        store.delete("k", 2);
        assertThat(store.read("k").get().state()).isEmpty();
        assertThat(store.read("k").get().epoch()).isEqualTo(2);
        assertThatThrownBy(() -> store.write("k", 1, text("zombie"))).isInstanceOf(FencedException.class);
        assertThatThrownBy(() -> store.delete("k", 1)).isInstanceOf(FencedException.class);
        assertThat(store.acquire("k").state()).isEmpty();
    }

    @Test
    void concurrentAcquiresGetDistinctEpochs() throws Exception {
        int threads = 6, each = 30;
        List<Long> epochs = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> all = new ArrayList<>();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        for (int t = 0; t < threads; t++) {
            all.add(Thread.ofVirtual().start(() -> {
                try {
                    go.await();
                    for (int i = 0; i < each; i++) epochs.add(store.acquire("shared").epoch());
                } catch (Throwable e) {
                    failed.set(e);
                }
            }));
        }
        go.countDown();
        for (Thread t : all) t.join();
        assertThat(failed.get()).isNull();
        assertThat(epochs).hasSize(threads * each).doesNotHaveDuplicates();
        assertThat(Collections.max(epochs)).isEqualTo((long) threads * each);
    }

    /**
     * A writer keeps writing while a newer incarnation acquires the key: the state acquire
     * returns is exactly the old writer's last write that landed, and none lands after it.
     * Seeded, repeated: {@code -Dcohort.state.seed}.
     */
    @Test
    void acquireSeesTheLastLandedWriteAndNothingLandsAfterIt() throws Exception {
        long seed = Long.getLong("cohort.state.seed", System.nanoTime());
        Random random = new Random(seed);
        for (int round = 0; round < 10; round++) {
            String key = "race" + round;
            long old = store.acquire(key).epoch();
            AtomicReference<String> lastLanded = new AtomicReference<>();
            AtomicReference<Throwable> unexpected = new AtomicReference<>();
            CountDownLatch started = new CountDownLatch(1);
            Thread writer = Thread.ofVirtual().start(() -> {
                for (int i = 0; ; i++) {
                    try {
                        store.write(key, old, text("w" + i));
                        lastLanded.set("w" + i);
                        if (i == 2) started.countDown();
                    } catch (FencedException e) {
                        started.countDown();
                        return;
                    } catch (Throwable e) {
                        unexpected.set(e);
                        started.countDown();
                        return;
                    }
                }
            });
            started.await();
            Thread.sleep(random.nextInt(5)); // a random point in the writer's stream (seeded), not a wait for a condition
            StateStore.Acquired newer = store.acquire(key);
            writer.join();
            assertThat(unexpected.get()).as("seed %d", seed).isNull();
            assertThat(text(newer.state())).as("seed %d round %d", seed, round).isEqualTo(lastLanded.get());
            assertThat(text(store.read(key).get().state())).isEqualTo(lastLanded.get());
        }
    }

    @Test
    void keysAreCheckedAndStatesMayBeEmptyOrLarge() {
        assertThatThrownBy(() -> store.acquire("")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1..1024");
        assertThatThrownBy(() -> store.acquire("x".repeat(1025))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.acquire("a\u0000b")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NUL");
        String odd = "ключ'; DROP TABLE cohort_state; -- ?\uD83D\uDE00";
        long e = store.acquire(odd).epoch();
        store.write(odd, e, new StoredState(3, new byte[0]));
        assertThat(store.read(odd).get().state().get().bytes()).isEmpty();
        byte[] big = new byte[1 << 20];
        new Random(1).nextBytes(big);
        store.write(odd, e, new StoredState(3, big));
        assertThat(store.acquire(odd).state().get().bytes()).isEqualTo(big);
    }
}
