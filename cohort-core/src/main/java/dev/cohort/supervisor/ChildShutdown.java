package dev.cohort.supervisor;

import dev.cohort.process.Down;
import dev.cohort.process.Exit;
import dev.cohort.process.ExitReason;
import dev.cohort.process.Pid;
import dev.cohort.process.ProcessContext;
import dev.cohort.process.Ref;
import java.util.Optional;

/**
 * Stops one child the way OTP's supervisor does: monitor it, unlink it (so no further exit
 * signal arrives from it), send {@code shutdown} (or {@code kill}), wait for the Down, and
 * escalate to {@code kill} when the shutdown timeout passes.
 */
final class ChildShutdown {
    private ChildShutdown() {}

    /** Stops {@code pid} and returns the reason it ended with. */
    static ExitReason stop(ProcessContext self, Pid pid, Shutdown policy) {
        Ref ref = self.monitor(pid);
        self.unlink(pid);
        // An exit that arrived before the unlink means it is already dead; its Down follows.
        Optional<Object> early = self.receive(m -> m instanceof Exit e && e.from().equals(pid), java.time.Duration.ZERO);
        if (early.isPresent()) return awaitDown(self, ref).orElseThrow();
        switch (policy) {
            case Shutdown.BrutalKill b -> self.exit(pid, ExitReason.KILL);
            case Shutdown.Timeout t -> {
                self.exit(pid, ExitReason.SHUTDOWN);
                Optional<ExitReason> r = awaitDown(self, ref, t.duration());
                if (r.isPresent()) return r.get();
                self.exit(pid, ExitReason.KILL);
            }
            case Shutdown.Infinity i -> self.exit(pid, ExitReason.SHUTDOWN);
        }
        return awaitDown(self, ref).orElseThrow();
    }

    private static Optional<ExitReason> awaitDown(ProcessContext self, Ref ref) {
        Down d = self.receive(Down.class, x -> x.ref().equals(ref), java.time.Duration.ofDays(365)).orElseThrow();
        return Optional.of(d.reason());
    }

    private static Optional<ExitReason> awaitDown(ProcessContext self, Ref ref, java.time.Duration timeout) {
        return self.receive(Down.class, x -> x.ref().equals(ref), timeout).map(Down::reason);
    }
}
