package dev.cohort.examples.counter;

import dev.cohort.testkit.LocalPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./cohort demo counter}: starts the counter's nodes a, b, c... as OS processes on HTTP
 * ports 4005, 4006, 4007... (cluster ports 4370...), each seeded with all the others, writes each
 * node's output to its own log, prints which node is which, and stops them all (gracefully) on
 * Ctrl-C.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, description = "Starts the counter's nodes as separate OS processes.")
final class CounterDemo implements Callable<Integer> {
    @Option(names = "--stage", defaultValue = "distributed", description = "simple, clustered, distributed or handoff (default: ${DEFAULT-VALUE})")
    String stage;
    @Option(names = "--nodes", description = "how many nodes (default: 1 for simple, 3 otherwise)")
    Integer nodes;
    @Option(names = "--store", description = "handoff: sqlite:PATH (default: in the logs directory), postgres://..., or postgres-local"
            + " (a throwaway PostgreSQL from Maven-shipped binaries)")
    String store;
    @Option(names = "--logs", defaultValue = "examples/counter/target/logs", description = "directory for the per-node logs")
    Path logs;
    @Option(names = "--http-port", defaultValue = "4005", description = "HTTP port of node a; b gets the next one, and so on")
    int httpPort;
    @Option(names = "--port", defaultValue = "4370", description = "cluster port of node a; b gets the next one, and so on")
    int port;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    private final List<Process> started = new CopyOnWriteArrayList<>();
    private LocalPostgres postgres;

    @Override
    public Integer call() throws Exception {
        Stage s;
        try {
            s = Stage.parse(stage);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        int n = nodes != null ? nodes : (s == Stage.SIMPLE ? 1 : 3);
        if (n < 1 || n > 26) throw new CommandLine.ParameterException(spec.commandLine(), "--nodes must be 1..26, got " + n);
        if (s == Stage.SIMPLE && n > 1) throw new CommandLine.ParameterException(spec.commandLine(), "stage simple runs one node (--nodes 1)");
        Files.createDirectories(logs);
        Runtime.getRuntime().addShutdownHook(new Thread(this::stopAll));
        String storeUri = store;
        if (s == Stage.HANDOFF) {
            if (storeUri == null) storeUri = "sqlite:" + logs.resolve("counter-state.db").toAbsolutePath();
            if (storeUri.equals("postgres-local")) {
                postgres = LocalPostgres.start();
                storeUri = postgres.uri();
            }
        }
        List<String> seeds = new ArrayList<>();
        for (int i = 0; i < n; i++) seeds.add("127.0.0.1:" + (port + i));
        for (int i = 0; i < n; i++) {
            List<String> args = new ArrayList<>(List.of("node", "--stage", s.label(), "--name", name(i), "--http-port", String.valueOf(httpPort + i),
                    "--port", String.valueOf(port + i), "--seeds", String.join(",", seeds)));
            if (storeUri != null) args.addAll(List.of("--store", storeUri));
            start(name(i), args);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        for (int i = 0; i < n; i++) {
            Path log = logs.resolve(letter(i) + ".log");
            // serving, and (from stage clustered on) connected to every other node
            while (!Files.exists(log) || !Files.readString(log).contains("COUNTER READY")
                    || (s != Stage.SIMPLE && Files.readString(log).lines().filter(l -> l.startsWith("UP ")).count() < n - 1)) {
                for (Process p : started) if (!p.isAlive()) return failed(n);
                if (System.nanoTime() > deadline) return failed(n);
                Thread.sleep(100); // polling a log file for a human-facing launcher; tests wait on conditions
            }
        }
        System.out.println();
        System.out.println("  The visit counter, stage " + s.label() + (storeUri != null ? ", sessions stored in " + describe(storeUri) : ""));
        System.out.println();
        for (int i = 0; i < n; i++) {
            System.out.println("  node " + name(i) + "  http://localhost:" + (httpPort + i) + "/?user_name=ana   log "
                    + logs.resolve(letter(i) + ".log").toAbsolutePath());
        }
        System.out.println();
        System.out.println("  Visit a node, then see every session and its host at http://localhost:" + httpPort + "/");
        System.out.println("  Stop everything: Ctrl-C");
        System.out.flush();
        for (Process p : started) p.onExit().thenRun(() -> System.out.println("a node process ended (exit " + p.exitValue() + ")"));
        Thread.currentThread().join();
        return 0;
    }

    private static String describe(String uri) {
        return uri.replaceFirst("//([^:@/]*):[^@/]*@", "//$1:***@");
    }

    private static String letter(int i) { return String.valueOf((char) ('a' + i)); }

    private static String name(int i) { return letter(i) + "@127.0.0.1"; }

    private int failed(int n) throws IOException {
        System.err.println("the demo did not come up; see the logs in " + logs.toAbsolutePath());
        for (int i = 0; i < n; i++) {
            Path f = logs.resolve(letter(i) + ".log");
            if (Files.exists(f)) {
                List<String> lines = Files.readAllLines(f);
                System.err.println("--- " + name(i) + " (last lines)");
                lines.subList(Math.max(0, lines.size() - 10), lines.size()).forEach(System.err::println);
            }
        }
        return 1;
    }

    private void start(String name, List<String> args) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "--sun-misc-unsafe-memory-access=allow", "--enable-native-access=ALL-UNNAMED",
                "-Xmx256m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), CounterApp.class.getName()));
        cmd.addAll(args);
        Path log = logs.resolve(name.substring(0, name.indexOf('@')) + ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        started.add(p);
    }

    private void stopAll() {
        for (Process p : started) p.destroy(); // SIGTERM: each node hands its sessions over and stops
        for (Process p : started) {
            try {
                if (!p.waitFor(40, TimeUnit.SECONDS)) p.destroyForcibly();
            } catch (InterruptedException e) {
                p.destroyForcibly();
            }
        }
        if (postgres != null) postgres.close();
    }
}
