package dev.cohort.cluster.internal.jgroups;

import dev.cohort.cluster.internal.routing.FrameRouter;
import dev.cohort.cluster.wire.ForySerializer;
import dev.cohort.cluster.wire.Frame;
import dev.cohort.cluster.wire.FrameCodec;
import dev.cohort.process.Address;
import dev.cohort.process.ExitReason;
import dev.cohort.process.Node;
import dev.cohort.process.Pid;
import dev.cohort.process.Ref;
import java.io.BufferedReader;
import java.io.DataOutputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import javax.crypto.spec.SecretKeySpec;
import org.jgroups.BytesMessage;
import org.jgroups.Message;
import org.jgroups.Version;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.protocols.TCP;
import org.jgroups.protocols.TpHeader;
import org.jgroups.protocols.UNICAST3;
import org.jgroups.protocols.UnicastHeader3;
import org.jgroups.stack.IpAddress;
import org.jgroups.util.ByteArrayDataOutputStream;
import org.jgroups.util.UUID;
import org.jgroups.util.Util;

/**
 * Attacks one real node process ({@code NodeMain}, its own JVM) from this JVM, as a peer on the
 * network would: raw TCP connections speaking JGroups' framing with and without the cluster
 * key, a member (this JVM's own node, holding the cookie) that forges pids, refs and global
 * names, a node with another cookie, a second node under a live name, replays and tampered
 * copies of a member's captured messages, and length prefixes up to 2^31. Meanwhile a member
 * calls the victim's counter without pause. {@link #run} returns what got through; the node's
 * {@code sink} process counts every message that reached it.
 *
 * <p>{@code main} is {@code ./cohort bench security}: it prints {@code SEC figure value unit} lines, and each case's outcome on a {@code # case} line.
 */
public final class HostilePeer {
    static final String COOKIE = "hostile-peer-cookie";
    static final String VICTIM = "victim@127.0.0.1", WITNESS = "witness@127.0.0.1";
    private static final short UNICAST_ID = ClassConfigurator.getProtocolId(UNICAST3.class);
    private static final short TP_ID = ClassConfigurator.getProtocolId(TCP.class);

    /** What the attacks achieved. */
    public record Result(Map<String, String> cases, long delivered, long callsOk, long callsFailed,
                         double callP50Millis, double callP99Millis, long victimHeapBytes, boolean victimAlive,
                         long sealRefusals, long nonMemberDrops, List<String> victimLines) {}

    private final int victimPort = freePort(), witnessPort = freePort();
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Map<String, String> cases = new LinkedHashMap<>();
    private final ForySerializer serializer = ForySerializer.builder().build();
    private final FrameCodec codec = new FrameCodec(serializer);
    private final SealedTcp insiderSeal;
    private Process victim;
    private JGroupsTransport witness;
    private Node witnessNode;
    private final List<byte[]> captured = new CopyOnWriteArrayList<>();

    private HostilePeer() throws Exception {
        byte[] keys = JGroupsTransport.keysFrom(COOKIE, null);
        insiderSeal = new SealedTcp(new SecretKeySpec(keys, 0, 32, "AES"));
    }

    public static void main(String[] args) throws Exception {
        Result r = run(Duration.ofSeconds(args.length > 0 ? Integer.parseInt(args[0]) : 20));
        r.cases().forEach((c, outcome) -> System.out.println("# case " + c + ": " + outcome));
        System.out.printf("SEC cases_tried %d count%n", r.cases().size());
        System.out.printf("SEC delivered %d messages%n", r.delivered());
        System.out.printf("SEC calls_during_attack %d ok%n", r.callsOk());
        System.out.printf("SEC calls_failed %d count%n", r.callsFailed());
        System.out.printf("SEC call_p50 %.2f ms%n", r.callP50Millis());
        System.out.printf("SEC call_p99 %.2f ms%n", r.callP99Millis());
        System.out.printf("SEC seal_refusals %d messages%n", r.sealRefusals());
        System.out.printf("SEC non_member_drops %d frames%n", r.nonMemberDrops());
        System.out.printf("SEC victim_heap_after %.1f MB%n", r.victimHeapBytes() / 1e6);
        System.out.printf("SEC victim_alive %s bool%n", r.victimAlive());
        System.exit(r.delivered() == 0 && r.victimAlive() && r.callsFailed() == 0 ? 0 : 1);
    }

