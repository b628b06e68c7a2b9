package dev.cohort.examples.counter;

import dev.cohort.process.ExitReason;
import dev.cohort.process.From;
import dev.cohort.process.ProcessContext;
import dev.cohort.server.GenServer;
import dev.cohort.server.Next;
import dev.cohort.state.StatefulServer;

/** Runs a {@link StatefulServer} without a store (stages simple to distributed): its state dies with it. */
final class EphemeralServer<S> implements GenServer<S> {
    private final StatefulServer<S> logic;
    private final String key;

    EphemeralServer(String key, StatefulServer<S> logic) {
        this.key = key;
        this.logic = logic;
    }

    @Override
    public Next<S> init(ProcessContext self) throws Exception {
        logic.beforeRestore(self);
        return logic.init(self, logic.initial(key), false);
    }

    @Override public Next<S> handleCall(Object request, From from, S state) throws Exception { return logic.handleCall(request, from, state); }

    @Override public Next<S> handleCast(Object request, S state) throws Exception { return logic.handleCast(request, state); }

    @Override public Next<S> handleInfo(Object message, S state) throws Exception { return logic.handleInfo(message, state); }

    @Override public void terminate(ExitReason reason, S state) { logic.terminate(reason, state); }
}
