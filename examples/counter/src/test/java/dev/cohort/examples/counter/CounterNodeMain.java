package dev.cohort.examples.counter;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

/**
 * The counter node as the end-to-end tests start it ({@code counter node} with the options given),
 * plus one test command on standard input: {@code CRASH} ends the JVM at once, running no shutdown
 * hook and no {@code terminate}: what a crash of the JVM does to the node.
 */
public final class CounterNodeMain {
    private CounterNodeMain() {}

    public static void main(String[] args) {
        Thread.ofVirtual().start(() -> {
            try (var in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    if (line.trim().equals("CRASH")) Runtime.getRuntime().halt(134);
                }
            } catch (java.io.IOException e) {
                // no more commands
            }
        });
        System.exit(new CommandLine(new CounterNode()).execute(args));
    }
}
