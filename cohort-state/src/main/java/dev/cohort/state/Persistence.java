package dev.cohort.state;

import dev.cohort.cluster.wire.Serializer;
import dev.cohort.server.GenServer;
import dev.cohort.state.store.StateStore;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;

/**
 * How durable servers keep their state: the store, the serializer, the write policy and the
 * schema version. Build one per kind of state and make a server per key with {@link #server}.
 *
 * <pre>{@code
 * Persistence sessions = Persistence.builder(StateStore.sqlite(Path.of("state.db")), serializer)
 *         .policy(WritePolicy.writeThrough()).build();
 * GenServer<Visits> server = sessions.server("session:ana", Visits.class, new Session());
 * }</pre>
 *
 * <p>What a server made here guarantees:
 * <ul>
 *   <li><b>Restore on start</b>, wherever it starts: its {@code init} acquires the key (a new,
 *       strictly higher epoch) and receives the stored state, or {@link StatefulServer#initial}.</li>
 *   <li><b>Persistence</b> of every state change per the {@link WritePolicy}; with write-through
 *       a change is durable before the reply to the call that made it.</li>
 *   <li><b>Fencing</b>: once a newer incarnation acquired the key, this one's writes are refused;
 *       it then stops with {@code {shutdown, }{@link Fenced}{@code }} and writes nothing more,
 *       so a stale duplicate can never overwrite the newer state. Its refused change is not
 *       acknowledged (the call that made it fails).</li>
 *   <li><b>Versioned state</b>: rows carry {@link Builder#version}; older rows pass through
 *       {@link Builder#upgrade}; unreadable ones stop the start with {@link StateUnreadableException}.</li>
 * </ul>
 * Not guaranteed: that only one incarnation <em>runs</em> at a time (that is the registry's and
 * supervisor's job; fencing makes a second one harmless), or durability of changes a
 * write-behind or on-stop policy had not written when the node died.
 *
 * <p>The application's classes get Fory wire ids in the order they were allowed (from
 * {@link dev.cohort.wire.WireTypes#FIRST_APPLICATION_ID}; Cohort's own types have their modules'
 * stable ids), so a serializer for stored state must allow the same classes in the same order in
 * every version of the code (add new ones at the end).
 */
public final class Persistence {
    private final StateStore store;
    private final Serializer serializer;
    private final WritePolicy policy;
    private final int version;
    private final StateUpgrade upgrade;
    final LongAdder writes = new LongAdder(), restores = new LongAdder(), fenced = new LongAdder();

    private Persistence(Builder b) {
        this.store = b.store;
        this.serializer = b.serializer;
        this.policy = b.policy;
        this.version = b.version;
        this.upgrade = b.upgrade;
    }

    public static Builder builder(StateStore store, Serializer serializer) {
        return new Builder(store, serializer);
    }

    /**
     * A new server process body for {@code key}: start it (or have a supervisor start it) like
     * any {@link GenServer}. Make a new one per start; one instance serves one process.
     */
    public <S> GenServer<S> server(String key, Class<S> stateType, StatefulServer<S> logic) {
        return new DurableServer<>(this, key, stateType, logic);
    }

    public StateStore store() { return store; }

    Serializer serializer() { return serializer; }

    public WritePolicy policy() { return policy; }

    public int version() { return version; }

    StateUpgrade upgrade() { return upgrade; }

    /** Counts since this persistence was built: writes that landed, restores, and servers fenced. */
    public Stats stats() { return new Stats(writes.sum(), restores.sum(), fenced.sum()); }

    /** See {@link #stats()}. */
    public record Stats(long writes, long restores, long fenced) {}

    /** Options of a {@link Persistence}; defaults: write-through, version 0, no upgrade. */
    public static final class Builder {
        private final StateStore store;
        private final Serializer serializer;
        private WritePolicy policy = WritePolicy.writeThrough();
        private int version;
        private StateUpgrade upgrade;

        private Builder(StateStore store, Serializer serializer) {
            this.store = Objects.requireNonNull(store, "store");
            this.serializer = Objects.requireNonNull(serializer, "serializer");
        }

        public Builder policy(WritePolicy policy) {
            this.policy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** The schema version of the state this code writes; raise it when the state's shape changes. */
        public Builder version(int version) {
            if (version < 0) throw new IllegalArgumentException("version must be >= 0, got " + version);
            this.version = version;
            return this;
        }

        /** Converts state stored by an older version; without one, older state is refused. */
        public Builder upgrade(StateUpgrade upgrade) {
            this.upgrade = Objects.requireNonNull(upgrade, "upgrade");
            return this;
        }

        public Persistence build() { return new Persistence(this); }
    }
}
