package dev.cohort.cluster.internal.jgroups;

import dev.cohort.cluster.wire.FrameBatch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jgroups.Address;
import org.jgroups.BytesMessage;
import org.jgroups.JChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The frames waiting for one member, bounded in bytes, and who is writing them.
 *
 * <p>The policy when the member reads slower than this node writes (documented in
 * {@link JGroupsTransport#send}): a sender whose frame would take the outbox past
 * {@code maxBytes} waits for room, as Erlang suspends a process on a busy distribution port.
 * A member that stops reading altogether (a stopped or hung process) is removed by JGroups'
 * failure detector within about 2.2 s; its outbox is then closed and its waiting senders go on,
 * their frames dropped as to any departed node. A member that stays in the view but has not
 * drained room for {@code maxStall} is <em>congested</em>: the waiting sender's frame and every
 * frame to it after that are dropped at once (counted, logged once per episode) until the
 * outbox has drained below half its bound. A dropped frame is lost as on a broken connection:
 * calls to that member time out, and replicated state repairs by its periodic sync.
 */
final class PeerOutbox {
    private static final Logger log = LoggerFactory.getLogger(PeerOutbox.class);
    private static final int MAX_BATCH_BYTES = 64 * 1024;
    private static final int MAX_ROUNDS = 64;

    /** Counters shared by every outbox of one transport. */
    static final class Totals {
        final AtomicLong queuedBytes = new AtomicLong();
        /** The most bytes ever queued for one member at once. */
        final AtomicLong peakQueuedBytes = new AtomicLong();
        final java.util.concurrent.atomic.LongAdder dropped = new java.util.concurrent.atomic.LongAdder();
        final java.util.concurrent.atomic.LongAdder congestions = new java.util.concurrent.atomic.LongAdder();

        void add(long bytes) { queuedBytes.addAndGet(bytes); }
    }

    final String node;
    final Address to;
    private final String self;
    private final JChannel channel;
    private final long maxBytes;
    private final long maxStallNanos;
    private final Totals totals;
    private final ConcurrentLinkedQueue<byte[]> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean sending = new AtomicBoolean();
    /** Bytes queued and not yet handed to the channel. */
    private final AtomicLong bytes = new AtomicLong();
    private final ReentrantLock roomLock = new ReentrantLock();
    private final Condition room = roomLock.newCondition();
    private volatile boolean congested, closed;

    PeerOutbox(String self, String node, Address to, JChannel channel, long maxBytes, Duration maxStall, Totals totals) {
        this.self = self;
        this.node = node;
        this.to = to;
        this.channel = channel;
        this.maxBytes = maxBytes;
        this.maxStallNanos = maxStall.toNanos();
        this.totals = totals;
    }

    /**
     * Queues {@code frame} and has it written by a virtual thread if nobody is writing. Waits
     * while the outbox is full (see the class's policy); returns whether the frame was queued.
     */
    boolean offer(byte[] frame) throws InterruptedException {
        if (!reserve(frame.length)) {
            totals.dropped.increment();
            return false;
        }
        queue.add(frame);
        flushAsync();
        return true;
    }

    private boolean reserve(int size) throws InterruptedException {
        if (closed || congested) return false;
        if (tryReserve(size)) return true;
        long deadline = System.nanoTime() + maxStallNanos;
        roomLock.lock();
        try {
            for (;;) {
                if (closed || congested) return false;
                if (tryReserve(size)) return true;
                long left = deadline - System.nanoTime();
                if (left <= 0) break;
                room.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)));
            }
            if (!congested && !closed) {
                congested = true;
                totals.congestions.increment();
                log.warn("{}: node {} has read nothing for {} ms with {} bytes queued for it: frames to it are dropped until its outbox drains",
                        self, node, TimeUnit.NANOSECONDS.toMillis(maxStallNanos), bytes.get());
            }
            return false;
        } finally {
            roomLock.unlock();
        }
    }

    private boolean tryReserve(int size) {
        for (;;) {
            long now = bytes.get();
            // one frame always fits an empty outbox, whatever its size
            if (now > 0 && now + size > maxBytes) return false;
            if (bytes.compareAndSet(now, now + size)) {
                totals.add(size);
                totals.peakQueuedBytes.accumulateAndGet(now + size, Math::max);
                return true;
            }
        }
    }

    private void released(long size) {
        long left = bytes.addAndGet(-size);
        totals.add(-size);
        if (congested && left <= maxBytes / 2) {
            congested = false;
            log.info("{}: node {} reads again: frames to it are queued again", self, node);
        }
        if (roomLock.tryLock()) {
            try {
                room.signalAll();
            } finally {
                roomLock.unlock();
            }
        }
    }

    /** The member left the view (or its address changed): what is queued is dropped, and waiting senders go on. */
    void close() {
        closed = true;
        long n = 0;
        for (byte[] f; (f = queue.poll()) != null; ) {
            n++;
            released(f.length);
        }
        totals.dropped.add(n);
        roomLock.lock();
        try {
            room.signalAll();
        } finally {
            roomLock.unlock();
        }
    }

    long queuedBytes() { return bytes.get(); }

    boolean congested() { return congested; }

    /** Writes what is queued on a new virtual thread if nobody is writing: the caller never waits for the network. */
    private void flushAsync() {
        if (!queue.isEmpty() && sending.compareAndSet(false, true)) {
            Thread.ofVirtual().start(() -> {
                if (!drainHolding()) flush();
            });
        }
    }

    private void flush() {
        while (!queue.isEmpty() && sending.compareAndSet(false, true)) {
            if (drainHolding()) return; // another thread holds the outbox now and drains it
        }
    }

    /**
     * Writes queued frames while holding {@code sending}. After {@link #MAX_ROUNDS} messages
     * this writer has done its share: the outbox, still held, passes to a new thread, so no
     * frame can be left behind with nobody writing. Returns whether it passed it on.
     */
    private boolean drainHolding() {
        boolean passedOn = false;
        try {
            for (int rounds = 0; !queue.isEmpty(); rounds++) {
                if (rounds == MAX_ROUNDS) {
                    Thread.ofVirtual().start(() -> {
                        if (!drainHolding()) flush();
                    });
                    passedOn = true;
                    return true;
                }
                writeOne();
            }
            return false;
        } finally {
            if (!passedOn) sending.set(false);
        }
    }

    private void writeOne() {
        byte[] first = queue.poll();
        if (first == null) return;
        byte[] payload = first;
        long size = first.length;
        if (queue.peek() != null && first.length < MAX_BATCH_BYTES) {
            List<byte[]> batch = new ArrayList<>();
            batch.add(first);
            byte[] next;
            while ((next = queue.peek()) != null && size + next.length <= MAX_BATCH_BYTES) {
                batch.add(queue.poll());
                size += next.length;
            }
            if (batch.size() > 1) payload = FrameBatch.pack(batch);
        }
        try {
            if (!closed) channel.send(new BytesMessage(to, payload));
        } catch (Exception e) {
            log.warn("{}: could not send to {}: {}", self, node, e.toString());
        } finally {
            // counted until written: a write blocked on a member that stopped reading keeps its bytes in the bound
            released(size);
        }
    }
}
