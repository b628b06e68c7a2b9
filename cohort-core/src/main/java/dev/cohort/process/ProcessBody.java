package dev.cohort.process;

/**
 * The code of a process. It runs on its own virtual thread; returning ends the process
 * with reason {@code normal}, an uncaught exception ends it with {@link ExitReason.Crashed}.
 */
@FunctionalInterface
public interface ProcessBody {
    void run(ProcessContext self) throws Exception;
}
