package dev.cohort.testkit;

import dev.cohort.process.Address;
import dev.cohort.process.Down;
import dev.cohort.process.Node;
import dev.cohort.process.Pid;
import dev.cohort.process.ProcessContext;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A process a test drives (Pekko's {@code TestProbe}): give its {@link #pid()} to the code under
 * test, then assert on what it received, in order, from the test's own thread.
 *
 * <pre>{@code
 * try (TestProbe probe = TestProbe.on(node)) {
 *     node.send(server, new Subscribe(probe.pid()));
 *     Changed c = probe.expectMessage(Changed.class, Duration.ofSeconds(1));
 *     probe.expectNoMessage(Duration.ofMillis(100));
 *     Down d = probe.expectTermination(server, Duration.ofSeconds(1));
 * }
 * }</pre>
 *
 * <p>Every message the probe's process receives is queued for the test in arrival order;
 * {@link #expectMessage} takes the next one and fails (with what arrived instead) if it is of
 * another type or none comes in time. Not for production code: the queue is unbounded.
 */
public final class TestProbe implements AutoCloseable {
    private record Watch(Pid pid, java.util.concurrent.CompletableFuture<Void> done) {}
    private record Send(Address to, Object message) {}

    private final Node node;
    private final Pid pid;
    private final BlockingQueue<Object> received = new LinkedBlockingQueue<>();

    private TestProbe(Node node) {
        this.node = Objects.requireNonNull(node, "node");
        this.pid = node.spawn(this::run);
    }

    /** A new probe process on {@code node}. */
    public static TestProbe on(Node node) { return new TestProbe(node); }

    private void run(ProcessContext self) {
        for (;;) {
            Object m = self.receive();
            switch (m) {
                case Watch w -> {
                    self.monitor(w.pid());
                    w.done().complete(null);
                }
                case Send s -> self.send(s.to(), s.message());
                default -> received.add(m);
            }
        }
    }

    /** The probe's process: where the code under test should send. */
    public Pid pid() { return pid; }

    /** Sends {@code message} to {@code to} from the probe, so that replies and signals come back to it. */
    public void send(Address to, Object message) { node.send(pid, new Send(to, message)); }

    /**
     * The next message, which must be a {@code type}, arriving within {@code timeout}.
     *
     * @throws AssertionError if none arrives in time, or the next one is of another type
     */
    public <T> T expectMessage(Class<T> type, Duration timeout) {
        Object m = next(timeout);
        if (m == null) throw new AssertionError("expected a " + type.getName() + " within " + timeout + ", got nothing");
        if (!type.isInstance(m)) throw new AssertionError("expected a " + type.getName() + ", got " + describe(m));
        return type.cast(m);
    }

    /** The next message, whatever it is, within {@code timeout} (fails if none). */
    public Object expectMessage(Duration timeout) { return expectMessage(Object.class, timeout); }

    /**
     * Asserts that no message arrives within {@code within}. Waits the whole time: keep it short,
     * and prefer {@link #expectMessage} with a condition when something is expected.
     */
    public void expectNoMessage(Duration within) {
        Object m = next(within);
        if (m != null) throw new AssertionError("expected no message within " + within + ", got " + describe(m));
    }

    /** Monitors {@code watched} from the probe, then expects its {@link Down} within {@code timeout}. */
    public Down expectTermination(Pid watched, Duration timeout) {
        watch(watched);
        return expectMessage(Down.class, timeout);
    }

    /** Monitors {@code watched} from the probe: its end arrives as a {@link Down} message. */
    public void watch(Pid watched) {
        java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
        node.send(pid, new Watch(Objects.requireNonNull(watched, "watched"), done));
        try {
            done.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("the probe " + pid + " did not start watching " + watched + ": " + e, e);
        }
    }

    /** Messages received and not yet taken by an expectation. */
    public int pending() { return received.size(); }

    private Object next(Duration timeout) {
        try {
            return received.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for a message", e);
        }
    }

    private static String describe(Object m) { return m.getClass().getName() + " " + m; }

    /** Ends the probe's process. */
    @Override
    public void close() { node.exit(pid, dev.cohort.process.ExitReason.KILL); }
}
