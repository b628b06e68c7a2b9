package dev.cohort.process;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/**
 * A process's mailbox: many senders, one receiver.
 *
 * <p>Two parts. The <em>inbox</em> is a lock-free intrusive queue (one atomic swap per send,
 * no lock, never blocks the sender). The <em>save queue</em> belongs to the receiver alone:
 * it holds, in arrival order, the messages a selective receive looked at and left. Every
 * message in the save queue arrived before every message in the inbox, so scanning the
 * save queue and then the inbox visits messages in arrival order, as Erlang does.
 *
 * <p>Waking: the receiver spins briefly, then publishes {@code parked = 1}, re-checks the
 * inbox, and parks. A sender links its message, then reads {@code parked} and unparks only
 * if the receiver is (about to be) parked. Both sides use volatile accesses, so a wake-up is
 * never lost. While a batch is waiting the receiver drains it with no park or unpark.
 */
abstract class Mailbox {
    /** Returned by {@link #take} when nothing matched before the timeout. */
    static final Object NONE = new Object();

    /** The most a receiver spins before parking (tunable: {@code -Dcohort.mailbox.spins}). */
    private static final int MAX_SPINS = Integer.getInteger("cohort.mailbox.spins", 256);
    /** A park shorter than this means spinning would likely have caught the message. */
    private static final long SHORT_WAIT_NANOS = Long.getLong("cohort.mailbox.shortWaitNanos", 200_000);
    private static final VarHandle TAIL;
    private static final VarHandle PARKED;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            TAIL = l.findVarHandle(Mailbox.class, "tail", Cell.class);
            PARKED = l.findVarHandle(Mailbox.class, "parked", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    static final class Cell {
        Object msg;
        volatile Cell next;

        Cell(Object msg) { this.msg = msg; }
    }

    /** Receiver-owned: the stub before the oldest inbox message. */
    private Cell head;
    /** The newest inbox cell; senders swap it. */
    @SuppressWarnings("unused")
    private volatile Cell tail;
    /** Receiver-owned save queue. */
    private Cell savedHead, savedTail;
    private volatile int parked;
    /** Receiver-owned: how long to spin before the next park (adapts to recent waits). */
    private int spinLimit;
    /** The thread that receives; set before the first park. */
    volatile Thread owner;
    /** Receiver-owned: messages taken so far (observers read it without synchronization). */
    long received;

    Mailbox() {
        Cell stub = new Cell(null);
        head = stub;
        tail = stub;
    }

    /** Appends a message; never blocks. Safe from any thread. */
    final void enqueue(Object msg) {
        Cell c = new Cell(msg);
        Cell prev = (Cell) TAIL.getAndSet(this, c);
        prev.next = c;
        if (parked != 0 && PARKED.compareAndSet(this, 1, 0)) {
            LockSupport.unpark(owner);
        }
    }

    /** Wakes the receiver if it is parked, without a message (used when the process is ended). */
    final void wake() {
        Thread t = owner;
        if (t != null) LockSupport.unpark(t);
    }

    /**
     * Takes the first message that {@code match} accepts ({@code null} accepts any),
     * waiting at most {@code timeoutNanos} ({@code < 0}: forever; {@code 0}: do not wait).
     *
     * @param skipSaved do not look at messages already in the save queue: right when the
     *                  awaited message can only have been sent after this call began (a reply)
     * @return the message, or {@link #NONE} on timeout
     */
    final Object take(Predicate<Object> match, long timeoutNanos, boolean skipSaved) {
        if (!skipSaved && savedHead != null) {
            Object m = takeSaved(match);
            if (m != NONE) {
                received++;
                return m;
            }
        }
        long deadline = timeoutNanos > 0 ? System.nanoTime() + timeoutNanos : 0;
        for (;;) {
            checkAlive();
            Cell n = head.next;
            if (n != null) {
                head = n;
                Object m = n.msg;
                n.msg = null;
                if (match == null || match.test(m)) {
                    received++;
                    return m;
                }
                save(m);
                continue;
            }
            if (timeoutNanos == 0) return NONE;
            if (!await(deadline)) return NONE;
        }
    }

    private Object takeSaved(Predicate<Object> match) {
        Cell prev = null;
        for (Cell c = savedHead; c != null; prev = c, c = c.next) {
            Object m = c.msg;
            if (match == null || match.test(m)) {
                Cell next = c.next;
                if (prev == null) savedHead = next; else prev.next = next;
                if (c == savedTail) savedTail = prev;
                return m;
            }
        }
        return NONE;
    }

    private void save(Object m) {
        Cell c = new Cell(m);
        if (savedTail == null) savedHead = c; else savedTail.next = c;
        savedTail = c;
    }

    /** Removes every message {@code match} accepts, without waiting (used to flush a Down). */
    final void removeAll(Predicate<Object> match) {
        Object m;
        while ((m = take(null, 0, true)) != NONE) {
            received--; // moved, not received
            save(m);
        }
        Cell prev = null;
        for (Cell c = savedHead; c != null; c = c.next) {
            if (match.test(c.msg)) {
                if (prev == null) savedHead = c.next; else prev.next = c.next;
                if (c == savedTail) savedTail = prev;
            } else {
                prev = c;
            }
        }
    }

    /**
     * Waits until the inbox is non-empty or the deadline passes; {@code false} on timeout.
     *
     * <p>Adaptive spinning: a receiver whose recent waits were short (a busy conversation)
     * spins up to {@link #spinLimit} iterations before parking, which saves a park/unpark
     * pair per message; one whose waits are long (idle, or freshly spawned) parks at once,
     * so a million idle processes cost no CPU.
     */
    private boolean await(long deadline) {
        int limit = spinLimit;
        for (int i = 0; i < limit; i++) {
            if (head.next != null) {
                return true;
            }
            Thread.onSpinWait();
        }
        if (limit > 0) {
            Thread.yield();
            if (head.next != null) return true;
        }
        parked = 1;
        if (head.next != null) {
            parked = 0;
            return true;
        }
        long t0 = System.nanoTime();
        if (deadline == 0) {
            LockSupport.park(this);
        } else {
            long remaining = deadline - t0;
            if (remaining <= 0) {
                parked = 0;
                return false;
            }
            LockSupport.parkNanos(this, remaining);
        }
        parked = 0;
        long waited = System.nanoTime() - t0;
        spinLimit = waited < SHORT_WAIT_NANOS ? Math.min(MAX_SPINS, Math.max(16, limit * 2)) : limit >> 1;
        return head.next != null || deadline == 0 || System.nanoTime() - deadline < 0;
    }

    /** Whether the receiver is parked (or about to park) waiting for a message. */
    final boolean isWaiting() { return parked != 0; }

    /** Number of messages waiting (save queue plus inbox). O(n): for observers, not hot paths. */
    final int queueLength() {
        int n = 0;
        for (Cell c = savedHead; c != null; c = c.next) n++;
        for (Cell c = head.next; c != null; c = c.next) n++;
        return n;
    }

    /** Throws {@link ProcessExit} if the process has ended; called before each wait. */
    abstract void checkAlive();
}
