package dev.cohort.distributed.supervisor;

import dev.cohort.cluster.ClusterNode;
import dev.cohort.cluster.spawn.SpawnRequest;
import dev.cohort.crdt.Dot;
import dev.cohort.crdt.HostileDeltas;
import dev.cohort.time.Timestamp;
import dev.cohort.distributed.registry.RegistryRequest;
import dev.cohort.process.Address;
import dev.cohort.process.Cast;
import dev.cohort.process.Pid;
import dev.cohort.supervisor.Restart;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * A member of the cluster (it holds the cookie: the transport lets it in) that sends Cohort's own
 * processes well-formed messages carrying extreme values: replication deltas whose causal
 * contexts and stamps sit at and past every limit (counters near 2^53 and 2^63, stamps an hour or
 * centuries ahead), sync and retirement messages with huge declared counts and long or spoofed
 * replica ids, registry and supervisor requests with damaged, empty, huge or foreign content,
 * child records with 60 KB ids, unknown factories and foreign owners, spawn requests for unknown
 * functions and under the system supervisor, pids of processes that never existed, and messages
 * of types no server expects. Seeded: a failing case is replayed by its seed and index.
 *
 * <p>What it never sends is what a member may legitimately do (start or stop a real child,
 * unregister a live name, or remove a key: a causal context that covers dots another replica
 * really made is a removal, which any replica may make): the cluster trusts its members that
 * far, as Erlang does. So a context claims dots of a real replica only beyond what it made.
 */
final class HostileMember {
    /** The victim's names and what the member knows of it. */
    record Victim(String node, String kvReplicaId) {}

    private static final long[] COUNTERS = {0, 1, 2, Dot.MAX_COUNTER - 1, Dot.MAX_COUNTER, Dot.MAX_COUNTER + 1, Long.MAX_VALUE,
            Long.MIN_VALUE, -1, Integer.MAX_VALUE, 1L << 62};
    private static final String[] MAPS = {"cohort.crdt.kv", "cohort.crdt.registry.bench", "cohort.crdt.registry.bench.meta",
            "cohort.crdt.supervisor.workers"};
    private static final String[] SERVERS = {"cohort.registry.bench", "cohort.supervisor.workers", "cohort_spawner",
            "cohort_global_keeper", "cohort_system", "cohort.service.crdt.kv", "cohort.service.registry.bench",
            "cohort.service.supervisor.workers"};

    private final ClusterNode member;
    private final SupervisorCodec codec = new SupervisorCodec();
    private final Random rnd;
    private final Map<String, Integer> tried = new TreeMap<>();
    private int sequence;

    HostileMember(ClusterNode member, long seed) {
        this.member = member;
        this.rnd = new Random(seed);
    }

    /** How many cases of each kind were sent so far. */
    Map<String, Integer> tried() { return Map.copyOf(tried); }

    int total() { return tried.values().stream().mapToInt(Integer::intValue).sum(); }

    /** Sends one case, of a kind drawn at random, to {@code v}. Calls wait at most 250 ms for their answer (the member needs none). */
    void sendOne(Victim v) {
        int kind = rnd.nextInt(9);
        String what = switch (kind) {
            case 0, 1 -> delta(v);
            case 2 -> sync(v);
            case 3 -> retired(v);
            case 4 -> foreignToReplicator(v);
            case 5 -> registry(v);
            case 6 -> supervisor(v);
            case 7 -> spawn(v);
            default -> junk(v);
        };
        tried.merge(what, 1, Integer::sum);
        sequence++;
    }

    /** Claims on a real replica's dots: all past what it made (refused), or outside the legal range. */
    private static final long[] BEYOND = {Dot.MAX_COUNTER - 1, Dot.MAX_COUNTER, Dot.MAX_COUNTER + 1, Long.MAX_VALUE, Long.MIN_VALUE,
            -1, Integer.MAX_VALUE, 1L << 62};

    private long counter() { return COUNTERS[rnd.nextInt(COUNTERS.length)]; }

    private long beyond() { return BEYOND[rnd.nextInt(BEYOND.length)]; }

    /** A sender id: the member's own, the victim's (a spoof), another node's, 1024 or 1025 characters, or empty-ish. */
    private String senderId(Victim v) {
        return switch (rnd.nextInt(6)) {
            case 0 -> member.name() + "/" + member.node().creation();
            case 1 -> v.kvReplicaId();
            case 2 -> "zz@10.0.0.9/1";
            case 3 -> member.name() + "/" + "9".repeat(1024 - member.name().length() - 1);
            case 4 -> "x".repeat(1025);
            default -> member.name() + "/" + member.node().creation() + "." + Long.MAX_VALUE;
        };
    }

    private String delta(Victim v) {
        String map = MAPS[rnd.nextInt(MAPS.length)];
        String sender = senderId(v);
        byte[] body;
        String what;
        if (rnd.nextBoolean()) {
            String[] replicas = {sender, v.kvReplicaId(), "x@1.2.3.4/1"};
            boolean real = sender.equals(v.kvReplicaId());
            long[] counters = {real ? beyond() : counter(), beyond(), counter()};
            body = HostileDeltas.contextOnly(replicas, counters);
            what = "delta:context";
        } else {
            long now = System.currentTimeMillis();
            long[] millis = {now, now + 3_600_000L, now + 500 + rnd.nextInt(1000), Timestamp.MAX_MILLIS, Timestamp.MAX_MILLIS + 1,
                    Long.MAX_VALUE, 0, -1, now - 86_400_000L};
            long stamp = millis[rnd.nextInt(millis.length)];
            // keys no workload writes: a write that is admitted lands everywhere alike
            body = HostileDeltas.oneWrite(sender, stamp, counter(), "hostile:" + sequence, rnd.nextInt());
            what = "delta:write";
        }
        member.node().send(Address.remote(map, v.node()), message(1, sender, body));
        return what;
    }

