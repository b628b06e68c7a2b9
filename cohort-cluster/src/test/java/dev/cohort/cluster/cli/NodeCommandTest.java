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
        assertThat(refused("--name", "a@127.0.0.1", "--cookie", "c", "--max-outbox-mb", "1")).contains("--max-outbox-mb must be 17..").contains("largest message");
        assertThat(refused("--name", "a@127.0.0.1", "--cookie", "c", "--send-stall-ms", "0")).contains("--send-stall-ms must be 1..");
    }

    /** The cookie and the secret can come from files, so that no command line shows them; every mistake is named. */
    @Test
    void theCookieAndTheSecretComeFromFilesWithClearErrors(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path cookie = java.nio.file.Files.writeString(dir.resolve("cookie"), "s3cret-cookie\n");
        java.nio.file.Path empty = java.nio.file.Files.writeString(dir.resolve("empty"), "\n");
        java.nio.file.Path huge = java.nio.file.Files.write(dir.resolve("huge"), new byte[NodeCommand.MAX_SECRET_FILE + 1]);
        CommandLine cmd = new CommandLine(new NodeCommand());
        assertThat(NodeCommand.oneOf(cmd, "--cookie", null, "--cookie-file", cookie)).isEqualTo("s3cret-cookie");
        assertThat(NodeCommand.oneOf(cmd, "--cookie", "inline", "--cookie-file", null)).isEqualTo("inline");
        assertThat(NodeCommand.oneOf(cmd, "--cookie", null, "--cookie-file", null)).isNull();
        String name = "a@127.0.0.1";
        assertThat(refused("--name", name)).contains("a cookie is required").contains("--cookie-file");
        assertThat(refused("--name", name, "--cookie", "c", "--cookie-file", cookie.toString())).contains("not both");
        assertThat(refused("--name", name, "--cookie-file", dir.resolve("missing").toString())).contains("--cookie-file: cannot read");
        assertThat(refused("--name", name, "--cookie-file", empty.toString())).contains("is empty");
        assertThat(refused("--name", name, "--cookie-file", huge.toString())).contains("not a secret file");
        assertThat(refused("--name", name, "--cookie", " ")).contains("--cookie is empty");
        assertThat(refused("--name", name, "--cookie-file", cookie.toString(), "--secret-file", dir.resolve("missing").toString()))
                .contains("--secret-file: cannot read");
        assertThat(refused("--name", name, "--cookie-file", cookie.toString(), "--secret", "x", "--secret-file", cookie.toString()))
                .contains("not both");
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
