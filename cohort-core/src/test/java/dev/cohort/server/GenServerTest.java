package dev.cohort.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.cohort.InProcess;
import dev.cohort.process.Address;
import dev.cohort.process.CallException;
import dev.cohort.process.CallTimeoutException;
import dev.cohort.process.Down;
import dev.cohort.process.ExitReason;
import dev.cohort.process.From;
import dev.cohort.process.Node;
import dev.cohort.process.Pid;
import dev.cohort.process.ProcessContext;
import dev.cohort.process.Ref;
import dev.cohort.registry.Registry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GenServerTest {
    private final Node node = Node.builder().name("gotham@127.0.0.1").build();
    private final BlockingQueue<Object> events = new LinkedBlockingQueue<>();

    @AfterEach
    void stop() { node.shutdown(Duration.ofSeconds(5)); }

    /** A counter: call "get", cast "inc", info "inc", call "crash", continue, timeouts, reply-later. */
    final class Counter implements GenServer<Integer> {
        final boolean trap;
        Counter(boolean trap) { this.trap = trap; }

        @Override public Next<Integer> init(ProcessContext self) {
            self.trapExit(trap);
            return Next.ok(0);
        }

        @Override public Next<Integer> handleCall(Object request, From from, Integer n) {
            return switch (String.valueOf(request)) {
                case "get" -> Next.reply(n, n);
                case "crash" -> throw new IllegalStateException("asked to crash");
                case "later" -> {
                    Thread.ofVirtual().start(() -> from.reply("from elsewhere"));
                    yield Next.noReply(n);
                }
                case "never" -> Next.noReply(n);
                case "bump-then-continue" -> Next.reply("bumped", n + 1).thenContinue("double");
                case "idle" -> Next.reply("ok", n).withTimeout(Duration.ofMillis(10));
                case "stop" -> Next.stopAndReply(ExitReason.of("asked"), "stopping", n);
                default -> throw new IllegalArgumentException(String.valueOf(request));
            };
        }

        @Override public Next<Integer> handleCast(Object request, Integer n) {
            return Next.noReply(n + 1);
        }

        @Override public Next<Integer> handleInfo(Object message, Integer n) {
            if (message == GenServer.TIMEOUT) events.add("timeout");
            return Next.noReply(message.equals("inc") ? n + 1 : n);
        }

        @Override public Next<Integer> handleContinue(Object c, Integer n) {
            return Next.noReply(n * 2);
        }

        @Override public void terminate(ExitReason reason, Integer n) {
            events.add("terminate " + reason + " at " + n);
        }
    }

    @Test
    void callCastAndInfoFromPlainThread() {
        Pid pid = GenServer.start(node, new Counter(false));
        node.cast(pid, "inc");
        node.send(pid, "inc");
        Integer n = node.call(pid, "get");
        assertThat(n).isEqualTo(2);
    }

    @Test
    void callFromProcessAndByLocalName() {
        GenServer.start(node, new Counter(false), StartOptions.named("counter"));
        Integer n = InProcess.run(node, self -> {
            self.cast(Address.name("counter"), "inc");
            return self.call(Address.name("counter"), "get");
        });
        assertThat(n).isEqualTo(1);
        assertThatThrownBy(() -> GenServer.start(node, new Counter(false), StartOptions.named("counter")))
                .isInstanceOfSatisfying(AlreadyStartedException.class, e -> assertThat(e.holder()).isEqualTo(node.whereis("counter")));
    }

    @Test
    void handleContinueRunsBeforeTheNextMessage() {
        Pid pid = GenServer.start(node, new Counter(false));
        String r = node.call(pid, "bump-then-continue");
        assertThat(r).isEqualTo("bumped");
        Integer n = node.call(pid, "get");
        assertThat(n).isEqualTo(2);
    }

    @Test
    void replyLaterThroughFromFromAnotherThread() {
        Pid pid = GenServer.start(node, new Counter(false));
        String r = node.call(pid, "later");
        assertThat(r).isEqualTo("from elsewhere");
    }

    @Test
    void timeoutDeliversTimeoutInfo() throws Exception {
        Pid pid = GenServer.start(node, new Counter(false));
        node.call(pid, "idle");
        assertThat(events.poll(10, TimeUnit.SECONDS)).isEqualTo("timeout");
    }

    @Test
    void callTimesOutWithClearExceptionAndLateReplyIsDropped() {
        InProcess.run(node, self -> {
            Pid server = GenServer.start(node, new GenServer<From>() {
                @Override public Next<From> init(ProcessContext s) { return Next.ok(null); }
                @Override public Next<From> handleCall(Object req, From from, From st) {
                    if (req.equals("slow")) return Next.noReply(from);
                    st.reply("late");
                    return Next.reply("fast", null);
                }
            });
            assertThatThrownBy(() -> self.call(server, "slow", Duration.ofMillis(50)))
                    .isInstanceOf(CallTimeoutException.class).hasMessageContaining("timed out after 50 ms");
            String fast = self.call(server, "now");
            assertThat(fast).isEqualTo("fast");
            assertThat(self.receive(Duration.ofMillis(50))).as("the late reply never reaches the mailbox").isEmpty();
            return null;
        });
    }

    @Test
    void callToMissingServerFailsAtOnceWithNoproc() {
        Pid dead = node.spawn(p -> {});
        await().until(() -> !node.isAlive(dead));
        assertThatThrownBy(() -> node.call(dead, "get", Duration.ofMinutes(1)))
                .isInstanceOfSatisfying(CallException.class, e -> assertThat(e.reason()).isEqualTo(ExitReason.NOPROC));
        assertThatThrownBy(() -> node.call(Address.name("ghost"), "get"))
                .isInstanceOfSatisfying(CallException.class, e -> assertThat(e.reason()).isEqualTo(ExitReason.NOPROC))
                .hasMessageContaining("ghost");
    }

    @Test
    void serverDyingDuringCallFailsTheCallAtOnce() {
        Pid pid = GenServer.start(node, new Counter(false));
        assertTimeoutPreemptively(Duration.ofSeconds(20), () ->
                assertThatThrownBy(() -> node.call(pid, "crash", Duration.ofMinutes(5)))
                        .isInstanceOfSatisfying(CallException.class, e -> assertThat(e.reason()).isInstanceOf(ExitReason.Crashed.class))
                        .hasMessageContaining("exited during the call"));
    }

    @Test
    void callbackExceptionRunsTerminateAndCrashes() throws Exception {
        Pid pid = GenServer.start(node, new Counter(false));
        assertThatThrownBy(() -> node.call(pid, "crash")).isInstanceOf(CallException.class);
        assertThat((String) events.poll(10, TimeUnit.SECONDS)).startsWith("terminate crashed: java.lang.IllegalStateException: asked to crash");
    }

    @Test
    void stopReplyRepliesThenTerminates() throws Exception {
        Pid pid = GenServer.start(node, new Counter(false));
        String r = node.call(pid, "stop");
        assertThat(r).isEqualTo("stopping");
        assertThat(events.poll(10, TimeUnit.SECONDS)).isEqualTo("terminate asked at 0");
        await().until(() -> !node.isAlive(pid));
    }

    @Test
    void terminateRunsOnParentShutdownWhenTrappingExits() throws Exception {
        Pid server = InProcess.run(node, self -> {
            Pid parent = self.spawn(p -> {
                Pid s = GenServer.startLink(p, new Counter(true));
                p.send(self.self(), s);
                p.receive(m -> false);
            });
            Pid s = self.receive(Pid.class);
            Ref ref = self.monitor(s);
            node.exit(parent, ExitReason.SHUTDOWN);
            assertThat(self.receive(Down.class, d -> d.ref().equals(ref), Duration.ofSeconds(10)).orElseThrow().reason())
                    .isEqualTo(ExitReason.SHUTDOWN);
            return s;
        });
        assertThat(events.poll(10, TimeUnit.SECONDS)).isEqualTo("terminate shutdown at 0");
        assertThat(node.isAlive(server)).isFalse();
    }

    @Test
    void terminateDoesNotRunWhenNotTrappingExits() {
        InProcess.run(node, self -> {
            Pid parent = self.spawn(p -> {
                p.send(self.self(), GenServer.startLink(p, new Counter(false)));
                p.receive(m -> false);
            });
            Pid s = self.receive(Pid.class);
            Ref ref = self.monitor(s);
            node.exit(parent, ExitReason.SHUTDOWN);
            self.receive(Down.class, d -> d.ref().equals(ref), Duration.ofSeconds(10)).orElseThrow();
            return null;
        });
        assertThat(events).isEmpty();
    }

    @Test
    void gracefulStopRunsTerminate() throws Exception {
        Pid pid = GenServer.start(node, new Counter(false));
        GenServer.stop(node, pid, ExitReason.NORMAL, Duration.ofSeconds(5));
        assertThat(events.poll(10, TimeUnit.SECONDS)).isEqualTo("terminate normal at 0");
        assertThat(node.isAlive(pid)).isFalse();
    }

    @Test
    void failingInitThrowsStartExceptionAndDoesNotTakeTheCallerDown() {
        InProcess.run(node, self -> {
            assertThatThrownBy(() -> GenServer.startLink(self, s -> { throw new IllegalArgumentException("bad config"); }))
                    .isInstanceOf(StartException.class).hasMessageContaining("bad config");
            assertThatThrownBy(() -> GenServer.startLink(self, s -> Next.stop(ExitReason.of("nope"), null)))
                    .isInstanceOfSatisfying(StartException.class, e -> assertThat(e.reason()).isEqualTo(ExitReason.of("nope")));
            assertThat(self.receive(Duration.ofMillis(50))).isEmpty();
            return null;
        });
    }

    @Test
    void startAndCallThroughRegistryKey() {
        Registry registry = Registry.unique(node, "sessions");
        Pid pid = GenServer.start(node, new Counter(false), StartOptions.via(registry, "user:bruce"));
        assertThat(registry.whereis("user:bruce")).isEqualTo(pid);
        node.cast(registry.via("user:bruce"), "inc");
        Integer n = node.call(registry.via("user:bruce"), "get");
        assertThat(n).isEqualTo(1);
        assertThatThrownBy(() -> GenServer.start(node, new Counter(false), StartOptions.via(registry, "user:bruce")))
                .isInstanceOfSatisfying(AlreadyStartedException.class, e -> assertThat(e.holder()).isEqualTo(pid));
        assertThat(registry.lookup("user:bruce")).hasSize(1);
    }

    @Test
    void manyConcurrentCallersAllGetTheirOwnReplies() {
        Pid pid = GenServer.start(node, new GenServer<Integer>() {
            @Override public Next<Integer> init(ProcessContext s) { return Next.ok(0); }
            @Override public Next<Integer> handleCall(Object req, From from, Integer st) { return Next.reply(req, st); }
        });
        List<Integer> results = java.util.stream.IntStream.range(0, 200).parallel()
                .mapToObj(i -> (Integer) node.call(pid, i)).toList();
        assertThat(results).containsExactlyElementsOf(java.util.stream.IntStream.range(0, 200).boxed().toList());
    }
}
