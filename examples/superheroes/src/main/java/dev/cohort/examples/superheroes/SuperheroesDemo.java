package dev.cohort.examples.superheroes;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code superheroes demo}: starts the three cities and the dispatch node, each as its own OS
 * process with the shared cookie, writes each node's log to its own file, prints the URL, and
 * stops them all on Ctrl-C (or when any of them dies).
 */
@Command(name = "demo", mixinStandardHelpOptions = true, description = "Starts all four nodes as separate OS processes.")
final class SuperheroesDemo implements Callable<Integer> {
    @Mixin Superheroes.Common common;

    @Option(names = "--http-port", defaultValue = "4900") int httpPort;

    @Option(names = "--logs", defaultValue = "target/superheroes-logs", description = "Directory for the per-node logs.")
    Path logs;

    private final List<Process> started = new CopyOnWriteArrayList<>();

    @Override
    public Integer call() throws Exception {
        Files.createDirectories(logs);
        Runtime.getRuntime().addShutdownHook(new Thread(this::stopAll));
        for (String city : Cities.NAMES) start(city, List.of("city", "--city", city));
        start("dispatch", List.of("dispatch", "--http-port", String.valueOf(httpPort)));
        Path dispatchLog = logs.resolve("dispatch.log");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!Files.readString(dispatchLog).contains("DISPATCH web page on")) {
            for (Process p : started) if (!p.isAlive()) return failed();
            if (System.nanoTime() > deadline) return failed();
            Thread.sleep(100); // polling a log file for a human-facing launcher; tests wait on conditions
        }
        System.out.println();
        System.out.println("  Superhero dispatch is running: http://localhost:" + httpPort + "/");
        System.out.println();
        for (String n : List.of("gotham", "metropolis", "capitol", "dispatch")) {
            System.out.println("  " + String.format("%-10s", n) + " " + n + "@" + common.host + " port " + common.portOf(n)
                    + ", log " + logs.resolve(n + ".log").toAbsolutePath());
        }
        System.out.println();
        System.out.println("  Follow a city:  tail -f " + logs.resolve("gotham.log"));
        System.out.println("  Stop everything: Ctrl-C");
        System.out.flush();
        for (Process p : started) p.onExit().thenRun(() -> {
            System.out.println("a node process ended (exit " + p.exitValue() + "); stopping the demo");
            System.exit(1);
        });
        Thread.currentThread().join();
        return 0;
    }

    private int failed() throws IOException {
        System.err.println("the demo did not come up; see the logs in " + logs.toAbsolutePath());
        for (String n : List.of("gotham", "metropolis", "capitol", "dispatch")) {
            Path f = logs.resolve(n + ".log");
            if (Files.exists(f)) {
                List<String> lines = Files.readAllLines(f);
                System.err.println("--- " + n + " (last lines)");
                lines.subList(Math.max(0, lines.size() - 10), lines.size()).forEach(System.err::println);
            }
        }
        return 1;
    }

    private void start(String name, List<String> args) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "--sun-misc-unsafe-memory-access=allow", "-Xmx256m", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), Superheroes.class.getName()));
        cmd.addAll(args);
        cmd.addAll(common.asArgs());
        Path log = logs.resolve(name + ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("COHORT_COOKIE", common.cookie); // not on the command line, which every user of the machine can read
        Process p = pb.start();
        started.add(p);
    }

    private void stopAll() {
        for (Process p : started) p.destroy();
        for (Process p : started) {
            try {
                if (!p.waitFor(5, TimeUnit.SECONDS)) p.destroyForcibly();
            } catch (InterruptedException e) {
                p.destroyForcibly();
            }
        }
    }
}
