package dev.cohort.state;

import dev.cohort.distributed.registry.RegistryConflict;
import dev.cohort.process.Exit;
import dev.cohort.process.ExitReason;
import dev.cohort.process.From;
import dev.cohort.process.ProcessContext;
import dev.cohort.server.GenServer;
import dev.cohort.server.Next;
import dev.cohort.state.store.FencedException;
import dev.cohort.state.store.StateStore;
import dev.cohort.state.store.StoreUnavailableException;
import dev.cohort.state.store.StoredState;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link GenServer} {@link Persistence#server} makes: restores in {@code init}, then runs
 * the user's callbacks and persists the states they return per the write policy (see
 * {@link Persistence} for the guarantees). It traps exits, so a supervisor's shutdown runs
 * {@code terminate} and with it the final flush. An exit signal from a distributed registry
 * that kept another holder of the server's name ({@link RegistryConflict}) stops it at once,
 * without writing: the winner's state is the one that counts.
 */
final class DurableServer<S> implements GenServer<S> {
    private static final Logger log = LoggerFactory.getLogger(DurableServer.class);
    private static final Object FLUSH = new Object() {
        @Override public String toString() { return "cohort.state.flush"; }
    };

    private final Persistence persistence;
    private final String key;
    private final Class<S> type;
    private final StatefulServer<S> logic;
    private ProcessContext self;
    private long epoch = -1;
    private int pending;          // changes not yet written
    private boolean flushScheduled, fenced, storeFailed, yielded;

    DurableServer(Persistence persistence, String key, Class<S> type, StatefulServer<S> logic) {
        this.persistence = persistence;
        this.key = Objects.requireNonNull(key, "key");
        this.type = Objects.requireNonNull(type, "stateType");
        this.logic = Objects.requireNonNull(logic, "logic");
    }

    @Override
    public Next<S> init(ProcessContext self) throws Exception {
        if (epoch != -1) throw new IllegalStateException("a durable server for " + key + " serves one process: make a new one per start");
        this.self = self;
        self.trapExit(true);
        logic.beforeRestore(self);
        StateStore.Acquired acquired = persistence.store().acquire(key);
        epoch = acquired.epoch();
        persistence.restores.increment();
        S state;
        boolean restored = acquired.state().isPresent();
        if (restored) {
            state = decode(acquired.state().get());
        } else {
            state = Objects.requireNonNull(logic.initial(key), "initial state of " + key);
        }
        return settle(logic.init(self, state, restored), state);
    }

    @Override
    public Next<S> handleCall(Object request, From from, S state) throws Exception {
        return settle(logic.handleCall(request, from, state), state);
    }

    @Override
    public Next<S> handleCast(Object request, S state) throws Exception {
        return settle(logic.handleCast(request, state), state);
    }

    @Override
    public Next<S> handleInfo(Object message, S state) throws Exception {
        if (message == FLUSH) {
            flushScheduled = false;
            if (pending > 0) {
                Next<S> stop = write(state);
                if (stop != null) return stop;
            }
            return Next.noReply(state);
        }
        if (message instanceof Exit(var from, ExitReason.Custom(RegistryConflict conflict))) {
            // the registry kept another holder of our name after a partition healed: that one is
            // authoritative, so this one stops without writing (a trapped exit would otherwise be
            // a message the logic may ignore, leaving two servers for one key)
            yielded = true;
            log.info("{} lost the name {} to {}: stopping without writing", key, conflict.key(), conflict.winner());
            return Next.stop(new ExitReason.Custom(conflict), state);
        }
        return settle(logic.handleInfo(message, state), state);
    }

    @Override
    public Next<S> handleContinue(Object continuation, S state) throws Exception {
        return settle(logic.handleContinue(continuation, state), state);
    }

    @Override
    public void terminate(ExitReason reason, S state) {
        if (pending > 0 && !fenced && !storeFailed && !yielded && !(persistence.policy() instanceof WritePolicy.WriteThrough)) {
            try {
                write(state);
            } catch (RuntimeException e) {
                log.error("final write of {} to {} failed: {}", key, persistence.store().describe(), e.toString());
            }
        }
        logic.terminate(reason, state);
    }

    /** Persists {@code next}'s state per the policy if the callback changed it; a fenced write turns {@code next} into a stop. */
    private Next<S> settle(Next<S> next, S before) {
        S after = next.state();
        if (after == before || fenced) return next;
        switch (persistence.policy()) {
            case WritePolicy.WriteThrough w -> {
                Next<S> stop = write(after);
                if (stop != null) return stop;
            }
            case WritePolicy.WriteBehind wb -> {
                pending++;
                if (pending >= wb.maxChanges()) {
                    Next<S> stop = write(after);
                    if (stop != null) return stop;
                } else if (!flushScheduled) {
                    flushScheduled = true;
                    self.sendAfter(self.self(), FLUSH, wb.maxDelay());
                }
            }
            case WritePolicy.OnStop o -> pending++;
        }
        return next;
    }

    /** Writes {@code state} now; returns null, or the fenced stop. A store that stays unreachable throws (the server crashes). */
    private Next<S> write(S state) {
        byte[] bytes = persistence.serializer().serialize(state);
        try {
            persistence.store().write(key, epoch, new StoredState(persistence.version(), bytes));
        } catch (FencedException e) {
            fenced = true;
            persistence.fenced.increment();
            log.warn("{} (epoch {}) fenced: epoch {} holds it now; stopping without writing", key, epoch, e.storedEpoch());
            return Next.stop(new ExitReason.Shutdown(new Fenced(key, epoch, e.storedEpoch())), state);
        } catch (StoreUnavailableException e) {
            storeFailed = true;
            throw e;
        }
        pending = 0;
        persistence.writes.increment();
        return null;
    }

    private S decode(StoredState stored) {
        String where = "stored state of " + key + " in " + persistence.store().describe() + " (version " + stored.version()
                + ", " + stored.bytes().length + " bytes)";
        int version = persistence.version();
        if (stored.version() > version) {
            throw new StateUnreadableException(where + " was written by a newer schema version than this code's " + version
                    + "; run the newer code, or move the row away", null);
        }
        Object value;
        try {
            value = persistence.serializer().deserialize(stored.bytes());
        } catch (Exception e) {
            throw new StateUnreadableException(where + " cannot be decoded: " + e.getMessage(), e);
        }
        if (value == null) throw new StateUnreadableException(where + " cannot be decoded: it reads as null", null);
        if (stored.version() < version) {
            StateUpgrade upgrade = persistence.upgrade();
            if (upgrade == null) {
                throw new StateUnreadableException(where + " is older than this code's version " + version
                        + " and no upgrade is set (Persistence.Builder.upgrade)", null);
            }
            try {
                value = upgrade.upgrade(stored.version(), value);
            } catch (Exception e) {
                throw new StateUnreadableException(where + ": the upgrade to version " + version + " failed: " + e, e);
            }
        }
        if (!type.isInstance(value)) {
            throw new StateUnreadableException(where + " is a " + (value == null ? "null" : value.getClass().getName())
                    + ", not the expected " + type.getName(), null);
        }
        return type.cast(value);
    }
}
