package dev.cohort.cluster.internal.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.cohort.cluster.wire.ForySerializer;
import dev.cohort.process.Address;
import dev.cohort.process.CallException;
import dev.cohort.process.Down;
import dev.cohort.process.Exit;
import dev.cohort.process.ExitReason;
import dev.cohort.process.From;
import dev.cohort.process.Node;
import dev.cohort.process.Pid;
import dev.cohort.process.ProcessContext;
import dev.cohort.process.Ref;
import dev.cohort.server.GenServer;
import dev.cohort.server.Next;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The routing rules of location transparency, over real frames, between two nodes in one JVM. */
class FrameRouterTest {
    record Hero(String name, int health) {}

    private final TestNetwork net = new TestNetwork();
    private final ForySerializer serializer = ForySerializer.builder().allow(Hero.class).build();
    private final Node gotham = net.joinNode("gotham@127.0.0.1", serializer);
    private final Node metropolis = net.joinNode("metropolis@127.0.0.1", serializer);

    @AfterEach
    void stop() {
        gotham.shutdown(Duration.ofSeconds(5));
        metropolis.shutdown(Duration.ofSeconds(5));
    }

    private static <T> T in(Node node, ThrowingBody<T> body) throws Exception {
        CompletableFuture<T> f = new CompletableFuture<>();
        node.spawn(self -> {
            try {
                f.complete(body.run(self));
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        try {
            return f.get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof Exception x) throw x;
            throw new AssertionError(e.getCause());
        }
    }

    interface ThrowingBody<T> {
        T run(ProcessContext self) throws Exception;
    }

    private Pid counter(Node node) {
        return GenServer.start(node, new GenServer<Integer>() {
            @Override public Next<Integer> init(ProcessContext self) { return Next.ok(0); }
            @Override public Next<Integer> handleCall(Object req, From from, Integer n) {
                if (req.equals("crash")) throw new IllegalStateException("crash on request");
                if (req.equals("hang")) return Next.noReply(n);
                return Next.reply(n + 1, n + 1);
            }
            @Override public Next<Integer> handleCast(Object req, Integer n) { return Next.noReply(n + 10); }
        });
    }

    @Test
    void remoteSendCallAndCastLookLocal() throws Exception {
        Pid c = counter(metropolis);
        Integer n = in(gotham, self -> {
            self.cast(c, "bump");
            return self.call(c, "inc");
        });
        assertThat(n).isEqualTo(11);
        Integer fromThread = gotham.call(c, "inc");
        assertThat(fromThread).isEqualTo(12);
        Hero hero = in(gotham, self -> {
            Pid echo = metropolis.spawn(p -> { Hero h = p.receive(Hero.class); p.send(new Pid("gotham@127.0.0.1", gotham.creation(), self.self().id()), h); });
            self.send(echo, new Hero("superman", 100));
            return self.receive(Hero.class);
        });
        assertThat(hero).isEqualTo(new Hero("superman", 100));
    }

    @Test
    void messagesBetweenOnePairArriveInOrder() throws Exception {
        List<Object> got = in(gotham, self -> {
            Pid me = self.self();
            metropolis.spawn(p -> { for (int i = 0; i < 100_000; i++) p.send(me, i); });
            List<Object> out = new ArrayList<>();
            for (int i = 0; i < 100_000; i++) out.add(self.receive());
            return out;
        });
        for (int i = 0; i < got.size(); i++) assertThat(got.get(i)).isEqualTo(i);
    }

    @Test
    void remoteCallFailuresAreImmediateAndClear() throws Exception {
        Pid c = counter(metropolis);
        in(gotham, self -> {
            assertThatThrownBy(() -> self.call(c, "crash", Duration.ofMinutes(1)))
                    .isInstanceOfSatisfying(CallException.class, e -> assertThat(e.reason()).isInstanceOf(ExitReason.Crashed.class));
            assertThatThrownBy(() -> self.call(c, "inc", Duration.ofMinutes(1)))
                    .isInstanceOfSatisfying(CallException.class, e -> assertThat(e.reason()).isEqualTo(ExitReason.NOPROC));
            return null;
        });
    }

    @Test
    void remoteMonitorAndLinkFireOnExit() throws Exception {
        in(gotham, self -> {
            self.trapExit(true);
            Pid victim = metropolis.spawn(p -> p.receive(m -> false));
            Ref ref = self.monitor(victim);
            self.link(victim);
            metropolis.exit(victim, ExitReason.of("bye"));
            assertThat(self.receive(Down.class, d -> d.ref().equals(ref), Duration.ofSeconds(10)).orElseThrow().reason())
                    .isEqualTo(ExitReason.of("bye"));
            assertThat(self.receive(Exit.class, e -> e.from().equals(victim), Duration.ofSeconds(10))).isPresent();

            Pid dead = metropolis.spawn(p -> {});
            await().until(() -> !metropolis.isAlive(dead));
            Ref r2 = self.monitor(dead);
            assertThat(self.receive(Down.class, d -> d.ref().equals(r2), Duration.ofSeconds(10)).orElseThrow().reason())
                    .isEqualTo(ExitReason.NOPROC);
            return null;
        });
        // a remote exit signal kills a non-trapping local process
        Pid local = gotham.spawn(p -> p.receive(m -> false));
        in(metropolis, self -> { self.exit(local, ExitReason.of("remote says so")); return null; });
        await().until(() -> !gotham.isAlive(local));
    }

    @Test
    void losingANodeFiresNoconnectionAndFailsPendingCallsAtOnce() throws Exception {
        Pid c = counter(metropolis);
        Pid remoteLinked = metropolis.spawn(p -> p.receive(m -> false));
        Pid localLinked = gotham.spawn(p -> { p.link(remoteLinked); p.receive(m -> false); });
        await().until(() -> gotham.info(localLinked).map(i -> i.links().contains(remoteLinked)).orElse(false));
        CompletableFuture<Throwable> pending = new CompletableFuture<>();
        CompletableFuture<Down> down = new CompletableFuture<>();
        gotham.spawn(self -> {
            Ref ref = self.monitor(c);
            down.complete(self.receive(Down.class, d -> d.ref().equals(ref), Duration.ofMinutes(1)).orElse(null));
        });
        Thread.ofVirtual().start(() -> {
            try {
                gotham.call(c, "hang", Duration.ofMinutes(5));
            } catch (Throwable t) {
                pending.complete(t);
            }
        });
        await().until(() -> metropolis.info(c).map(i -> i.monitors() >= 2).orElse(false));
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            net.lose("metropolis@127.0.0.1");
            assertThat(down.get().reason()).isEqualTo(ExitReason.NOCONNECTION);
            assertThat(pending.get()).isInstanceOfSatisfying(CallException.class,
                    e -> assertThat(e.reason()).isEqualTo(ExitReason.NOCONNECTION)).hasMessageContaining("not connected");
        });
        await().until(() -> !gotham.isAlive(localLinked));
    }

