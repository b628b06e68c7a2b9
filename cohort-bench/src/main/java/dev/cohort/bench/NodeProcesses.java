package dev.cohort.bench;

import dev.cohort.process.Pid;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Node processes for the cluster scenarios: a free port, a node started as its own OS process
 * with this JVM's class path, the lines it prints, and a kill of every one when the bench ends.
 */
final class NodeProcesses {
    private static final List<Process> STARTED = new CopyOnWriteArrayList<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(NodeProcesses::killAll));
    }

    private NodeProcesses() {}

    /** A node process and what it printed (standard output and error). */
    record NodeProcess(Process process, List<String> lines) {
        /** Waits up to 60 s for a line {@code match} accepts. */
        String awaitLine(Predicate<String> match) throws InterruptedException {
            return awaitLineAfter(0, match);
        }

        /** Waits up to 60 s for a line {@code match} accepts among those after the first {@code skip}. */
        String awaitLineAfter(int skip, Predicate<String> match) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                List<String> now = List.copyOf(lines);
                for (String l : now.subList(Math.min(skip, now.size()), now.size())) if (match.test(l)) return l;
                if (!process.isAlive()) break;
                Thread.sleep(5); // a launcher polling another process's output, not a test
            }
            throw new IllegalStateException("node process did not print the awaited line; it printed " + lines);
        }

        /** Sends a signal ({@code STOP}, {@code CONT}) with kill(1). */
        void signal(String sig) throws java.io.IOException, InterruptedException {
            int rc = new ProcessBuilder("kill", "-" + sig, String.valueOf(process.pid())).start().waitFor();
            if (rc != 0) throw new java.io.IOException("kill -" + sig + " " + process.pid() + " failed with " + rc);
        }

        /** Writes one line to the process's standard input. */
        void send(String line) throws java.io.IOException {
            var in = process.getOutputStream();
            in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            in.flush();
        }

        /** The pid a fixture printed as {@code TAG node creation id}. */
        Pid pidOf(String tag) throws InterruptedException {
            String[] f = awaitLine(l -> l.startsWith(tag + " ")).split(" ");
            return new Pid(f[1], Long.parseLong(f[2]), Long.parseLong(f[3]));
        }
    }

    /** The JIT compilers' total time so far, summed over this JVM and {@code nodes}. */
    static long compilationMillis(List<NodeProcess> nodes, String tag) throws Exception {
        var jit = java.lang.management.ManagementFactory.getCompilationMXBean();
        long total = jit == null ? 0 : jit.getTotalCompilationTime();
        for (NodeProcess n : nodes) n.send("JIT " + tag);
        for (NodeProcess n : nodes) {
            String[] f = n.awaitLine(l -> l.startsWith("JIT-MS " + tag + " ")).split(" ");
            total += Long.parseLong(f[2]);
        }
        return total;
    }

    /** A collection in every JVM between phases, so that none starts a measured phase with a full young generation. */
    static void collectGarbage(List<NodeProcess> nodes, String tag) throws Exception {
        System.gc();
        for (NodeProcess n : nodes) n.send("GC " + tag);
        for (NodeProcess n : nodes) n.awaitLine(("GC-DONE " + tag)::equals);
    }

    private static final java.util.Set<Integer> GIVEN = new java.util.HashSet<>();

    /**
     * A port free a moment ago on 127.0.0.1, below Linux's ephemeral range (32768 up), never the
     * same twice: an ephemeral port may be taken by a started node's outgoing connection between
     * the pick and the bind.
     */
    static synchronized int freePort() throws Exception {
        java.util.Random r = new java.util.Random();
        for (int attempt = 0; attempt < 1_000; attempt++) {
            int port = 20_000 + r.nextInt(12_000);
            if (!GIVEN.add(port)) continue;
            try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
                return port;
            } catch (java.io.IOException taken) {
                // in use: try another
            }
        }
        throw new IllegalStateException("no free port found between 20000 and 32000");
    }

    /** Starts {@code main} ({@code cohort node} options) as node {@code name} on {@code port}, seeded with {@code seedPort}. */
    static NodeProcess start(Class<?> main, List<String> jvmOptions, String name, int port, int seedPort) throws Exception {
        return start(main, jvmOptions, name, port, seedPort, List.of());
    }

    /** {@link #start(Class, List, String, int, int)} with more options for {@code main}. */
    static NodeProcess start(Class<?> main, List<String> jvmOptions, String name, int port, int seedPort, List<String> mainOptions) throws Exception {
        List<String> command = new java.util.ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(jvmOptions);
        command.addAll(List.of("--sun-misc-unsafe-memory-access=allow", "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), main.getName(),
                "--name", name, "--port", String.valueOf(port), "--seeds", "127.0.0.1:" + seedPort));
        command.addAll(mainOptions);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("COHORT_COOKIE", "bench-cookie"); // not on the command line, which every user of the machine can read
        Process p = pb.start();
        STARTED.add(p);
        List<String> lines = new CopyOnWriteArrayList<>();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) lines.add(l);
            } catch (Exception ignored) {
                // process ended
            }
        });
        return new NodeProcess(p, lines);
    }

    static void killAll() {
        STARTED.forEach(Process::destroyForcibly);
    }
}
