package dev.cohort.state;

import java.time.Duration;
import java.util.Objects;

/**
 * When a durable server's state changes reach the store.
 * <ul>
 *   <li>{@link #writeThrough()}: each change is durable before the callback that made it
 *       returns, so before its reply leaves. No acknowledged change is ever lost, whatever
 *       kills the node. Costs one store round trip per change.</li>
 *   <li>{@link #writeBehind(Duration, int)}: changes are coalesced and written at most every
 *       {@code maxDelay} or every {@code maxChanges} changes, and on a graceful stop. A kill
 *       loses the changes since the last write.</li>
 *   <li>{@link #onStop()}: written only when the server stops gracefully (what a
 *       {@code terminate} backup does; for comparison). A kill loses everything since start.</li>
 * </ul>
 */
public sealed interface WritePolicy {

    static WritePolicy writeThrough() { return WriteThrough.INSTANCE; }

    static WritePolicy writeBehind(Duration maxDelay, int maxChanges) { return new WriteBehind(maxDelay, maxChanges); }

    static WritePolicy onStop() { return OnStop.INSTANCE; }

    /** See {@link WritePolicy#writeThrough()}. */
    record WriteThrough() implements WritePolicy {
        static final WriteThrough INSTANCE = new WriteThrough();
    }

    /** See {@link WritePolicy#writeBehind(Duration, int)}. */
    record WriteBehind(Duration maxDelay, int maxChanges) implements WritePolicy {
        public WriteBehind {
            Objects.requireNonNull(maxDelay, "maxDelay");
            if (maxDelay.isNegative() || maxDelay.isZero()) throw new IllegalArgumentException("maxDelay must be positive, got " + maxDelay);
            if (maxChanges < 1) throw new IllegalArgumentException("maxChanges must be >= 1, got " + maxChanges);
        }
    }

    /** See {@link WritePolicy#onStop()}. */
    record OnStop() implements WritePolicy {
        static final OnStop INSTANCE = new OnStop();
    }
}