    @Test
    void monitorsHeldByALostNodeAreForgotten() throws Exception {
        Pid target = gotham.spawn(p -> p.receive(m -> false));
        metropolis.spawn(self -> { self.monitor(target); self.receive(m -> false); });
        await().until(() -> gotham.info(target).orElseThrow().monitors() == 1);
        net.lose("metropolis@127.0.0.1");
        assertThat(gotham.info(target).orElseThrow().monitors()).isZero();
    }

    @Test
    void badFramesAndRefusedPayloadsAreDroppedAndNothingElseIsLost() throws Exception {
        Pid sink = gotham.spawn(p -> { for (;;) p.send(p.receive(Pid.class), "still here"); });
        Random r = new Random(3);
        for (int i = 0; i < 2_000; i++) {
            byte[] junk = new byte[r.nextInt(100)];
            r.nextBytes(junk);
            net.inject("gotham@127.0.0.1", "metropolis@127.0.0.1", junk);
        }
        record NotAllowed(String x) {}
        ForySerializer permissive = ForySerializer.builder().allow(Hero.class, NotAllowed.class).build();
        net.inject("gotham@127.0.0.1", "metropolis@127.0.0.1", new dev.cohort.cluster.wire.FrameCodec(permissive)
                .encode(new dev.cohort.cluster.wire.Frame.Send(sink, permissive.serialize(new NotAllowed("x")))));
        String reply = in(metropolis, self -> {
            self.send(sink, self.self());
            return (String) self.receive();
        });
        assertThat(reply).isEqualTo("still here");
        assertThat(gotham.isAlive(sink)).isTrue();
    }

