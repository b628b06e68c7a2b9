package dev.cohort.observer;

import static dev.cohort.observer.ObserverWeb.str;

import dev.cohort.distributed.registry.DistributedRegistry;
import dev.cohort.distributed.registry.Registration;
import dev.cohort.distributed.supervisor.DistributedSupervisor;
import dev.cohort.process.Pid;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The registries and supervisors given to the observer, as this node sees them (local reads,
 * no calls): entries per registry and conflicts settled here; per supervisor the children here
 * and cluster-wide, the members with their states and children, orphans, and the placement
 * balance (the fullest live member over the mean: 1.0 is even).
 */
record DistributedViews(List<DistributedRegistry> registries, List<DistributedSupervisor> supervisors) {

    String registriesJson() {
        StringBuilder b = new StringBuilder("[");
        for (DistributedRegistry r : registries) {
            DistributedRegistry.Stats s = r.stats();
            b.append(b.length() > 1 ? "," : "").append("{\"name\":").append(str(r.name())).append(",\"entries\":").append(s.entries())
                    .append(",\"entries_here\":").append(s.localEntries()).append(",\"conflicts_resolved\":").append(s.conflictsResolved()).append('}');
        }
        return b.append(']').toString();
    }

    String supervisorsJson() {
        StringBuilder b = new StringBuilder("[");
        for (DistributedSupervisor d : supervisors) {
            DistributedSupervisor.Stats s = d.stats();
            b.append(b.length() > 1 ? "," : "").append("{\"name\":").append(str(d.name())).append(",\"children_here\":").append(s.localChildren())
                    .append(",\"children_cluster\":").append(s.globalChildren()).append(",\"orphans\":").append(s.orphans())
                    .append(",\"balance\":").append(String.format(Locale.ROOT, "%.2f", s.balance())).append(",\"members\":[");
            boolean first = true;
            for (var m : s.members().entrySet()) {
                b.append(first ? "" : ",").append("{\"node\":").append(str(m.getKey())).append(",\"state\":")
                        .append(str(m.getValue().toString().toLowerCase(Locale.ROOT))).append(",\"children\":")
                        .append(s.childrenPerMember().getOrDefault(m.getKey(), 0)).append('}');
                first = false;
            }
            b.append("]}");
        }
        return b.append(']').toString();
    }

    /** The keys local processes hold in the registries, as names for the process table. */
    Map<Pid, String> names(String me) {
        Map<Pid, String> out = new HashMap<>();
        for (DistributedRegistry r : registries) {
            for (Map.Entry<Object, Registration> e : r.entries().entrySet()) {
                Pid p = e.getValue().pid();
                if (p.node().equals(me)) out.merge(p, String.valueOf(e.getKey()), (a, c) -> a + ", " + c);
            }
        }
        return out;
    }

    /** Nodes some supervisor member marks as leaving. */
    Set<String> leaving() {
        Set<String> out = new HashSet<>();
        for (DistributedSupervisor d : supervisors) {
            d.members().forEach((node, state) -> { if (state == DistributedSupervisor.MemberState.LEAVING) out.add(node); });
        }
        return out;
    }
}
