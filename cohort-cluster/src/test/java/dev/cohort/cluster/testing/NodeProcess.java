package dev.cohort.cluster.testing;

import dev.cohort.cluster.NodeMain;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.awaitility.Awaitility;

/**
 * A Cohort node running as its own OS process ({@link NodeMain}, or another main class that
 * takes {@code cohort node} options), for tests of every module (cohort-cluster publishes it in
 * its test jar): start it, send it commands, wait for lines it prints, kill it with SIGKILL.
 * Every started process is also killed when the test JVM exits, even if a test fails or hangs.
 */
public final class NodeProcess implements AutoCloseable {
    private static final List<Process> ALL = new CopyOnWriteArrayList<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> ALL.forEach(Process::destroyForcibly)));
    }

    public final String name;
    public final int port;
    private final Class<?> main;
    private final String cookie;
    private final List<String> options;
    private final List<String> prefix;
    private final Process process;
    private final List<String> lines = new CopyOnWriteArrayList<>();

    private NodeProcess(List<String> prefix, Class<?> main, String name, int port, String cookie, List<String> options, Process process) {
        this.prefix = List.copyOf(prefix);
        this.main = main;
        this.name = name;
        this.port = port;
        this.cookie = cookie;
        this.options = List.copyOf(options);
        this.process = process;
        Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) lines.add(line);
            } catch (IOException ignored) {
                // the process ended
            }
        });
    }

    /** Starts a {@link NodeMain} seeded with {@code seedPorts} on 127.0.0.1. */
    public static NodeProcess start(String name, int port, String cookie, int... seedPorts) throws IOException {
        return start(NodeMain.class, name, port, cookie, seedPorts);
    }

    /** Starts {@code main} (it takes {@code cohort node} options) seeded with {@code seedPorts} on 127.0.0.1. */
    public static NodeProcess start(Class<?> main, String name, int port, String cookie, int... seedPorts) throws IOException {
        List<String> args = new ArrayList<>();
        if (seedPorts.length > 0) {
            StringBuilder seeds = new StringBuilder();
            for (int p : seedPorts) seeds.append(seeds.isEmpty() ? "" : ",").append("127.0.0.1:").append(p);
            args.addAll(List.of("--seeds", seeds.toString()));
        }
        return startWith(main, name, port, cookie, args);
    }

    /** Starts a {@link NodeMain} with extra {@code cohort node} options (discovery, secret, TLS). */
    public static NodeProcess startWith(String name, int port, String cookie, List<String> options) throws IOException {
        return startWith(NodeMain.class, name, port, cookie, options);
    }

    /** Starts {@code main} with extra {@code cohort node} options. */
    public static NodeProcess startWith(Class<?> main, String name, int port, String cookie, List<String> options) throws IOException {
        return startIn(List.of(), main, name, port, cookie, options);
    }

    /**
     * Starts {@code main} under a command {@code prefix} that ends by exec'ing the JVM, such as
     * {@link NetworkLab#inHost(int)}'s {@code ip netns exec NS}: the process is then the JVM itself.
     */
    public static NodeProcess startIn(List<String> prefix, Class<?> main, String name, int port, String cookie, List<String> options) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        // WARN logs (refusals, conflicts) come out on the same stream as the node's lines
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dcohort.test.log=WARN", "--sun-misc-unsafe-memory-access=allow", "--enable-native-access=ALL-UNNAMED", "-cp", cp, main.getName(),
                "--name", name, "--port", String.valueOf(port)));
        cmd.addAll(options);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("COHORT_"));
        pb.environment().put("COHORT_COOKIE", cookie); // not on the command line, which every user of the machine can read
        Process p = pb.start();
        ALL.add(p);
        return new NodeProcess(prefix, main, name, port, cookie, options, p);
    }

    /** Starts the same node again (same name, port, cookie and options): a new incarnation. */
    public NodeProcess restart() throws IOException {
        if (process.isAlive()) throw new IllegalStateException(name + " is still running");
        return startIn(prefix, main, name, port, cookie, options);
    }

    /** Sends one command line to the node's standard input (see {@link NodeMain}). */
    public void command(String line) throws IOException {
        var out = process.getOutputStream();
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** The lines printed so far. */
    public List<String> lines() { return List.copyOf(lines); }

    /** Whether the OS process is still running. */
    public boolean isAlive() { return process.isAlive(); }

    /** The OS process id. */
    public long pid() { return process.pid(); }

    /** Waits for a line that {@code match} accepts, printed after the first {@code skip} lines. */
    public String awaitNewLine(int skip, Predicate<String> match, Duration timeout) {
        try {
            Awaitility.await().atMost(timeout).until(() -> lines.stream().skip(skip).anyMatch(match) || !process.isAlive());
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError(name + " did not print the awaited line within " + timeout + "; it printed " + lines, e);
        }
        return lines.stream().skip(skip).filter(match).findFirst()
                .orElseThrow(() -> new AssertionError(name + " ended or never printed the line; it printed " + lines));
    }

    /** Sends {@code line} and waits for the first new line starting with {@code answerPrefix}. */
    public String ask(String line, String answerPrefix, Duration timeout) throws IOException {
        int before = lines.size();
        command(line);
        return awaitNewLine(before, l -> l.startsWith(answerPrefix), timeout);
    }

    /** Waits for a line that {@code match} accepts and returns it. */
    public String awaitLine(Predicate<String> match, Duration timeout) {
        try {
            Awaitility.await().atMost(timeout).until(() -> lines.stream().anyMatch(match) || !process.isAlive());
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError(name + " did not print the awaited line within " + timeout + "; it printed " + lines, e);
        }
        return lines.stream().filter(match).findFirst()
                .orElseThrow(() -> new AssertionError(name + " ended or never printed the line; it printed " + lines));
    }

    /** Sends a signal ({@code STOP}, {@code CONT}) with kill(1). */
    public void signal(String sig) throws IOException, InterruptedException {
        int rc = new ProcessBuilder("kill", "-" + sig, String.valueOf(process.pid())).start().waitFor();
        if (rc != 0) throw new IOException("kill -" + sig + " " + process.pid() + " failed with " + rc);
    }

    /** SIGKILL, as {@code kill -9}. */
    public void kill9() {
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            try {
                signal("CONT"); // a stopped process still dies of SIGKILL, but be tidy
            } catch (Exception ignored) {
                // best effort
            }
            kill9();
        }
        ALL.remove(process);
    }
}
