package dev.cohort.cluster.internal.jgroups;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import org.jgroups.Address;
import org.jgroups.Message;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.protocols.MERGE3;
import org.jgroups.protocols.UNICAST3;
import org.jgroups.protocols.UnicastHeader3;
import org.jgroups.protocols.pbcast.GMS;
import org.jgroups.util.MaxOneThreadPerSender;
import org.jgroups.util.MessageBatch;

/**
 * The transport's message dispatch, with non-members kept out. JGroups' default dispatch keeps a
 * queue per sender, forgotten only at the next view change, and UNICAST3 keeps a connection per
 * sender for minutes: a peer that holds the key but never joined could make this node keep both
 * for millions of invented addresses. So once this node is in a view, a message whose source is
 * not a member is dropped here, before any protocol sees it, unless it is membership traffic
 * (discovery, MERGE3, GMS, or UNICAST3's own acks and requests); that passes within a rate, at most
 * {@link #RELIABLE_PER_SECOND} reliable messages a second (a join or merge request opens a UNICAST3
 * connection) and {@link #CONTROL_PER_SECOND} of the rest, and without a per-sender queue. A
 * member's message dropped because this node had not yet installed the view that names it is not
 * lost: its sender retransmits it until it is acknowledged.
 *
 * <p>A former member (one that left a view in the last ten minutes; at most {@link #FORMER_KEPT} are
 * remembered) passes as a member: after a partition its UNICAST3 connection still holds messages
 * sent before the split, and the merge view it sends later is queued behind them. Dropping those
 * would leave a gap that never fills, and the merge would fail for ever.
 *
 * <p>Does not protect against members (they pass), nor against a key holder that joins for real;
 * while a flood uses up the rate, genuine joins and merges wait for it too.
 */
final class MemberGate extends MaxOneThreadPerSender {
    static final int RELIABLE_PER_SECOND = 16, CONTROL_PER_SECOND = 256;
    /** How many former members are remembered, and for how long (UNICAST3 closes a connection after 4 minutes). */
    static final int FORMER_KEPT = 1024;
    static final long FORMER_NANOS = java.util.concurrent.TimeUnit.MINUTES.toNanos(10);
    private static final short GMS_ID = ClassConfigurator.getProtocolId(GMS.class);
    private static final short MERGE_ID = ClassConfigurator.getProtocolId(MERGE3.class);
    private static final short UNICAST_ID = ClassConfigurator.getProtocolId(UNICAST3.class);

    private final short discoveryId;
    private final BiConsumer<Address, String> onDrop;
    private final TokenBucket reliable = new TokenBucket(RELIABLE_PER_SECOND, 4L * RELIABLE_PER_SECOND);
    private final TokenBucket control = new TokenBucket(CONTROL_PER_SECOND, 4L * CONTROL_PER_SECOND);
    private volatile Set<Address> members; // null until this node is in a view
    /** Members that left a view, by when they left: they joined for real, and UNICAST3 still holds their connection. */
    private final Map<Address, Long> former = new LinkedHashMap<>(16, 0.75f, false) {
        @Override protected boolean removeEldestEntry(Map.Entry<Address, Long> eldest) { return size() > FORMER_KEPT; }
    };

    MemberGate(short discoveryId, BiConsumer<Address, String> onDrop) {
        this.discoveryId = discoveryId;
        this.onDrop = onDrop;
    }

    @Override
    public void viewChange(List<Address> view) {
        Set<Address> before = members, now = Set.copyOf(view);
        synchronized (former) {
            long t = System.nanoTime();
            if (before != null) for (Address a : before) if (!now.contains(a)) former.put(a, t);
            former.keySet().removeAll(now);
        }
        members = now;
        super.viewChange(view);
    }

    @Override
    public boolean process(Message msg, boolean oob) {
        Address src = msg.getSrc();
        if (isMember(src)) return super.process(msg, oob);
        String why = refusal(msg);
        if (why != null) {
            onDrop.accept(src, why);
            return true;
        }
        return super.process(msg, true); // no per-sender queue for a non-member
    }

    @Override
    public boolean process(MessageBatch batch, boolean oob) {
        Address src = batch.sender();
        if (isMember(src)) return super.process(batch, oob);
        batch.removeIf(m -> {
            String why = refusal(m);
            if (why != null) onDrop.accept(src, why);
            return why != null;
        }, false);
        return batch.isEmpty() || super.process(batch, true);
    }

    private boolean isMember(Address src) {
        Set<Address> m = members;
        if (m == null || src == null || src.equals(tp.getAddress()) || m.contains(src)) return true;
        synchronized (former) {
            Long left = former.get(src);
            return left != null && System.nanoTime() - left < FORMER_NANOS;
        }
    }

    /** Why a message must be dropped, or null to pass it. */
    private String refusal(Message msg) {
        boolean membership = msg.getHeader(GMS_ID) != null;
        UnicastHeader3 u = msg.getHeader(UNICAST_ID);
        if (u != null && u.type() == UnicastHeader3.DATA) {
            if (!membership) return "it is not a member of the current view";
            return reliable.take() ? null : "too many join or merge requests from non-members (the limit is "
                    + RELIABLE_PER_SECOND + " a second)";
        }
        membership |= u != null || msg.getHeader(MERGE_ID) != null || msg.getHeader(discoveryId) != null;
        if (!membership) return "it is not a member of the current view";
        return control.take() ? null : "too much membership traffic from non-members (the limit is "
                + CONTROL_PER_SECOND + " messages a second)";
    }

    /** A token bucket: {@code perSecond} tokens a second, at most {@code burst} saved up. */
    private static final class TokenBucket {
        private final long perSecond, burst;
        private double tokens;
        private long lastNanos = System.nanoTime();

        TokenBucket(long perSecond, long burst) {
            this.perSecond = perSecond;
            this.burst = burst;
            this.tokens = burst;
        }

        synchronized boolean take() {
            long now = System.nanoTime();
            tokens = Math.min(burst, tokens + (now - lastNanos) * 1e-9 * perSecond);
            lastNanos = now;
            if (tokens < 1) return false;
            tokens -= 1;
            return true;
        }
    }
}
