package dev.cohort.bench;

import dev.cohort.process.Node;
import dev.cohort.process.Pid;
import java.time.Duration;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Micro-benchmark ({@code ./cohort bench jmh MailboxBenchmark}): the cost of one send plus
 * one receive on an uncontended mailbox, with selective receive skipping a backlog or not.
 * A process drives the operations; JMH's thread hands it work through a synchronous queue,
 * so the figure includes one hand-off per batch of 1,000 operations.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgs = {"-Xms2g", "-Xmx2g"})
public class MailboxBenchmark {
    private static final int BATCH = 1_000;
    private Node node;
    private final SynchronousQueue<Integer> work = new SynchronousQueue<>();
    private final SynchronousQueue<Integer> done = new SynchronousQueue<>();

    @Setup
    public void setUp() {
        node = Node.builder().name("jmh@127.0.0.1").build();
        node.spawn(self -> {
            Pid me = self.self();
            for (int i = 0; i < 10; i++) self.send(me, "backlog"); // left in the save queue by selective receives
            for (;;) {
                int mode = work.take();
                for (int i = 0; i < BATCH; i++) {
                    self.send(me, i);
                    if (mode == 0) self.receive(m -> m instanceof Integer);
                    else self.receive(m -> m instanceof Integer, Duration.ZERO);
                }
                done.put(mode);
            }
        });
    }

    @TearDown
    public void tearDown() { node.shutdown(Duration.ofSeconds(5)); }

    /** Send to self and receive it back with a selective receive (10 older messages skipped). */
    @Benchmark
    @org.openjdk.jmh.annotations.OperationsPerInvocation(BATCH)
    public int sendThenSelectiveReceive() throws InterruptedException {
        work.put(0);
        return done.take();
    }

    /** The same with a zero timeout (Erlang's {@code after 0}). */
    @Benchmark
    @org.openjdk.jmh.annotations.OperationsPerInvocation(BATCH)
    public int sendThenPoll() throws InterruptedException {
        work.put(1);
        return done.take();
    }
}
