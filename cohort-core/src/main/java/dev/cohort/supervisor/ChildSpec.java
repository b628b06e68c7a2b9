package dev.cohort.supervisor;

import dev.cohort.process.Pid;
import dev.cohort.process.ProcessBody;
import dev.cohort.process.ProcessContext;
import dev.cohort.server.StartException;
import java.time.Duration;
import java.util.Objects;

/**
 * How to start, restart and stop one child (OTP's child specification). Immutable; the
 * {@code with...} methods return changed copies.
 *
 * @param id identifies the child within its supervisor
 * @param start starts the child, linked to the supervisor
 * @param restart when it is restarted (default permanent)
 * @param shutdown how it is stopped (default 5 s for workers, infinity for supervisors)
 * @param type worker or supervisor
 */
public record ChildSpec(Object id, ChildStart start, Restart restart, Shutdown shutdown, ChildType type) {

    public ChildSpec {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(restart, "restart");
        Objects.requireNonNull(shutdown, "shutdown");
        Objects.requireNonNull(type, "type");
    }

    /** Starts a child that ignores extra arguments. */
    @FunctionalInterface
    public interface SimpleStart {
        Pid start(ProcessContext supervisor) throws Exception;
    }

    /** A permanent worker stopped with a 5 s timeout. */
    public static ChildSpec worker(Object id, ChildStart start) {
        return new ChildSpec(id, start, Restart.PERMANENT, Shutdown.timeout(Duration.ofSeconds(5)), ChildType.WORKER);
    }

    /** A permanent worker whose start ignores extra arguments. */
    public static ChildSpec worker(Object id, SimpleStart start) {
        return worker(id, (sup, args) -> start.start(sup));
    }

    /** A permanent worker that is a plain process running {@code body}. */
    public static ChildSpec process(Object id, ProcessBody body) {
        return worker(id, (sup, args) -> sup.spawnLink(body));
    }

    /** A permanent supervisor child, stopped with no timeout. */
    public static ChildSpec supervisor(Object id, Supervisor.Spec spec) {
        return new ChildSpec(id, (sup, args) -> Supervisor.startLink(sup, spec), Restart.PERMANENT, Shutdown.infinity(), ChildType.SUPERVISOR);
    }

    /** Runs the start function in {@code supervisor}, turning every failure into a {@link StartException}. */
    static Pid startIn(ProcessContext supervisor, ChildSpec c, java.util.List<Object> extraArgs) {
        try {
            Pid pid = c.start().start(supervisor, extraArgs);
            if (pid == null) {
                throw new StartException(dev.cohort.process.ExitReason.of("no_pid"), "child " + c.id() + " start returned no pid");
            }
            return pid;
        } catch (StartException e) {
            throw e;
        } catch (Exception e) {
            throw new StartException(new dev.cohort.process.ExitReason.Crashed(e), "child " + c.id() + " failed to start: " + e);
        }
    }

    public ChildSpec withId(Object id) { return new ChildSpec(id, start, restart, shutdown, type); }

    public ChildSpec withRestart(Restart restart) { return new ChildSpec(id, start, restart, shutdown, type); }

    public ChildSpec withShutdown(Shutdown shutdown) { return new ChildSpec(id, start, restart, shutdown, type); }

    public ChildSpec withType(ChildType type) { return new ChildSpec(id, start, restart, shutdown, type); }
}