    /** Starts a victim, attacks it with every case, then floods it for {@code flood}; always ends the victim. */
    public static Result run(Duration flood) throws Exception {
        HostilePeer h = new HostilePeer();
        try {
            return h.attack(flood);
        } finally {
            h.close();
        }
    }

    private Result attack(Duration flood) throws Exception {
        startVictim();
        startWitness();
        Pid sink = pidFrom(awaitLine("SINK ")), counter = pidFrom(awaitLine("COUNTER "));
        ask("GLOBAL hq", "GLOBAL hq yes");
        // one legitimate message to the sink, captured sealed on its way out
        witnessNode.send(Address.remote("sink", VICTIM), "legit");
        await(() -> stat("sink") == 1, "the legitimate message to reach the sink");
        long legit = 1;

        AtomicBoolean probing = new AtomicBoolean(true);
        List<Long> latencies = new CopyOnWriteArrayList<>();
        AtomicLong failed = new AtomicLong();
        Thread prober = Thread.ofVirtual().start(() -> {
            while (probing.get()) {
                long t0 = System.nanoTime();
                try {
                    Integer n = witnessNode.call(Address.remote("counter", VICTIM), "inc", Duration.ofSeconds(5));
                    if (n == null) failed.incrementAndGet();
                    else latencies.add(System.nanoTime() - t0);
                } catch (RuntimeException e) {
                    failed.incrementAndGet();
                }
            }
        });

        org.jgroups.Address victimAddr = witness.view().getMembers().stream()
                .filter(a -> VICTIM.equals(org.jgroups.util.NameCache.get(a)) || a.toString().startsWith(VICTIM)).findFirst().orElseThrow();
        byte[] named = codec.encode(new Frame.SendNamed("sink", prefixed(serializer.serialize("forged"))));
        byte[] toPid = codec.encode(new Frame.Send(sink, serializer.serialize("forged")));

        // 1. outsiders: no key, raw JGroups messages on a raw TCP connection
        for (Reliability r : Reliability.values()) {
            long before = stat("sealRefusals");
            rawSend(false, jgroupsMessage(UUID.randomUUID(), victimAddr, named, r), jgroupsMessage(UUID.randomUUID(), null, toPid, r));
            record("outsider-" + r.label, () -> stat("sealRefusals") >= before + 2, "refused unopened (seal)");
        }
        // 2. key holders that never joined: sealed, from an address outside the view
        for (Reliability r : Reliability.values()) {
            long before = stat("nonMembers");
            rawSend(true, jgroupsMessage(UUID.randomUUID(), victimAddr, named, r), jgroupsMessage(UUID.randomUUID(), null, toPid, r));
            record("keyholder-non-member-" + r.label, () -> stat("nonMembers") >= before + 2, "dropped: not in the view");
        }
        // 3. a member's captured traffic, replayed and tampered with
        List<byte[]> copies = List.copyOf(captured);
        long beforeReplay = stat("sealRefusals");
        rawSendSealed(copies);
        record("replayed-member-messages", () -> stat("sealRefusals") >= beforeReplay + copies.size(), "refused: " + copies.size() + " replays");
        long beforeTamper = stat("sealRefusals");
        List<byte[]> tampered = new ArrayList<>();
        for (byte[] c : copies) {
            byte[] t = c.clone();
            t[t.length / 2] ^= 0x40;
            tampered.add(t);
        }
        rawSendSealed(tampered);
        record("tampered-member-messages", () -> stat("sealRefusals") >= beforeTamper + tampered.size(), "refused: " + tampered.size() + " tampered");
        // 4. a member speaking for others: forged callers, refs, exit senders, global names
        Pid elsewhere = new Pid("gotham@127.0.0.1", 1, 7);
        Ref witnessRef = new Ref(WITNESS, witnessNode.creation(), 1), otherRef = new Ref("gotham@127.0.0.1", 1, 1);
        Pid witnessPid = witnessNode.spawn(self -> self.receive());
        forge("forged-caller-pid", new Frame.Call(sink, elsewhere, witnessRef, serializer.serialize("x")));
        forge("forged-caller-on-victim", new Frame.Call(sink, counter, witnessRef, serializer.serialize("x")));
        forge("forged-call-ref", new Frame.Call(sink, witnessPid, otherRef, serializer.serialize("x")));
        forge("forged-exit-from-victim-process", new Frame.Exit(counter, sink, ExitReason.KILL, false));
        forge("forged-exit-from-other-node", new Frame.Exit(elsewhere, sink, ExitReason.KILL, true));
        forge("forged-global-announce", new Frame.GlobalAnnounce(List.of(new Frame.GlobalClaim(1, "hq", elsewhere, 0))));
        forge("forged-global-release", new Frame.GlobalRelease("hq", pidFrom(ask("WHEREIS hq", "WHEREIS hq"))));
        forge("null-message", new Frame.Send(sink, serializer.serialize(null)));
        String holder = ask("WHEREIS hq", "WHEREIS hq");
        cases.put("global-name-kept", holder.contains("none") || holder.contains("gotham") ? "LOST: " + holder : "kept by " + holder.substring(11));
        // 5. a node with another cookie, and a second node under a live name
        cases.put("wrong-cookie-join", refusedJoin("intruder@127.0.0.1", "not-the-cookie"));
        cases.put("second-node-with-live-name", refusedJoin(WITNESS, COOKIE));
        // 6. length prefixes no node should allocate
        for (int len : new int[] {0x7FFFFFF0, Integer.MIN_VALUE, -1}) {
            cases.put("length-prefix-" + Integer.toHexString(len), lengthPrefix(len));
        }
        // 7. a flood of all of the above while the prober calls
        long end = System.nanoTime() + flood.toNanos();
        long sent = 0;
        try (RawPeer outsider = new RawPeer(); RawPeer insider = new RawPeer()) {
            while (System.nanoTime() < end) {
                for (Reliability r : Reliability.values()) {
                    outsider.send(plain(jgroupsMessage(UUID.randomUUID(), victimAddr, named, r)));
                    insider.send(seal(jgroupsMessage(UUID.randomUUID(), victimAddr, named, r)));
                    sent += 2;
                }
                for (byte[] c : copies) insider.send(c);
                sent += copies.size();
            }
        }
        cases.put("flood", sent + " messages in " + flood.toSeconds() + " s");
        probing.set(false);
        prober.join(Duration.ofSeconds(10));
        // the node is still whole: the sink is alive and hears a member, the counter answers
        witnessNode.send(Address.remote("sink", VICTIM), "legit again");
        legit += 1 + markers;
        long want = legit;
        try {
            await(() -> stat("sink") >= want, "the sink to hear a member after the attack");
        } catch (IllegalStateException e) {
            throw new IllegalStateException(e.getMessage() + " (want " + want + ", " + stats() + "); cases " + cases
                    + "; victim printed " + lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        }
        Integer after = witnessNode.call(Address.remote("counter", VICTIM), "inc", Duration.ofSeconds(10));
        if (after == null) failed.incrementAndGet();
        Map<String, Long> s = stats();
        long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
        return new Result(Map.copyOf(cases), s.get("sink") - legit, sorted.length, failed.get(),
                percentile(sorted, 0.50), percentile(sorted, 0.99), s.get("heapUsed"), victim.isAlive(),
                s.get("sealRefusals"), s.get("nonMembers"), List.copyOf(lines));
    }

    // ------------------------------------------------------------------ cases

    private enum Reliability {
        UNICAST3_HEADER("unicast3-header"), NO_RELIABILITY("no-reliability-flag"), NO_HEADER("no-header");
        final String label;
        Reliability(String label) { this.label = label; }
    }

    private Message jgroupsMessage(org.jgroups.Address src, org.jgroups.Address dest, byte[] frame, Reliability r) {
        Message m = new BytesMessage(dest, frame).setSrc(src);
        m.putHeader(TP_ID, new TpHeader("cohort"));
        switch (r) {
            case UNICAST3_HEADER -> m.putHeader(UNICAST_ID, UnicastHeader3.createDataHeader(1, (short) 1, true));
            case NO_RELIABILITY -> m.setFlag(Message.Flag.NO_RELIABILITY);
            case NO_HEADER -> { }
        }
        return m;
    }

    /** A JGroups message as JGroups' TCP transport writes it. */
    private static byte[] plain(Message m) throws Exception {
        ByteArrayDataOutputStream out = new ByteArrayDataOutputStream(128);
        Util.writeMessage(m, out, m.getDest() == null);
        return Arrays.copyOf(out.buffer(), out.position());
    }

    private byte[] seal(Message m) throws Exception {
        byte[] p = plain(m);
        return insiderSeal.seal(p, 0, p.length);
    }

    private void rawSend(boolean sealed, Message... messages) throws Exception {
        try (RawPeer p = new RawPeer()) {
            for (Message m : messages) {
                p.send(sealed ? seal(m) : plain(m));
            }
        }
    }

    private void rawSendSealed(List<byte[]> sealed) throws Exception {
        try (RawPeer p = new RawPeer()) {
            for (byte[] b : sealed) p.send(b);
        }
    }

    /** The member sends a frame that speaks for another; the victim must drop it. */
    private void forge(String name, Frame frame) throws Exception {
        long sinkBefore = stat("sink");
        witness.send(VICTIM, codec.encode(frame));
        // a marker behind it on the same ordered connection: once it lands, the forged frame was handled
        witnessNode.send(Address.remote("sink", VICTIM), "marker");
        markers++; // the marker itself is legitimate; anything more got through
        try {
            await(() -> stat("sink") >= sinkBefore + 1, "the marker behind " + name);
        } catch (IllegalStateException e) {
            cases.put(name, "DELIVERED (the sink no longer hears)");
            return;
        }
        long sinkAfter = stat("sink");
        cases.put(name, sinkAfter == sinkBefore + 1 ? "dropped" : "DELIVERED");
    }

    private long markers;

    private String refusedJoin(String name, String cookie) {
        try (JGroupsTransport t = new JGroupsTransport(new JGroupsTransport.Settings(name, "127.0.0.1", freePort(),
                List.of(new InetSocketAddress("127.0.0.1", victimPort)), cookie), (f, b) -> { }, u -> { }, d -> { })) {
            t.requireRegistrations(serializer.registrations()); // refused for the case tried, not for its allow-list
            t.connect();
            return "JOINED (" + t.connectedNodes() + ")";
        } catch (SecurityException e) {
            return "refused: " + e.getMessage().replace(' ', '_');
        } catch (Exception e) {
            return "failed otherwise: " + e;
        }
    }

    private String lengthPrefix(int len) throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), victimPort)) {
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            handshake(out);
            out.writeInt(len);
            out.write(new byte[64]);
            out.flush();
            s.setSoTimeout(30_000);
            byte[] drain = new byte[4096];
            while (s.getInputStream().read(drain) >= 0) {
                // the victim's own handshake may come first; then it must close the connection
            }
            return "connection closed";
        } catch (java.net.SocketTimeoutException e) {
            return "connection stayed open";
        } catch (java.net.SocketException e) {
            return "connection closed (" + e.getMessage() + ")";
        }
    }

    private void record(String name, BooleanSupplier refused, String what) {
        try {
            await(refused, name + " to be refused");
            cases.put(name, what);
        } catch (IllegalStateException e) {
            cases.put(name, "NOT REFUSED as expected");
        }
    }

    // ------------------------------------------------------------------ the raw peer

    private static void handshake(DataOutputStream out) throws java.io.IOException {
        IpAddress me = new IpAddress(InetAddress.getLoopbackAddress(), 1 + (int) (Math.random() * 60000));
        out.write(new byte[] {'b', 'e', 'l', 'a'});
        out.writeShort(Version.version);
        out.writeShort(me.serializedSize());
        me.writeTo(out);
    }

    /** One TCP connection that speaks JGroups' framing: a handshake, then length-prefixed messages. */
    private final class RawPeer implements java.io.Closeable {
        private final Socket socket = new Socket(InetAddress.getLoopbackAddress(), victimPort);
        private final DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(socket.getOutputStream()));

        RawPeer() throws java.io.IOException {
            handshake(out);
        }

        void send(byte[] b) throws Exception {
            out.writeInt(b.length);
            out.write(b);
        }

        @Override
        public void close() throws java.io.IOException {
            out.flush();
            socket.close();
        }
    }

    // ------------------------------------------------------------------ the victim and the witness

    private void startVictim() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-XX:+UseSerialGC", "-Dcohort.test.log=WARN",
                "--sun-misc-unsafe-memory-access=allow", "--enable-native-access=ALL-UNNAMED", "-cp", cp,
                "dev.cohort.cluster.NodeMain", "--name", VICTIM, "--port", String.valueOf(victimPort))
                .redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("COHORT_"));
        pb.environment().put("COHORT_COOKIE", COOKIE); // never on a command line
        victim = pb.start();
        Process p = victim;
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
        Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) lines.add(l);
            } catch (java.io.IOException ignored) {
                // it ended
            }
        });
        awaitLine("READY");
    }

    private void startWitness() throws Exception {
        witnessNode = Node.builder().name(WITNESS).build();
        FrameRouter[] router = new FrameRouter[1];
        witness = new JGroupsTransport(new JGroupsTransport.Settings(WITNESS, "127.0.0.1", witnessPort,
                List.of(new InetSocketAddress("127.0.0.1", victimPort)), COOKIE),
                (from, bytes) -> router[0].onFrame(from, bytes), up -> { }, down -> router[0].nodeDown(down));
        router[0] = new FrameRouter(witnessNode, serializer, witness);
        witnessNode.attach(router[0]);
        witness.sealing().tap = (dest, sealed) -> {
            if (captured.size() < 200) captured.add(sealed);
        };
        witness.requireRegistrations(serializer.registrations());
        witness.connect();
        await(() -> witness.isConnected(VICTIM), "the witness to join the victim");
    }

    private void close() {
        if (witness != null) witness.close();
        if (witnessNode != null) witnessNode.close();
        if (victim != null) victim.destroyForcibly();
    }

    private String awaitLine(String prefix) {
        await(() -> lines.stream().anyMatch(l -> l.startsWith(prefix)) || !victim.isAlive(), "the victim to print " + prefix);
        return lines.stream().filter(l -> l.startsWith(prefix)).findFirst()
                .orElseThrow(() -> new IllegalStateException("the victim ended; it printed " + lines));
    }

    private String ask(String command, String prefix) throws Exception {
        int before = lines.size();
        var in = victim.getOutputStream();
        in.write((command + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
        await(() -> lines.stream().skip(before).anyMatch(l -> l.startsWith(prefix)) || !victim.isAlive(), "an answer to " + command);
        return lines.stream().skip(before).filter(l -> l.startsWith(prefix)).findFirst()
                .orElseThrow(() -> new IllegalStateException("the victim ended; it printed " + lines));
    }

    private Map<String, Long> stats() {
        try {
            String line = ask("STATS", "STATS ");
            Map<String, Long> m = new LinkedHashMap<>();
            for (String kv : line.substring(6).split(" ")) {
                String[] p = kv.split("=", 2);
                if (p.length == 2 && !p[0].equals("members")) m.put(p[0], Long.parseLong(p[1]));
            }
            return m;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private long stat(String name) { return stats().get(name); }

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("timed out waiting for " + what);
            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000); // polling a condition, not a timed wait
        }
    }

    private static Pid pidFrom(String line) {
        String[] w = line.trim().split(" ");
        return new Pid(w[w.length - 3], Long.parseLong(w[w.length - 2]), Long.parseLong(w[w.length - 1]));
    }

    private static byte[] prefixed(byte[] value) {
        byte[] b = new byte[value.length + 1];
        System.arraycopy(value, 0, b, 1, value.length); // kind byte 0: a plain message
        return b;
    }

    private static double percentile(long[] sorted, double q) {
        if (sorted.length == 0) return Double.NaN;
        return sorted[(int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] / 1e6;
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
