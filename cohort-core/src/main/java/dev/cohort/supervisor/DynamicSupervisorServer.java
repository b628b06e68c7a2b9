package dev.cohort.supervisor;

import dev.cohort.process.Down;
import dev.cohort.process.Exit;
import dev.cohort.process.ExitReason;
import dev.cohort.process.From;
import dev.cohort.process.Pid;
import dev.cohort.process.ProcessContext;
import dev.cohort.process.Ref;
import dev.cohort.server.GenServer;
import dev.cohort.server.Next;
import dev.cohort.server.StartException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The process behind {@link DynamicSupervisor}. */
final class DynamicSupervisorServer implements dev.cohort.server.TolerantServer<DynamicSupervisorServer> {
    private static final Logger log = LoggerFactory.getLogger(DynamicSupervisor.class);

    enum Request { WHICH_CHILDREN, COUNT_CHILDREN }
    record StartChild(ChildSpec spec) {}
    record TerminateChild(Pid pid) {}

    private final DynamicSupervisor.Spec spec;
    private final Map<Pid, ChildSpec> children = new LinkedHashMap<>();
    private ProcessContext self;
    private RestartIntensity intensity;

    DynamicSupervisorServer(DynamicSupervisor.Spec spec) { this.spec = spec; }

    @Override
    public Next<DynamicSupervisorServer> init(ProcessContext self) {
        this.self = self;
        self.trapExit(true);
        self.setLabel(DynamicSupervisor.LABEL);
        intensity = new RestartIntensity(spec.maxRestarts(), spec.period(), self.node().clock());
        return Next.ok(this);
    }

    private Pid startOne(ChildSpec c) {
        return ChildSpec.startIn(self, c, spec.extraArgs());
    }

    @Override
    public Next<DynamicSupervisorServer> handleCall(Object request, From from, DynamicSupervisorServer state) {
        Object reply = switch (request) {
            case Request r when r == Request.WHICH_CHILDREN -> children.entrySet().stream()
                    .map(e -> new ChildInfo(e.getKey(), e.getKey(), e.getValue().type(), e.getValue().restart())).toList();
            case Request r -> {
                int sups = (int) children.values().stream().filter(c -> c.type() == ChildType.SUPERVISOR).count();
                yield new ChildCounts(children.size(), children.size(), sups, children.size() - sups);
            }
            case StartChild s -> {
                if (children.size() >= spec.maxChildren()) {
                    yield new StartException(ExitReason.of("max_children"), "dynamic supervisor " + self.self()
                            + " has reached maxChildren " + spec.maxChildren());
                }
                try {
                    Pid pid = startOne(s.spec());
                    children.put(pid, s.spec());
                    yield pid;
                } catch (StartException e) {
                    yield e;
                }
            }
            case TerminateChild t -> {
                ChildSpec c = children.remove(t.pid());
                if (c != null) ChildShutdown.stop(self, t.pid(), c.shutdown());
                yield c != null;
            }
            case null, default -> new IllegalArgumentException("unknown dynamic supervisor request " + request);
        };
        return Next.reply(reply, this);
    }

    @Override
    public Next<DynamicSupervisorServer> handleInfo(Object message, DynamicSupervisorServer state) {
        if (!(message instanceof Exit exit)) return Next.noReply(this);
        ChildSpec c = children.remove(exit.from());
        if (c == null || !c.restart().restartsAfter(exit.reason())) return Next.noReply(this);
        boolean routine = RoutineExit.is(exit.reason());
        for (;;) {
            if (!routine && !intensity.allowRestart()) {
                log.error("dynamic supervisor {} reached its restart intensity ({} in {}); shutting down",
                        self.self(), spec.maxRestarts(), spec.period());
                self.node().telemetry().supervisorGaveUp(self.self(), null);
                stopAll();
                return Next.stop(ExitReason.SHUTDOWN, this);
            }
            try {
                Pid pid = startOne(c);
                children.put(pid, c);
                self.node().telemetry().childRestarted(self.self(), c.id());
                log.info("dynamic supervisor {}: child {} ended with {}; restarted as {}", self.self(), exit.from(), exit.reason(), pid);
                return Next.noReply(this);
            } catch (StartException e) {
                log.error("dynamic supervisor {}: restart of {} failed: {}", self.self(), c.id(), e.getMessage());
                routine = false; // a failed start is a fault
            }
        }
    }

    /** Stops every child concurrently: signal all, then collect the Downs, killing those that outlive their timeout. */
    private void stopAll() {
        record Stopping(Pid pid, Ref ref, ChildSpec spec) {}
        List<Stopping> stopping = new ArrayList<>();
        for (var e : children.entrySet()) {
            Ref ref = self.monitor(e.getKey());
            self.unlink(e.getKey());
            stopping.add(new Stopping(e.getKey(), ref, e.getValue()));
            self.exit(e.getKey(), e.getValue().shutdown() instanceof Shutdown.BrutalKill ? ExitReason.KILL : ExitReason.SHUTDOWN);
        }
        children.clear();
        long start = System.nanoTime();
        for (Stopping s : stopping) {
            Duration wait = switch (s.spec.shutdown()) {
                case Shutdown.Timeout t -> t.duration().minusNanos(System.nanoTime() - start);
                default -> Duration.ofDays(365);
            };
            if (wait.isNegative()) wait = Duration.ZERO;
            if (self.receive(Down.class, d -> d.ref().equals(s.ref), wait).isEmpty()) {
                self.exit(s.pid, ExitReason.KILL);
                self.receive(Down.class, d -> d.ref().equals(s.ref), Duration.ofDays(365));
            }
        }
    }

    @Override
    public void terminate(ExitReason reason, DynamicSupervisorServer state) {
        stopAll();
    }
}
