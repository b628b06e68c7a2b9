package dev.cohort.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.cluster.ClusterNode;
import dev.cohort.cluster.Ports;
import dev.cohort.cluster.discovery.Discovery;
import dev.cohort.cluster.wire.ForySerializer;
import dev.cohort.cluster.wire.RemoteException;
import dev.cohort.process.Down;
import dev.cohort.process.ExitReason;
import dev.cohort.process.Pid;
import dev.cohort.process.Ref;
import dev.cohort.wire.WireTypes;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Every value Cohort's own modules produce crosses the wire: each module contributes its types
 * ({@link WireTypes}), and a sample of every one of them is sent from one real node to another
 * (over JGroups on 127.0.0.1), as a message, as a call reply and as the detail of an exit reason
 * seen by a remote monitor, and decoded there equal to what was sent. (A fenced durable server's
 * remote caller once waited out its timeout: {@link Fenced} was not registered.)
 */
class WireTypesTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void everyModuleContributesItsTypesUnderItsOwnIds() {
        List<String> modules = new ArrayList<>();
        ServiceLoader.load(WireTypes.class).forEach(w -> modules.add(w.module()));
        assertThat(modules).containsExactlyInAnyOrder("cohort-core", "cohort-cluster", "cohort-crdt", "cohort-distributed", "cohort-state");
        List<String> regs = ForySerializer.builder().build().registrations();
        assertThat(regs).contains("1000 " + Pid.class.getName(), "1400 " + Fenced.class.getName());
        // application classes take ids from 10000 in the order allowed, and move no module's ids;
        // a module's type allowed again keeps its module's id
        List<String> withApp = ForySerializer.builder().allow(AppValue.class, Fenced.class, AppOther.class).build().registrations();
        assertThat(withApp).contains("1400 " + Fenced.class.getName(), "10000 " + AppValue.class.getName(), "10001 " + AppOther.class.getName());
        assertThat(withApp).hasSize(regs.size() + 2);
    }

    record AppValue(String v) {}

    record AppOther(long n) {}

    @Test
    void aSampleOfEveryModulesTypeCrossesBetweenTwoNodes() throws Exception {
        int pa = Ports.free(), pb = Ports.free();
        List<InetSocketAddress> seeds = List.of(new InetSocketAddress("127.0.0.1", pa), new InetSocketAddress("127.0.0.1", pb));
        try (ClusterNode a = node("a@127.0.0.1", pa, seeds); ClusterNode b = node("b@127.0.0.1", pb, seeds)) {
            org.awaitility.Awaitility.await().atMost(WAIT).until(() -> a.isConnected("b@127.0.0.1") && b.isConnected("a@127.0.0.1"));
            Pid echo = b.node().spawn(self -> {
                for (;;) {
                    if (self.receive() instanceof dev.cohort.process.Call c) c.from().reply(c.request());
                }
            });
            List<Object> samples = samples(a.node().spawn(self -> self.receive()));
            assertThat(samples).hasSizeGreaterThanOrEqualTo(20);
            for (Object sample : samples) {
                Object back = a.node().call(echo, sample, WAIT);
                // a record holding a byte[] is equal only to itself: compare its parts
                if (sample instanceof RemoteException re) assertThat(back).isInstanceOfSatisfying(RemoteException.class, x -> sameError(x, re));
                else if (holdsArray(sample)) assertThat(back).as("%s sent and answered back", sample.getClass().getName()).usingRecursiveComparison().isEqualTo(sample);
                else assertThat(back).as("%s sent to another node and answered back", sample.getClass().getName()).isEqualTo(sample);

                // the same value as the detail of an exit reason, seen by a monitor on the other node
                CompletableFuture<Down> down = new CompletableFuture<>();
                Pid dying = a.node().spawn(self -> {
                    self.receive();
                    self.exit(new ExitReason.Shutdown(sample));
                });
                b.node().spawn(self -> {
                    Ref ref = self.monitor(dying);
                    self.send(dying, "go");
                    down.complete(self.receive(Down.class, d -> d.ref().equals(ref), WAIT).orElseThrow());
                });
                assertThat(down.get(WAIT.toSeconds(), TimeUnit.SECONDS).reason())
                        .as("a remote monitor's reason carrying a %s", sample.getClass().getName())
                        .satisfies(r -> {
                            if (sample instanceof RemoteException re) assertThat(((ExitReason.Shutdown) r).detail())
                                    .isInstanceOfSatisfying(RemoteException.class, x -> sameError(x, re));
                            else if (holdsArray(sample)) assertThat(((ExitReason.Shutdown) r).detail()).usingRecursiveComparison().isEqualTo(sample);
                            else assertThat(r).isEqualTo(new ExitReason.Shutdown(sample));
                        });
            }
        }
    }

    private static void sameError(RemoteException got, RemoteException sent) {
        assertThat(got.className()).isEqualTo(sent.className());
        assertThat(got.originalMessage()).isEqualTo(sent.originalMessage());
    }

    /**
     * An exception a server replies (Cohort's servers answer an unknown request with one) reaches
     * a caller on another node as a {@link RemoteException} naming its class and message, at
     * once: exceptions themselves do not serialize, and the caller used to wait out its timeout.
     */
    @Test
    void anExceptionAServerRepliesReachesTheRemoteCallerAsARemoteException() throws Exception {
        int pa = Ports.free(), pb = Ports.free();
        List<InetSocketAddress> seeds = List.of(new InetSocketAddress("127.0.0.1", pa), new InetSocketAddress("127.0.0.1", pb));
        try (ClusterNode a = node("a@127.0.0.1", pa, seeds); ClusterNode b = node("b@127.0.0.1", pb, seeds)) {
            org.awaitility.Awaitility.await().atMost(WAIT).until(() -> a.isConnected("b@127.0.0.1") && b.isConnected("a@127.0.0.1"));
            Pid server = b.node().spawn(self -> {
                for (;;) {
                    if (self.receive() instanceof dev.cohort.process.Call c) c.from().reply(new IllegalArgumentException("unknown request " + c.request()));
                }
            });
            long t0 = System.nanoTime();
            Object answer = a.node().call(server, "what", WAIT);
            assertThat(answer).isInstanceOfSatisfying(RemoteException.class, e -> {
                assertThat(e.className()).isEqualTo(IllegalArgumentException.class.getName());
                assertThat(e.originalMessage()).isEqualTo("unknown request what");
            });
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("answered, not waited out").isLessThan(WAIT);
        }
    }

    private static boolean holdsArray(Object sample) {
        return sample.getClass().isRecord()
                && java.util.Arrays.stream(sample.getClass().getRecordComponents()).anyMatch(c -> c.getType().isArray());
    }

    private static ClusterNode node(String name, int port, List<InetSocketAddress> seeds) throws Exception {
        return ClusterNode.builder().name(name).port(port).cookie("wire-types").discovery(Discovery.staticHosts(seeds))
                .serializer(ForySerializer.builder().build()).start();
    }

    /** One value of every type every module contributes: records from sample components, enums' first constants. */
    private static List<Object> samples(Pid pid) throws Exception {
        List<Object> out = new ArrayList<>();
        for (WireTypes w : ServiceLoader.load(WireTypes.class)) {
            for (Class<?> t : w.types()) out.add(sample(t, pid));
        }
        return out;
    }

    private static Object sample(Class<?> t, Pid pid) throws Exception {
        if (t.isEnum()) return t.getEnumConstants()[0];
        if (t == Pid.class) return pid;
        if (t == Ref.class) return new Ref(pid.node(), pid.creation(), 7);
        if (t == RemoteException.class) return new RemoteException("java.lang.IllegalStateException", "sample");
        if (!t.isRecord()) throw new AssertionError("no sample for " + t + ": teach this test");
        RecordComponent[] parts = t.getRecordComponents();
        Class<?>[] types = new Class<?>[parts.length];
        Object[] args = new Object[parts.length];
        for (int i = 0; i < parts.length; i++) {
            types[i] = parts[i].getType();
            args[i] = value(types[i], pid);
        }
        Constructor<?> c = t.getDeclaredConstructor(types);
        c.setAccessible(true); // some are package-private records of their module
        return c.newInstance(args);
    }

    private static Object value(Class<?> type, Pid pid) throws Exception {
        if (type == String.class) return "sample@127.0.0.1"; // also a valid node name
        if (type == long.class) return 3L;
        if (type == int.class) return 2;
        if (type == boolean.class) return true;
        if (type == byte[].class) return new byte[] {1, 2, 3};
        if (type == Object.class) return "an id";
        if (type.isEnum() || type.isRecord() || type == Pid.class || type == Ref.class) return sample(type, pid);
        throw new AssertionError("no sample value of " + type + ": teach this test");
    }
}
