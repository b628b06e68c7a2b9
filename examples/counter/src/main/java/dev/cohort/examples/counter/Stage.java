package dev.cohort.examples.counter;

import java.util.Locale;

/** The four stages of the seed's walk-through, each adding one layer. */
enum Stage {
    /** One node: a local registry and dynamic supervisor. */
    SIMPLE,
    /** Nodes form a cluster, but registry and supervisor stay local: one counter per node per user. */
    CLUSTERED,
    /** DistributedRegistry + DistributedSupervisor: one session per user cluster-wide; a lost node resets its sessions. */
    DISTRIBUTED,
    /** The same, with durable session state: no acknowledged visit is lost when a node stops, crashes or is killed. */
    HANDOFF;

    static Stage parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT).replace("-", ""));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown stage " + s + " (simple, clustered, distributed, handoff)");
        }
    }

    String label() { return name().toLowerCase(Locale.ROOT); }
}
