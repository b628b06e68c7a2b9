package dev.cohort.supervisor;

import dev.cohort.process.Pid;
import dev.cohort.process.ProcessContext;
import java.util.List;

/**
 * Starts a child. Runs in the supervisor's process and must return a process <em>linked</em>
 * to it (for example {@code GenServer.startLink(supervisor, ...)} or
 * {@code supervisor.spawnLink(...)}). {@code extraArgs} are a dynamic supervisor's extra
 * arguments (empty for a {@link Supervisor}).
 */
@FunctionalInterface
public interface ChildStart {
    Pid start(ProcessContext supervisor, List<Object> extraArgs) throws Exception;
}
