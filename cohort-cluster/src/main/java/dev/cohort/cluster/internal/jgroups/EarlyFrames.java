package dev.cohort.cluster.internal.jgroups;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.jgroups.Address;
import org.jgroups.Message;

/**
 * Messages from a sender this node does not see in its view yet, held until a view names it.
 * Two races make them: a coordinator installs the view with a joiner and sends to it before the
 * joiner has installed that view, and after a partition the merge leader's side installs the
 * merged view first. JGroups has delivered and acknowledged such a message, so dropping it would
 * lose it for good.
 *
 * <p>Guarantees: a held message is delivered, in arrival order for its sender and before any
 * later message of that sender, once a view names the sender; it is dropped if none does within
 * {@link #MAX_AGE_NANOS}. At most {@link #MAX_BYTES} are held in all and {@link #MAX_SENDER_BYTES}
 * for one sender (a key holder that never joins cannot make this node hold more); a message
 * beyond that is refused. Does not check anything about the message but its size: the caller
 * checks the sender when it delivers.
 */
final class EarlyFrames {
    static final int MAX_BYTES = 4 << 20, MAX_SENDER_BYTES = 1 << 20;
    static final long MAX_AGE_NANOS = TimeUnit.SECONDS.toNanos(30);

    private record Held(Message msg, long at) {}

    private final Map<Address, ArrayDeque<Held>> held = new LinkedHashMap<>();
    private final Map<Address, Integer> senderBytes = new HashMap<>();
    private final java.util.function.LongSupplier nanoClock;
    private int bytes;
    /** Held plus being delivered: while above zero, a sender's new message waits for its older ones. */
    private volatile int pending;

    EarlyFrames() { this(System::nanoTime); }

    /** With a clock of nanoseconds (tests pass their own). */
    EarlyFrames(java.util.function.LongSupplier nanoClock) { this.nanoClock = nanoClock; }

    boolean isEmpty() { return pending == 0; }

    /** Holds {@code msg}; false if that would exceed a bound (the caller drops it). */
    synchronized boolean hold(Message msg, BiConsumer<Address, String> onExpired) {
        expire(onExpired);
        int size = size(msg);
        int ofSender = senderBytes.getOrDefault(msg.getSrc(), 0);
        if (bytes + size > MAX_BYTES || ofSender + size > MAX_SENDER_BYTES) return false;
        held.computeIfAbsent(msg.getSrc(), a -> new ArrayDeque<>()).add(new Held(msg, nanoClock.getAsLong()));
        senderBytes.put(msg.getSrc(), ofSender + size);
        bytes += size;
        pending++;
        return true;
    }

    /** Delivers every held message of a sender that is now a member, then drops the expired ones. */
    synchronized void release(Predicate<Address> isMember, Consumer<Message> deliver, BiConsumer<Address, String> onExpired) {
        for (Message m; (m = next(isMember)) != null; ) deliverCounted(m, deliver);
        expire(onExpired);
    }

    /** Delivers {@code msg} of a member after the held messages of its sender. */
    synchronized void deliverAfterHeld(Message msg, Consumer<Message> deliver) {
        Address src = msg.getSrc();
        for (Message m; (m = next(src::equals)) != null; ) deliverCounted(m, deliver);
        deliver.accept(msg);
    }

    private void deliverCounted(Message m, Consumer<Message> deliver) {
        try {
            deliver.accept(m);
        } finally {
            pending--;
        }
    }

    /** Removes and returns the oldest held message of a sender {@code which} accepts (its pending count stays until delivered). */
    private Message next(Predicate<Address> which) {
        for (Map.Entry<Address, ArrayDeque<Held>> e : held.entrySet()) {
            if (!which.test(e.getKey())) continue;
            Held h = e.getValue().poll();
            forget(e.getKey(), h, e.getValue().isEmpty());
            return h.msg();
        }
        return null;
    }

    private void expire(BiConsumer<Address, String> onExpired) {
        long now = nanoClock.getAsLong();
        for (Iterator<Map.Entry<Address, ArrayDeque<Held>>> it = held.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Address, ArrayDeque<Held>> e = it.next();
            ArrayDeque<Held> q = e.getValue();
            while (!q.isEmpty() && now - q.peek().at() > MAX_AGE_NANOS) {
                Held h = q.poll();
                pending--;
                onExpired.accept(e.getKey(), "no view named it within " + TimeUnit.NANOSECONDS.toSeconds(MAX_AGE_NANOS) + " s");
                bytes -= size(h.msg());
                senderBytes.merge(e.getKey(), -size(h.msg()), Integer::sum);
            }
            if (q.isEmpty()) {
                it.remove();
                senderBytes.remove(e.getKey());
            }
        }
    }

    private void forget(Address src, Held h, boolean last) {
        int size = size(h.msg());
        bytes -= size;
        if (last) {
            held.remove(src);
            senderBytes.remove(src);
        } else {
            senderBytes.merge(src, -size, Integer::sum);
        }
    }

    /** What a held message counts for: its payload and a fixed overhead for headers and bookkeeping. */
    private static int size(Message m) { return m.getLength() + 256; }
}
