package dev.cohort.examples.counter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.testkit.LocalPostgres;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stage handoff end to end: the node hosting a user's session is stopped gracefully (SIGTERM),
 * crashes (the JVM halts: no shutdown hook, no terminate) and is killed with kill -9, one after
 * another, while a client keeps visiting; the count never resets and equals the visits answered.
 * With the embedded default (SQLite) and with PostgreSQL.
 */
class CounterHandoffTest {
    @TempDir Path dir;

    @Test
    void sqlite() throws Exception {
        run("sqlite:" + dir.resolve("counter.db"));
    }

    @Test
    void postgres() throws Exception {
        try (LocalPostgres pg = LocalPostgres.start()) {
            run(pg.uri());
        }
    }

    private void run(String store) throws Exception {
        try (CounterCluster c = new CounterCluster(Stage.HANDOFF, 3, "--store", store)) {
            for (int i = 1; i <= 3; i++) assertThat(c.visit(i - 1, "ana")).isEqualTo(i);

            // a client visits "cy" without pause throughout; each answer must exceed the one before
            // (no reset, no lost visit). A request whose node died under it may or may not have
            // counted: it is an attempt, not an answered visit.
            c.visit(0, "cy");
            AtomicLong answered = new AtomicLong(1), attempts = new AtomicLong(1), last = new AtomicLong(1);
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Throwable> failed = new AtomicReference<>();
            Thread client = Thread.ofVirtual().start(() -> {
                for (int n = 0; !stop.get(); n++) {
                    long count;
                    attempts.incrementAndGet();
                    try {
                        count = c.visit(n % 3, "cy");
                    } catch (Throwable e) {
                        continue; // that node is down or went down during the request
                    }
                    if (count <= last.get()) {
                        failed.compareAndSet(null, new AssertionError("cy answered " + count + " after " + last.get()));
                        return;
                    }
                    last.set(count);
                    answered.incrementAndGet();
                    java.util.concurrent.locks.LockSupport.parkNanos(2_000_000); // a user, not a load test
                }
            });

            long expected = 3;
            for (String how : new String[] {"stop", "crash", "kill"}) {
                String host = c.hostOf(0, "ana");
                int victim = c.indexOf(host);
                switch (how) {
                    case "stop" -> c.nodes.get(victim).signal("TERM");
                    case "crash" -> c.nodes.get(victim).command("CRASH");
                    default -> c.nodes.get(victim).kill9();
                }
                org.awaitility.Awaitility.await().atMost(CounterCluster.WAIT).until(() -> !c.nodes.get(victim).isAlive());
                int survivor = (victim + 1) % 3;
                expected++;
                assertThat(c.visit(survivor, "ana")).as("after %s of %s", how, host).isEqualTo(expected);
                assertThat(c.hostOf(survivor, "ana")).isNotEqualTo(host);
                c.restart(victim);
            }
            stop.set(true);
            client.join();
            assertThat(failed.get()).isNull();
            assertThat(answered.get()).isGreaterThan(10);
            long count = c.visit(0, "cy");
            assertThat(count).isGreaterThan(answered.get()).isLessThanOrEqualTo(attempts.get() + 1);
        }
    }
}
