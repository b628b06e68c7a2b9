package dev.cohort.observer;

import static dev.cohort.observer.ObserverWeb.str;
import static dev.cohort.observer.ProcessTable.nullable;

import dev.cohort.distributed.supervisor.DistributedSupervisor;
import dev.cohort.distributed.supervisor.RunningChild;
import dev.cohort.process.Node;
import dev.cohort.process.Pid;
import dev.cohort.process.ProcessInfo;
import dev.cohort.supervisor.ChildInfo;
import dev.cohort.supervisor.DynamicSupervisor;
import dev.cohort.supervisor.Supervisor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The supervision trees of one node, as {@code :observer} draws them: every local supervisor
 * (found by its label) is asked for its children, in parallel, with a time limit; a supervisor
 * that does not answer in time is shown without children and marked so. The distributed
 * supervisors given to the observer add their member process here with the children it runs
 * (a local read). Roots are supervisors nobody supervises. A supervisor's children beyond
 * {@link #MAX_CHILDREN} are counted, not listed.
 */
final class SupervisionTree {
    static final int MAX_CHILDREN = 100;
    private static final Duration ASK = Duration.ofMillis(500);

    private record Child(Object id, Pid pid, String kind) {}

    private SupervisionTree() {}

    static String json(Node node, List<DistributedSupervisor> distributed, Map<Pid, String> names) {
        Map<Pid, CompletableFuture<List<Child>>> asked = new LinkedHashMap<>();
        List<Pid> pids = new ArrayList<>(node.processes());
        java.util.Collections.sort(pids);
        for (Pid p : pids) {
            String label = node.info(p).map(ProcessInfo::label).orElse(null);
            if (Supervisor.LABEL.equals(label)) {
                asked.put(p, CompletableFuture.supplyAsync(() -> Supervisor.whichChildren(node, p).stream().map(SupervisionTree::child).toList(),
                        r -> Thread.ofVirtual().start(r)));
            } else if (DynamicSupervisor.LABEL.equals(label)) {
                asked.put(p, CompletableFuture.supplyAsync(() -> DynamicSupervisor.whichChildren(node, p).stream().map(SupervisionTree::child).toList(),
                        r -> Thread.ofVirtual().start(r)));
            }
        }
        for (DistributedSupervisor d : distributed) {
            Pid member = d.server();
            if (member == null) continue; // restarting
            List<Child> children = new ArrayList<>();
            for (RunningChild c : d.localChildren()) children.add(new Child(c.id(), c.pid(), "worker"));
            asked.put(member, CompletableFuture.completedFuture(children));
        }
        Map<Pid, List<Child>> answers = new LinkedHashMap<>();
        Set<Pid> unanswered = new HashSet<>();
        long deadline = System.nanoTime() + ASK.toNanos();
        for (var e : asked.entrySet()) {
            try {
                answers.put(e.getKey(), e.getValue().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
            } catch (Exception ex) {
                unanswered.add(e.getKey()); // busy, or ended meanwhile
            }
        }
        Set<Pid> supervised = new HashSet<>();
        for (List<Child> cs : answers.values()) for (Child c : cs) if (c.pid() != null) supervised.add(c.pid());
        StringBuilder b = new StringBuilder("{\"node\":" + str(node.name()) + ",\"roots\":[");
        boolean first = true;
        for (Pid root : asked.keySet()) {
            if (supervised.contains(root)) continue;
            b.append(first ? "" : ",");
            tree(b, node, root, null, answers, unanswered, names, new HashSet<>());
            first = false;
        }
        return b.append("]}").toString();
    }

    private static Child child(ChildInfo c) {
        return new Child(c.id(), c.pid(), c.type().toString().toLowerCase(java.util.Locale.ROOT));
    }

    private static void tree(StringBuilder b, Node node, Pid pid, Object id, Map<Pid, List<Child>> answers, Set<Pid> unanswered,
                             Map<Pid, String> names, Set<Pid> path) {
        ProcessInfo info = node.info(pid).orElse(null);
        String name = info != null && info.registeredName() != null ? info.registeredName() : names.get(pid);
        b.append("{\"pid\":").append(str(pid.toString())).append(",\"id\":").append(id == null || id instanceof Pid ? "null" : str(id.toString()))
                .append(",\"name\":").append(nullable(name)).append(",\"label\":").append(nullable(info == null ? null : info.label()));
        if (unanswered.contains(pid)) b.append(",\"unanswered\":true");
        List<Child> children = answers.get(pid);
        if (children != null && path.add(pid)) {
            b.append(",\"total_children\":").append(children.size()).append(",\"children\":[");
            int n = 0;
            for (Child c : children) {
                if (n == MAX_CHILDREN) break;
                b.append(n++ == 0 ? "" : ",");
                if (c.pid() == null) {
                    b.append("{\"pid\":null,\"id\":").append(str(String.valueOf(c.id()))).append(",\"state\":\"not running\"}");
                } else {
                    tree(b, node, c.pid(), c.id(), answers, unanswered, names, path);
                }
            }
            b.append(']');
            path.remove(pid);
        }
        b.append('}');
    }
}
