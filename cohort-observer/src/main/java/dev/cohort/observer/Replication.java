package dev.cohort.observer;

import static dev.cohort.observer.ObserverWeb.str;

import dev.cohort.crdt.replicator.ReplicatedMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The replication view: per replicated map this node holds, its entries and counters, and per
 * neighbour the last successful anti-entropy sync, the deltas not yet confirmed by one, and
 * whether a sync is running; plus the update-reach chart of the {@link UpdateProbe}.
 */
final class Replication {
    /** A map the observer watches, by the title it shows. */
    record Watched(String title, Supplier<ReplicatedMap.Stats> stats) {}

    private Replication() {}

    static String json(List<Watched> maps, UpdateProbe probe) {
        long now = System.currentTimeMillis();
        StringBuilder b = new StringBuilder("{\"maps\":[");
        boolean first = true;
        for (Watched w : maps) {
            ReplicatedMap.Stats s;
            try {
                s = w.stats().get();
            } catch (RuntimeException e) {
                continue; // closed meanwhile
            }
            b.append(first ? "" : ",").append("{\"map\":").append(str(w.title())).append(",\"entries\":").append(s.size())
                    .append(",\"deltas_sent\":").append(s.deltasSent()).append(",\"delta_bytes\":").append(s.deltaBytes())
                    .append(",\"syncs_started\":").append(s.syncsStarted()).append(",\"replica_ids\":").append(s.replicaIds().size())
                    .append(",\"refused\":").append(s.refused())
                    .append(",\"neighbours\":[");
            boolean firstPeer = true;
            for (Map.Entry<String, ReplicatedMap.PeerStats> e : s.peers().entrySet()) {
                ReplicatedMap.PeerStats p = e.getValue();
                b.append(firstPeer ? "" : ",").append("{\"node\":").append(str(e.getKey())).append(",\"last_sync_ms\":")
                        .append(p.lastSyncMillis() == 0 ? "null" : String.valueOf(p.lastSyncMillis()))
                        .append(",\"sync_age_ms\":").append(p.lastSyncMillis() == 0 ? "null" : String.valueOf(now - p.lastSyncMillis()))
                        .append(",\"deltas_sent\":").append(p.deltasSent()).append(",\"deltas_in_flight\":").append(p.deltasUnconfirmed())
                        .append(",\"sync_in_flight\":").append(p.syncInFlight()).append('}');
                firstPeer = false;
            }
            b.append("]}");
            first = false;
        }
        return b.append("],\"update_reach\":").append(probe.json()).append('}').toString();
    }
}
