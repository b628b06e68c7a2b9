package dev.cohort.supervisor;

import dev.cohort.process.Exit;
import dev.cohort.process.ExitReason;
import dev.cohort.process.From;
import dev.cohort.process.Pid;
import dev.cohort.process.ProcessContext;
import dev.cohort.server.GenServer;
import dev.cohort.server.Next;
import dev.cohort.server.StartException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The process behind {@link Supervisor}. Its state is the ordered child list. */
final class SupervisorServer implements dev.cohort.server.TolerantServer<SupervisorServer> {
    private static final Logger log = LoggerFactory.getLogger(Supervisor.class);

    enum Request { WHICH_CHILDREN, COUNT_CHILDREN }
    record StartChild(ChildSpec spec) {}
    record TerminateChild(Object id) {}
    record RestartChild(Object id) {}
    record DeleteChild(Object id) {}

    /** A child and its current process (null when not running). */
    private static final class Child {
        final ChildSpec spec;
        Pid pid;

        Child(ChildSpec spec) { this.spec = spec; }
    }

    private final Supervisor.Spec spec;
    private final List<Child> children = new ArrayList<>();
    private ProcessContext self;
    private RestartIntensity intensity;

    SupervisorServer(Supervisor.Spec spec) { this.spec = spec; }

    @Override
    public Next<SupervisorServer> init(ProcessContext self) {
        this.self = self;
        self.trapExit(true);
        self.setLabel(Supervisor.LABEL);
        this.intensity = new RestartIntensity(spec.maxRestarts(), spec.period(), self.node().clock());
        for (ChildSpec c : spec.children()) {
            Child child = new Child(c);
            try {
                child.pid = startOne(c);
            } catch (RuntimeException e) {
                stopAll();
                return Next.stop(e instanceof StartException s ? s.reason() : new ExitReason.Crashed(e), this);
            }
            children.add(child);
        }
        return Next.ok(this);
    }

    private Pid startOne(ChildSpec c) {
        return ChildSpec.startIn(self, c, List.of());
    }

    @Override
    public Next<SupervisorServer> handleCall(Object request, From from, SupervisorServer state) {
        Object reply = switch (request) {
            case Request r when r == Request.WHICH_CHILDREN -> children.stream()
                    .map(c -> new ChildInfo(c.spec.id(), c.pid, c.spec.type(), c.spec.restart())).toList();
            case Request r -> counts();
            case StartChild s -> startChild(s.spec());
            case TerminateChild t -> terminateChild(t.id());
            case RestartChild r -> restartChild(r.id());
            case DeleteChild d -> deleteChild(d.id());
            case null, default -> new IllegalArgumentException("unknown supervisor request " + request);
        };
        return Next.reply(reply, this);
    }

    private ChildCounts counts() {
        int active = 0, sups = 0;
        for (Child c : children) {
            if (c.pid != null) active++;
            if (c.spec.type() == ChildType.SUPERVISOR) sups++;
        }
        return new ChildCounts(children.size(), active, sups, children.size() - sups);
    }

    private Object startChild(ChildSpec spec) {
        if (find(spec.id()) >= 0) return new IllegalArgumentException("a child with id " + spec.id() + " already exists");
        try {
            Child c = new Child(spec);
            c.pid = startOne(spec);
            children.add(c);
            return c.pid;
        } catch (StartException e) {
            return e;
        }
    }

    private boolean terminateChild(Object id) {
        int i = find(id);
        if (i < 0) return false;
        Child c = children.get(i);
        if (c.pid != null) {
            ChildShutdown.stop(self, c.pid, c.spec.shutdown());
            c.pid = null;
        }
        if (c.spec.restart() == Restart.TEMPORARY) children.remove(i);
        return true;
    }

    private Object restartChild(Object id) {
        int i = find(id);
        if (i < 0) return new IllegalArgumentException("no child " + id);
        Child c = children.get(i);
        if (c.pid != null) return new IllegalStateException("child " + id + " is running");
        try {
            c.pid = startOne(c.spec);
            return c.pid;
        } catch (StartException e) {
            return e;
        }
    }

    private boolean deleteChild(Object id) {
        int i = find(id);
        if (i < 0 || children.get(i).pid != null) return false;
        children.remove(i);
        return true;
    }

    private int find(Object id) {
        for (int i = 0; i < children.size(); i++) if (children.get(i).spec.id().equals(id)) return i;
        return -1;
    }

    private int findPid(Pid pid) {
        for (int i = 0; i < children.size(); i++) if (pid.equals(children.get(i).pid)) return i;
        return -1;
    }

    @Override
    public Next<SupervisorServer> handleInfo(Object message, SupervisorServer state) {
        if (!(message instanceof Exit exit)) {
            log.warn("supervisor {} ignored unexpected message {}", self.self(), message);
            return Next.noReply(this);
        }
        int i = findPid(exit.from());
        if (i < 0) return Next.noReply(this);
        Child c = children.get(i);
        c.pid = null;
        if (!c.spec.restart().restartsAfter(exit.reason())) {
            if (c.spec.restart() == Restart.TEMPORARY) children.remove(i);
            return Next.noReply(this);
        }
        log.info("supervisor {}: child {} ({}) ended with {}; restarting ({})",
                who(), c.spec.id(), exit.from(), exit.reason(), spec.strategy());
        return restart(c, RoutineExit.is(exit.reason()));
    }

    /** Restarts per strategy, retrying failed starts while intensity allows. */
    private Next<SupervisorServer> restart(Child failed, boolean routine) {
        for (;;) {
            if (!routine && !intensity.allowRestart()) {
                log.error("supervisor {} reached its restart intensity ({} in {}); shutting down",
                        who(), spec.maxRestarts(), spec.period());
                self.node().telemetry().supervisorGaveUp(self.self(), spec.name());
                stopAll();
                return Next.stop(ExitReason.SHUTDOWN, this);
            }
            int at = children.indexOf(failed);
            List<Child> affected = switch (spec.strategy()) {
                case ONE_FOR_ONE -> List.of(failed);
                case ONE_FOR_ALL -> List.copyOf(children);
                case REST_FOR_ONE -> List.copyOf(children.subList(at, children.size()));
            };
            for (int k = affected.size() - 1; k >= 0; k--) {
                Child c = affected.get(k);
                if (c.pid != null) {
                    ChildShutdown.stop(self, c.pid, c.spec.shutdown());
                    c.pid = null;
                }
            }
            Child broken = null;
            for (Child c : affected) {
                if (c.spec.restart() == Restart.TEMPORARY && c != failed) {
                    children.remove(c);
                    continue;
                }
                try {
                    c.pid = startOne(c.spec);
                    self.node().telemetry().childRestarted(self.self(), c.spec.id());
                } catch (StartException e) {
                    log.error("supervisor {}: restart of child {} failed: {}", who(), c.spec.id(), e.getMessage());
                    broken = c;
                    break;
                }
            }
            if (broken == null) return Next.noReply(this);
            failed = broken;
            routine = false; // a failed start is a fault
        }
    }

    /** How logs name this supervisor: its name and pid, or its pid. */
    private String who() { return spec.name() == null ? self.self().toString() : spec.name() + " " + self.self(); }

    private void stopAll() {
        for (int k = children.size() - 1; k >= 0; k--) {
            Child c = children.get(k);
            if (c.pid != null) {
                ChildShutdown.stop(self, c.pid, c.spec.shutdown());
                c.pid = null;
            }
        }
    }

    @Override
    public void terminate(ExitReason reason, SupervisorServer state) {
        stopAll();
    }
}
