package dev.cohort.examples.counter;

import java.util.List;

/** The sessions of a counter node, as the web layer sees them, whatever the stage. */
interface Sessions {

    /**
     * Counts one visit of {@code user}, starting the user's session if none runs; two first visits
     * racing end in one session with both counted. Retries (same visit id) while the session's
     * node dies or it moves.
     *
     * @throws IllegalStateException if no session could be reached within 10 s
     */
    Visited visit(String user);

    /** Every live session this node can see (its own in stages simple and clustered, the cluster's after). */
    List<SessionInfo> list();

    /** A counted visit: the user's visits so far and the node hosting the session. */
    record Visited(long visits, String host) {}

    /** One session on the dashboard; {@code visits} is -1 if it did not answer in time. */
    record SessionInfo(String user, long visits, String host) {}
}