    private String sync(Victim v) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        switch (rnd.nextInt(3)) {
            case 0 -> { body.write(rnd.nextInt(8)); varlong(body, Long.MAX_VALUE); } // a huge declared count, nothing after it
            case 1 -> { body.write(1); varlong(body, 1L << 40); for (int i = 0; i < 8; i++) body.write(0); }
            default -> { byte[] b = new byte[rnd.nextInt(64)]; rnd.nextBytes(b); body.writeBytes(b); }
        }
        member.node().send(Address.remote(MAPS[rnd.nextInt(MAPS.length)], v.node()), message(2, senderId(v), body.toByteArray()));
        return "sync";
    }

    private String retired(Victim v) {
        String id = rnd.nextBoolean() ? v.kvReplicaId() : senderId(v);
        member.node().send(Address.remote(MAPS[rnd.nextInt(MAPS.length)], v.node()),
                message(3, senderId(v), id.getBytes(StandardCharsets.UTF_8)));
        return "retired";
    }

    /** What a replicator does not speak: strings, numbers, empty and one-byte arrays, lists. */
    private String foreignToReplicator(Victim v) {
        Object m = switch (rnd.nextInt(5)) {
            case 0 -> "sync-now";
            case 1 -> Long.MAX_VALUE;
            case 2 -> new byte[0];
            case 3 -> new byte[] {(byte) rnd.nextInt(256)};
            default -> new ArrayList<>(List.of(1, 2, 3));
        };
        member.node().send(Address.remote(MAPS[rnd.nextInt(MAPS.length)], v.node()), m);
        return "replicator:foreign";
    }

    private String registry(Victim v) {
        byte[] key = switch (rnd.nextInt(4)) {
            case 0 -> new byte[0];
            case 1 -> bytes(rnd.nextInt(64));
            case 2 -> bytes(256 * 1024);
            default -> new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F};
        };
        Object request = switch (rnd.nextInt(4)) {
            case 0 -> new RegistryRequest.Whereis(key);
            case 1 -> new RegistryRequest.Unregister(key);
            case 2 -> new MemberRequest.Count(); // another server's request
            default -> "whereis everything";
        };
        call("cohort.registry.bench", v, request);
        return "registry";
    }

    private String supervisor(Victim v) {
        Object request = switch (rnd.nextInt(7)) {
            case 0 -> new MemberRequest.Start(bytes(rnd.nextInt(200)));
            case 1 -> new MemberRequest.Start(new byte[0]);
            case 2 -> new MemberRequest.Start(codec.encode(record("x".repeat(60_000), "permanent", v.node(), bytes(16))));
            case 3 -> new MemberRequest.Start(codec.encode(record("hostile-child:" + sequence, "no-such-factory", v.node(), bytes(8))));
            case 4 -> new MemberRequest.Start(codec.encode(record("p:0", "permanent", "zz@10.0.0.9", bytes(8)))); // placed elsewhere
            case 5 -> new MemberRequest.Terminate(new Pid(v.node(), rnd.nextLong(), rnd.nextLong() & Long.MAX_VALUE)); // never existed
            default -> new RegistryRequest.Whereis(bytes(12)); // another server's request
        };
        call("cohort.supervisor.workers", v, request);
        return "supervisor";
    }

    private ChildRecord record(String id, String factory, String owner, byte[] arg) {
        Restart[] r = Restart.values();
        return new ChildRecord(id, factory, arg, r[rnd.nextInt(r.length)], owner, null);
    }

    private String spawn(Victim v) {
        SpawnRequest request = switch (rnd.nextInt(4)) {
            case 0 -> new SpawnRequest("no-such-function", "x", null, null);
            case 1 -> new SpawnRequest("f".repeat(10_000), null, null, null);
            case 2 -> new SpawnRequest("permanent", "x", null, "cohort_system"); // a child under the system supervisor
            default -> new SpawnRequest("no-such-function", List.of(1, 2), new Pid(v.node(), 1, 1), "no-such-supervisor");
        };
        call("cohort_spawner", v, request);
        return "spawn";
    }

    /** Messages of types nobody expects, as sends, casts and calls, to every server of the victim. */
    private String junk(Victim v) {
        String to = SERVERS[rnd.nextInt(SERVERS.length)];
        Object m = switch (rnd.nextInt(4)) {
            case 0 -> "what is this";
            case 1 -> new byte[rnd.nextInt(1024)];
            case 2 -> new Cast(Integer.MIN_VALUE);
            default -> new ArrayList<>(List.of("a", "b"));
        };
        if (rnd.nextBoolean()) member.node().send(Address.remote(to, v.node()), m);
        else call(to, v, m);
        return "junk";
    }

    private void call(String name, Victim v, Object request) {
        try {
            member.node().call(Address.remote(name, v.node()), request, Duration.ofMillis(250));
        } catch (RuntimeException e) {
            // refused, an error reply or no reply: what the victim does with it is what the test checks
        }
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
    }

    /** A replication message: kind, sender id, body (ReplicationMessage's documented layout). */
    private static byte[] message(int kind, String sender, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(kind);
        byte[] id = sender.getBytes(StandardCharsets.UTF_8);
        varlong(out, id.length);
        out.writeBytes(id);
        out.writeBytes(body);
        return out.toByteArray();
    }

    private static void varlong(ByteArrayOutputStream out, long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }
}
