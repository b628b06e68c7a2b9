package dev.cohort;

import dev.cohort.process.Node;
import dev.cohort.process.ProcessContext;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Runs test code inside a process and hands back its result or its failure. */
public final class InProcess {
    private InProcess() {}

    @FunctionalInterface
    public interface Body<T> {
        T run(ProcessContext self) throws Exception;
    }

    /** Runs {@code body} in a new process of {@code node}; rethrows what it throws. Waits at most 30 s. */
    public static <T> T run(Node node, Body<T> body) {
        CompletableFuture<T> result = new CompletableFuture<>();
        node.spawn(self -> {
            try {
                result.complete(body.run(self));
            } catch (Throwable t) {
                result.completeExceptionally(t);
                if (t instanceof Error e) throw e;
            }
        });
        try {
            return result.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error r) throw r;
            throw new AssertionError(e.getCause());
        } catch (Exception e) {
            throw new AssertionError("test process did not finish", e);
        }
    }
}