    /**
     * A member sends a serialized {@code null} (one byte) as a message, a cast, a named message and
     * a call request: it once crashed a replicator and a user GenServer with a NullPointerException.
     * Null is refused at decode, as at a local send; the server lives and answers.
     */
    @Test
    void aNullFromAMemberIsRefusedAtDecodeAndTheServerLives() throws Exception {
        Pid server = counter(metropolis);
        metropolis.register("counter", server);
        Pid caller = gotham.spawn(p -> p.receive());
        byte[] nul = serializer.serialize(null);
        byte[] named = new byte[nul.length + 1];
        System.arraycopy(nul, 0, named, 1, nul.length);
        dev.cohort.cluster.wire.FrameCodec codec = new dev.cohort.cluster.wire.FrameCodec(serializer);
        for (dev.cohort.cluster.wire.Frame f : List.of(
                new dev.cohort.cluster.wire.Frame.Send(server, nul),
                new dev.cohort.cluster.wire.Frame.Cast(server, nul),
                new dev.cohort.cluster.wire.Frame.SendNamed("counter", named),
                new dev.cohort.cluster.wire.Frame.Call(server, caller, new dev.cohort.process.Ref(caller.node(), caller.creation(), 1), nul),
                new dev.cohort.cluster.wire.Frame.CallNamed("counter", caller, new dev.cohort.process.Ref(caller.node(), caller.creation(), 2), nul))) {
            net.inject("gotham@127.0.0.1", "metropolis@127.0.0.1", codec.encode(f));
        }
        Object answer = in(gotham, self -> self.call(server, "next", Duration.ofSeconds(30)));
        assertThat(answer).isEqualTo(1); // the first request to arrive
        assertThat(metropolis.isAlive(server)).isTrue();
    }

    @Test
    void namesOnAnotherNodeAreResolvedThere() throws Exception {
        Pid c = counter(metropolis);
        metropolis.register("counter", c);
        Address named = Address.remote("counter", "metropolis@127.0.0.1");
        Integer one = gotham.call(named, "inc");
        gotham.cast(named, "bump");
        Integer twelve = in(gotham, self -> self.call(named, "inc"));
        assertThat(List.of(one, twelve)).containsExactly(1, 12);

        // a plain message to a remote name
        CompletableFuture<Object> got = new CompletableFuture<>();
        Pid inbox = metropolis.spawn(self -> got.complete(self.receive()));
        metropolis.register("inbox", inbox);
        gotham.send(Address.remote("inbox", "metropolis@127.0.0.1"), new Hero("batman", 100));
        assertThat(got.get(10, TimeUnit.SECONDS)).isEqualTo(new Hero("batman", 100));

        // an unregistered name: the call fails with noproc, a monitor fires noproc at once
        assertThatThrownBy(() -> gotham.call(Address.remote("nobody", "metropolis@127.0.0.1"), "inc"))
                .isInstanceOfSatisfying(CallException.class, e -> assertThat(e.reason()).isEqualTo(ExitReason.NOPROC))
                .hasMessageContaining("nobody");
        Down d = in(gotham, self -> {
            Ref ref = self.monitor(Address.remote("nobody", "metropolis@127.0.0.1"));
            return self.receive(Down.class, x -> x.ref().equals(ref), Duration.ofSeconds(10)).orElseThrow();
        });
        assertThat(d.reason()).isEqualTo(ExitReason.NOPROC);
        assertThat(d.pid().node()).isEqualTo("metropolis@127.0.0.1");
    }

    @Test
    void aMonitorOfARemoteNameFiresWithTheProcessItNamedAndCanBeRemoved() throws Exception {
        Pid c = counter(metropolis);
        metropolis.register("counter", c);
        Address named = Address.remote("counter", "metropolis@127.0.0.1");
        CompletableFuture<Void> watching = new CompletableFuture<>();
        CompletableFuture<Down> down = new CompletableFuture<>();
        gotham.spawn(self -> {
            Ref removed = self.monitor(named);
            self.demonitorFlush(removed);
            Ref ref = self.monitor(named);
            self.call(named, "inc"); // the monitors have arrived before this reply
            watching.complete(null);
            down.complete(self.receive(Down.class, x -> x.ref().equals(ref), Duration.ofSeconds(30)).orElseThrow());
        });
        watching.get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10)).until(() -> metropolis.info(c).orElseThrow().monitors() == 1);
        metropolis.exit(c, ExitReason.KILL);
        Down d = down.get(10, TimeUnit.SECONDS);
        assertThat(d.pid()).isEqualTo(c);
        assertThat(d.reason()).isEqualTo(ExitReason.KILLED);
    }

    @Test
    void aRemoteCallLeavesNoMonitorBehindOnEitherNode() throws Exception {
        Pid c = counter(metropolis);
        Pid caller = gotham.spawn(self -> {
            for (int i = 0; i < 100; i++) self.call(c, "inc");
            self.receive();
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> gotham.info(caller).isPresent()
                && metropolis.call(c, "inc").equals(101));
        assertThat(metropolis.info(c).orElseThrow().monitors()).isZero();
        // and a call the caller gave up on is demonitored on the server's node too
        assertThatThrownBy(() -> gotham.call(c, "hang", Duration.ofMillis(50))).isInstanceOf(dev.cohort.process.CallTimeoutException.class);
        await().atMost(Duration.ofSeconds(10)).until(() -> metropolis.info(c).orElseThrow().monitors() == 0);
    }
}
