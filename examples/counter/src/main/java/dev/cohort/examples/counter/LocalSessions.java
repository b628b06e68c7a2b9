package dev.cohort.examples.counter;

import dev.cohort.process.Node;
import dev.cohort.process.Pid;
import dev.cohort.registry.Registry;
import dev.cohort.server.GenServer;
import dev.cohort.supervisor.ChildSpec;
import dev.cohort.supervisor.DynamicSupervisor;
import dev.cohort.supervisor.Restart;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Stages simple and clustered: a local {@link Registry} and {@link DynamicSupervisor}; sessions live and die on this node. */
final class LocalSessions implements Sessions {
    private final Node node;
    private final Registry registry;
    private final Pid supervisor;

    LocalSessions(Node node) {
        this.node = node;
        this.registry = Registry.unique(node, "sessions");
        this.supervisor = DynamicSupervisor.start(node, DynamicSupervisor.Spec.defaults());
    }

    @Override
    public Visited visit(String user) {
        return VisitLoop.visit(node, user, u -> registry.whereis(Session.key(u)),
                u -> DynamicSupervisor.startChild(node, supervisor, spec(u)));
    }

    private ChildSpec spec(String user) {
        return ChildSpec.worker(Session.key(user), (sup, args) -> GenServer.startLink(sup,
                new EphemeralServer<>(Session.key(user), new Session(user, Session.Naming.local(registry))))).withRestart(Restart.TRANSIENT);
    }

    /** This node's session processes and their names (for the observer). */
    Map<Pid, String> names() {
        Map<Pid, String> out = new HashMap<>();
        for (Registry.Entry e : registry.select(e -> true)) out.put(e.pid(), String.valueOf(e.key()));
        return out;
    }

    @Override
    public List<SessionInfo> list() {
        Map<String, Pid> sessions = new HashMap<>();
        for (Registry.Entry e : registry.select(e -> VisitLoop.userOf(e.key()) != null)) sessions.put(VisitLoop.userOf(e.key()), e.pid());
        return VisitLoop.list(node, sessions);
    }
}
