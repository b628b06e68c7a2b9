package dev.cohort.bench;

import dev.cohort.process.Down;
import dev.cohort.process.ExitReason;
import dev.cohort.process.From;
import dev.cohort.process.Node;
import dev.cohort.process.Pid;
import dev.cohort.process.ProcessContext;
import dev.cohort.process.Ref;
import dev.cohort.server.GenServer;
import dev.cohort.server.Next;
import dev.cohort.supervisor.ChildSpec;
import dev.cohort.supervisor.Supervisor;
import java.time.Duration;

/**
 * {@code ./cohort demo ping}: a tour of the runtime in one screen. Two processes play
 * ping-pong, a supervised GenServer counts, crashes, and is restarted by its supervisor.
 */
public final class PingDemo {
    private PingDemo() {}

    /** A counter that crashes on request. */
    static final class Counter implements GenServer<Integer> {
        @Override public Next<Integer> init(ProcessContext self) {
            System.out.println("  counter " + self.self() + " started at 0");
            return Next.ok(0);
        }

        @Override public Next<Integer> handleCall(Object request, From from, Integer n) {
            if (request.equals("crash")) throw new IllegalStateException("asked to crash");
            return Next.reply(n + 1, n + 1);
        }
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        try (Node node = Node.builder().name("demo@127.0.0.1").build()) {
            System.out.println("node " + node.name() + " is up");

            System.out.println("\n1. ping-pong between two processes");
            Pid pong = node.spawn(self -> {
                for (;;) {
                    Pid from = self.receive(Pid.class);
                    System.out.println("  " + self.self() + " got ping, sends pong");
                    self.send(from, "pong");
                }
            });
            Pid ping = node.spawn(self -> {
                for (int i = 1; i <= rounds; i++) {
                    self.send(pong, self.self());
                    Object reply = self.receive(Duration.ofSeconds(1)).orElseThrow();
                    System.out.println("  " + self.self() + " got " + reply + " (" + i + "/" + rounds + ")");
                }
            });

            System.out.println("\n2. a supervised GenServer, crashed and restarted");
            Pid sup = Supervisor.start(node, Supervisor.builder()
                    .child(ChildSpec.worker("counter", s -> GenServer.startLink(s, new Counter(),
                            dev.cohort.server.StartOptions.named("counter"))))
                    .build());
            var counter = dev.cohort.process.Address.name("counter");
            for (int i = 0; i < 2; i++) System.out.println("  call counter -> " + node.<Integer>call(counter, "inc"));
            Pid before = node.whereis("counter");
            try {
                node.call(counter, "crash");
            } catch (dev.cohort.process.CallException e) {
                System.out.println("  call crash -> " + e.getMessage());
            }
            while (node.whereis("counter") == null || node.whereis("counter").equals(before)) Thread.onSpinWait();
            System.out.println("  restarted by supervisor " + sup + ": call counter -> " + node.<Integer>call(counter, "inc"));

            System.out.println("\n3. a monitor sees a process die");
            var watched = new java.util.concurrent.CompletableFuture<Down>();
            node.spawn(self -> {
                Pid victim = self.spawn(v -> v.receive());
                Ref ref = self.monitor(victim);
                self.exit(victim, ExitReason.KILL);
                watched.complete(self.receive(Down.class));
            });
            System.out.println("  " + watched.get());
            System.out.println("\n" + node.processCount() + " processes alive; ping finished: " + !node.isAlive(ping));
        }
    }
}
