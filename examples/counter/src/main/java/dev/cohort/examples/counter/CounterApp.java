package dev.cohort.examples.counter;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The visit counter, reference app 1: {@code counter node} runs one node
 * ({@code ./cohort counter ...}), {@code counter demo} starts several as OS processes
 * ({@code ./cohort demo counter ...}).
 */
@Command(name = "counter", mixinStandardHelpOptions = true, subcommands = {CounterNode.class, CounterDemo.class},
        description = "The visit counter in four stages: simple, clustered, distributed, handoff.")
public final class CounterApp implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        int code = new CommandLine(new CounterApp())
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    cmd.getErr().println("counter: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
                    return 1;
                })
                .execute(args);
        if (code != 0) System.exit(code);
    }
}
