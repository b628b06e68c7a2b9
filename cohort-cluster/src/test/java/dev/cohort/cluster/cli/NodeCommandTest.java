package dev.cohort.cluster.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.cluster.NodeMain;
import dev.cohort.cluster.Ports;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code cohort node}: bad arguments get a clear message and exit code 2; settings also come from the environment. */
class NodeCommandTest {

    private static String refused(String... args) {
        StringWriter err = new StringWriter();
        CommandLine cmd = new CommandLine(new NodeCommand()).setErr(new PrintWriter(err));
        int code = cmd.execute(args);
        assertThat(code).as("exit code for %s", List.of(args)).isEqualTo(2);
        return err.toString();
    }

    @Test
    void badArgumentsAreRefusedWithAClearMessage() {
        assertThat(refused("--cookie", "c")).contains("--name");
        assertThat(refused("--name", "a@127.0.0.1", "--cookie", "c", "--port", "seventy")).contains("--port").contains("seventy");
        assertThat(refused("--name", "nohost", "--cookie", "c")).contains("NAME@HOST");
        assertThat(refused("--name", "a@127.0.0.1", "--cookie", "c", "--port", "0")).contains("1..65535");
        assertThat(refused("--name", "a@127.0.0.1", "--cookie", "c", "--seeds", "localhost")).contains("HOST:PORT");
        assertThat(refused("--name", "a@127.0.0.1", "--cookie", "c", "--seeds", "127.0.0.1:1", "--dns", "x.local")).contains("choose one discovery");
        assertThat(refused("--name", "a@127.0.0.1", "--cookie", "c", "--tls-keystore", "/nonexistent.p12", "--tls-password", "x")).contains("cannot read");
    }

    @Test
    void settingsComeFromTheEnvironmentLikeAContainerPassesThem() throws Exception {
        int port = Ports.free();
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder pb = new ProcessBuilder(java, "--sun-misc-unsafe-memory-access=allow", "-cp",
                System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")), NodeMain.class.getName())
                .redirectErrorStream(true);
        pb.environment().put("COHORT_NAME", "envnode@127.0.0.1");
        pb.environment().put("COHORT_COOKIE", "from-env");
        pb.environment().put("COHORT_PORT", String.valueOf(port));
        Process p = pb.start();
        try {
            CompletableFuture<String> up = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String l; (l = r.readLine()) != null; ) if (l.startsWith("node ")) up.complete(l);
                    up.complete("ended");
                } catch (Exception e) {
                    up.complete(e.toString());
                }
            });
            assertThat(up.get(60, TimeUnit.SECONDS)).isEqualTo("node envnode@127.0.0.1 is up (static hosts [])");
        } finally {
            p.destroyForcibly().waitFor();
        }
    }
}
