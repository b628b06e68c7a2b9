package dev.cohort.examples.counter;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Runs Debian's {@code wrk} with {@code wrk/visits.lua} for {@code ./cohort bench counter}: one
 * wrk thread per node, the connections split among them, {@code GET /?user_name=uN} over the
 * users; reads back the one line the script prints.
 */
final class Wrk {
    private static final Pattern LINE = Pattern.compile(
            "WRK requests (\\d+) duration_us (\\d+) p50_us (\\d+) p99_us (\\d+) errors (\\d+) non2xx (\\d+)");

    private Wrk() {}

    /** Whether {@code wrk} runs here. */
    static boolean available() {
        try {
            Process p = new ProcessBuilder("wrk", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS);
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static Path script;

    /** {@code wrk/visits.lua} from the classpath as a file wrk can read, written once per JVM (a warm-up runs wrk dozens of times). */
    private static synchronized Path script() throws IOException {
        if (script != null) return script;
        Path file = Files.createTempFile("cohort-visits", ".lua");
        file.toFile().deleteOnExit();
        try (InputStream in = Wrk.class.getResourceAsStream("/wrk/visits.lua")) {
            if (in == null) throw new IllegalStateException("wrk/visits.lua missing from the classpath");
            Files.write(file, in.readAllBytes());
        }
        return script = file;
    }

    static LoadClient.Result run(List<Integer> ports, int connections, int users, Duration duration) throws Exception {
        Path script = script();
        int threads = ports.size();
        int perThread = Math.max(1, connections / threads);
        ProcessBuilder b = new ProcessBuilder("wrk", "-t" + threads, "-c" + perThread * threads, "-d" + duration.toSeconds() + "s",
                "--timeout", "30s", "-s", script.toString(), "http://127.0.0.1:" + ports.getFirst() + "/").redirectErrorStream(true);
        b.environment().put("USERS", String.valueOf(users));
        b.environment().put("PORTS", ports.stream().map(String::valueOf).collect(Collectors.joining(",")));
        Process p = b.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(duration.toSeconds() + 60, TimeUnit.SECONDS);
        Matcher m = LINE.matcher(out);
        if (!m.find()) throw new IllegalStateException("wrk printed no WRK line:\n" + out);
        double seconds = Long.parseLong(m.group(2)) / 1e6;
        return new LoadClient.Result(Long.parseLong(m.group(1)) / seconds, Long.parseLong(m.group(3)) / 1e3, Long.parseLong(m.group(4)) / 1e3,
                Long.parseLong(m.group(5)) + Long.parseLong(m.group(6)));
    }
}
