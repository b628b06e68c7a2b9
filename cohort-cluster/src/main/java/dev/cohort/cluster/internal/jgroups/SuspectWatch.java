package dev.cohort.cluster.internal.jgroups;

import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jgroups.Address;
import org.jgroups.Event;
import org.jgroups.View;
import org.jgroups.stack.Protocol;

/**
 * A pass-through layer just above the failure detectors: it notes which members they suspect,
 * so observers can show a node as <em>suspected</em> between the first missed heartbeat and its
 * exclusion from the view (or its acquittal by VERIFY_SUSPECT2). It decides nothing: suspicion,
 * verification and exclusion stay JGroups' own. JGroups raises a suspicion only on the member
 * that would coordinate the view without the suspect, so one node of the cluster sees it, not
 * every node.
 */
final class SuspectWatch extends Protocol {
    private final Set<Address> suspected = ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.atomic.AtomicLong suspicions = new java.util.concurrent.atomic.AtomicLong();

    @Override
    public Object up(Event evt) {
        if (evt.getType() == Event.SUSPECT) {
            Collection<Address> who = evt.getArg();
            for (Address a : who) if (suspected.add(a)) suspicions.incrementAndGet();
        }
        return up_prot.up(evt);
    }

    @Override
    public Object down(Event evt) {
        switch (evt.getType()) {
            case Event.UNSUSPECT -> {
                Object arg = evt.getArg();
                if (arg instanceof Address a) suspected.remove(a);
                else if (arg instanceof Collection<?> c) suspected.removeAll(c);
            }
            case Event.VIEW_CHANGE -> {
                View v = evt.getArg();
                suspected.retainAll(v.getMembers()); // excluded members are down, no longer suspected
            }
            default -> { }
        }
        return down_prot.down(evt);
    }

    /** Members newly suspected since start (a member suspected again after acquittal counts again). */
    long suspicions() { return suspicions.get(); }

    /** The members suspected now. */
    Set<Address> suspected() { return Set.copyOf(suspected); }
}
