package dev.cohort.cluster.wire;

import dev.cohort.process.ExitReason;
import dev.cohort.process.Pid;
import dev.cohort.process.Ref;
import java.util.List;
import java.util.Random;

/** Seeded generators of valid frames, for property and fuzz tests. */
final class Frames {
    private Frames() {}

    static final List<String> NODES = List.of("gotham@127.0.0.1", "metropolis@127.0.0.1", "capitol@10.0.0.7", "ünïcode@host");

    static Pid pid(Random r) {
        return new Pid(NODES.get(r.nextInt(NODES.size())), r.nextLong(), r.nextBoolean() ? r.nextInt(1000) : r.nextLong() & Long.MAX_VALUE);
    }

    static Frame.GlobalClaim claim(Random r) {
        return new Frame.GlobalClaim(r.nextLong() & Long.MAX_VALUE, name(r), pid(r), r.nextLong() & Long.MAX_VALUE);
    }

    static String name(Random r) {
        return List.of("counter", "echo", "gotham", "città-" + r.nextInt(100)).get(r.nextInt(4));
    }

    static Ref ref(Random r) {
        return new Ref(NODES.get(r.nextInt(NODES.size())), r.nextLong(), r.nextLong());
    }

    static byte[] payload(Random r, Serializer s) {
        Object v = switch (r.nextInt(4)) {
            case 0 -> "visit " + r.nextInt();
            case 1 -> r.nextLong();
            case 2 -> List.of(r.nextInt(), "x", r.nextDouble());
            default -> new byte[r.nextInt(64)];
        };
        return s.serialize(v);
    }

    static ExitReason reason(Random r) {
        return switch (r.nextInt(9)) {
            case 0 -> ExitReason.NORMAL;
            case 1 -> ExitReason.SHUTDOWN;
            case 2 -> new ExitReason.Shutdown("detail " + r.nextInt(10));
            case 3 -> ExitReason.KILL;
            case 4 -> ExitReason.KILLED;
            case 5 -> ExitReason.NOPROC;
            case 6 -> ExitReason.NOCONNECTION;
            case 7 -> new ExitReason.Crashed(r.nextBoolean() ? new IllegalStateException("boom " + r.nextInt()) : new NullPointerException());
            default -> ExitReason.of("custom-" + r.nextInt(100));
        };
    }

    static Frame frame(Random r, Serializer s) {
        return switch (r.nextInt(17)) {
            case 0 -> new Frame.Send(pid(r), payload(r, s));
            case 1 -> new Frame.Call(pid(r), pid(r), ref(r), payload(r, s));
            case 2 -> new Frame.Cast(pid(r), payload(r, s));
            case 3 -> new Frame.Reply(pid(r), ref(r), payload(r, s));
            case 4 -> new Frame.Exit(pid(r), pid(r), reason(r), r.nextBoolean());
            case 5 -> new Frame.Link(pid(r), pid(r));
            case 6 -> new Frame.Unlink(pid(r), pid(r));
            case 7 -> new Frame.Monitor(pid(r), pid(r), ref(r));
            case 8 -> new Frame.Demonitor(pid(r), ref(r));
            case 9 -> new Frame.SendNamed(name(r), payload(r, s));
            case 10 -> new Frame.CallNamed(name(r), pid(r), ref(r), payload(r, s));
            case 11 -> new Frame.MonitorNamed(pid(r), name(r), ref(r));
            case 12 -> claim(r);
            case 13 -> new Frame.GlobalRelease(name(r), pid(r));
            case 15 -> new Frame.GlobalDenied(r.nextLong(), name(r), pid(r));
            case 14 -> new Frame.GlobalAnnounce(java.util.stream.Stream.generate(() -> claim(r)).limit(r.nextInt(5)).toList());
            default -> new Frame.Down(pid(r), ref(r), pid(r), reason(r));
        };
    }
}
