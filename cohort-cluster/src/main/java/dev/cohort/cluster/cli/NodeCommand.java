package dev.cohort.cluster.cli;

import dev.cohort.cluster.ClusterNode;
import dev.cohort.cluster.discovery.Discovery;
import dev.cohort.cluster.internal.jgroups.JGroupsTransport;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code cohort node}: starts one cluster node, as {@code iex --name a@127.0.0.1 --cookie c}
 * does. Every option can also come from an environment variable ({@code COHORT_NAME},
 * {@code COHORT_COOKIE}, {@code COHORT_PORT}, {@code COHORT_SEEDS}, ...), which is how a
 * container or a Kubernetes pod passes them. The cookie and the secret can also come from files
 * ({@code --cookie-file}, {@code --secret-file}), so that they appear in no command line. Prints one line per node that joins or leaves.
 */
@Command(name = "cohort node", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Starts a Cohort cluster node and keeps it running until it is stopped (Ctrl-C).")
public class NodeCommand implements Callable<Integer> {

    @Option(names = "--name", required = true, defaultValue = "${env:COHORT_NAME}",
            description = "Node name NAME@HOST; the node listens on HOST (env COHORT_NAME).")
    String name;

    @Option(names = "--cookie", defaultValue = "${env:COHORT_COOKIE}",
            description = "Shared secret of the cluster: only nodes with the same cookie hear each other (env COHORT_COOKIE). "
                    + "A command line is visible to every user of the machine: prefer --cookie-file.")
    String cookie;

    @Option(names = "--cookie-file", defaultValue = "${env:COHORT_COOKIE_FILE}",
            description = "Read the cookie from this file (its trailing newline dropped), e.g. a Kubernetes secret mounted as a file (env COHORT_COOKIE_FILE).")
    Path cookieFile;

    @Option(names = "--port", defaultValue = "${env:COHORT_PORT:-4370}",
            description = "TCP port to listen on (env COHORT_PORT; default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--seeds", split = ",", defaultValue = "${env:COHORT_SEEDS}",
            description = "Static discovery: HOST:PORT of other nodes, comma-separated, retried until they answer (env COHORT_SEEDS).")
    List<String> seeds;

    @Option(names = "--multicast", defaultValue = "${env:COHORT_MULTICAST}",
            description = "Multicast discovery on GROUP:PORT, e.g. 239.7.7.7:45588 (env COHORT_MULTICAST).")
    String multicast;

    @Option(names = "--dns", defaultValue = "${env:COHORT_DNS}",
            description = "DNS discovery: poll the A records of this name, e.g. a Kubernetes headless service; all nodes use the same --port (env COHORT_DNS).")
    String dns;

    @Option(names = "--dns-srv", defaultValue = "${env:COHORT_DNS_SRV}",
            description = "DNS discovery: poll the SRV records of this name, which carry ports (env COHORT_DNS_SRV).")
    String dnsSrv;

    @Option(names = "--dns-server", defaultValue = "${env:COHORT_DNS_SERVER}",
            description = "DNS server HOST[:PORT] for --dns/--dns-srv instead of the system's (env COHORT_DNS_SERVER).")
    String dnsServer;

    @Option(names = "--secret", defaultValue = "${env:COHORT_SECRET}",
            description = "A second secret every member must hold, mixed into the key that seals every message (env COHORT_SECRET). "
                    + "Every message, discovery included, is encrypted and authenticated (AES-256-GCM) with or without it; "
                    + "use it to keep a long random key apart from the cookie. Prefer --secret-file.")
    String secret;

    @Option(names = "--secret-file", defaultValue = "${env:COHORT_SECRET_FILE}",
            description = "Read the secret from this file (env COHORT_SECRET_FILE).")
    Path secretFile;

    @Option(names = "--tls-keystore", defaultValue = "${env:COHORT_TLS_KEYSTORE}", description = "PKCS12 key store for TLS between nodes (env COHORT_TLS_KEYSTORE).")
    Path tlsKeyStore;

    @Option(names = "--tls-truststore", defaultValue = "${env:COHORT_TLS_TRUSTSTORE}", description = "PKCS12 trust store for TLS; defaults to the key store (env COHORT_TLS_TRUSTSTORE).")
    Path tlsTrustStore;

    @Option(names = "--tls-password", defaultValue = "${env:COHORT_TLS_PASSWORD}", description = "Password of the TLS stores (env COHORT_TLS_PASSWORD).")
    String tlsPassword;

    @Option(names = "--max-outbox-mb", defaultValue = "${env:COHORT_MAX_OUTBOX_MB:-32}",
            description = "Most MiB queued for one other node; senders wait past it (env COHORT_MAX_OUTBOX_MB, default 32, at least 17).")
    long maxOutboxMb;

    @Option(names = "--send-stall-ms", defaultValue = "${env:COHORT_SEND_STALL_MS:-5000}",
            description = "How long a sender waits for room before its node counts as congested and frames to it are dropped (env COHORT_SEND_STALL_MS, default 5000).")
    long sendStallMs;

    /** Builds the node's settings from the options; every mistake is a clear {@link CommandLine.ParameterException}. */
    public ClusterNode.Builder builder(CommandLine cmd) {
        String theCookie = oneOf(cmd, "--cookie", cookie, "--cookie-file", cookieFile);
        if (theCookie == null) throw new CommandLine.ParameterException(cmd, "a cookie is required: --cookie-file FILE, --cookie VALUE or env COHORT_COOKIE_FILE / COHORT_COOKIE");
        String theSecret = oneOf(cmd, "--secret", secret, "--secret-file", secretFile);
        ClusterNode.Builder b = ClusterNode.builder().name(name).cookie(theCookie).port(port);
        if (name.indexOf('@') < 1 || name.endsWith("@")) throw new CommandLine.ParameterException(cmd, "--name must look like NAME@HOST, got: " + name);
        if (port <= 0 || port > 65535) throw new CommandLine.ParameterException(cmd, "--port must be 1..65535, got " + port);
        int strategies = (seeds != null && !seeds.isEmpty() ? 1 : 0) + (multicast != null ? 1 : 0) + (dns != null ? 1 : 0) + (dnsSrv != null ? 1 : 0);
        if (strategies > 1) throw new CommandLine.ParameterException(cmd, "choose one discovery: --seeds, --multicast, --dns or --dns-srv");
        if (multicast != null) {
            InetSocketAddress g = hostPort(cmd, "--multicast", multicast);
            b.discovery(Discovery.multicast(g.getHostString(), g.getPort()));
        } else if (dns != null) {
            b.discovery(dnsServer == null ? Discovery.dns(dns) : Discovery.dns(dns, dnsServer));
        } else if (dnsSrv != null) {
            b.discovery(dnsServer == null ? Discovery.dnsSrv(dnsSrv) : Discovery.dnsSrv(dnsSrv, dnsServer));
        } else {
            List<InetSocketAddress> hosts = new ArrayList<>();
            if (seeds != null) for (String s : seeds) if (!s.isBlank()) hosts.add(hostPort(cmd, "--seeds", s.trim()));
            b.discovery(Discovery.staticHosts(hosts));
        }
        if (theSecret != null) b.encryption(theSecret);
        long leastMb = (JGroupsTransport.Settings.DEFAULT_MAX_MESSAGE_BYTES + (1 << 20) - 1) >> 20;
        if (maxOutboxMb < leastMb || maxOutboxMb > 1 << 20) throw new CommandLine.ParameterException(cmd, "--max-outbox-mb must be " + leastMb + ".." + (1 << 20) + " (it must hold the largest message), got " + maxOutboxMb);
        if (sendStallMs < 1 || sendStallMs > 3_600_000) throw new CommandLine.ParameterException(cmd, "--send-stall-ms must be 1..3600000, got " + sendStallMs);
        b.outbox(maxOutboxMb << 20, java.time.Duration.ofMillis(sendStallMs));
        if (tlsKeyStore != null) {
            if (tlsPassword == null) throw new CommandLine.ParameterException(cmd, "--tls-keystore needs --tls-password");
            try {
                b.tls(new dev.cohort.cluster.Tls(tlsKeyStore, tlsPassword, tlsTrustStore != null ? tlsTrustStore : tlsKeyStore, tlsPassword));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(cmd, e.getMessage());
            }
        }
        return b;
    }

    /** The value of an option given inline or as a file (not both); null if neither is given. */
    static String oneOf(CommandLine cmd, String inlineOption, String inline, String fileOption, Path file) {
        if (inline != null && file != null) throw new CommandLine.ParameterException(cmd, "give " + inlineOption + " or " + fileOption + ", not both");
        if (file == null) {
            if (inline != null && inline.isBlank()) throw new CommandLine.ParameterException(cmd, inlineOption + " is empty");
            return inline;
        }
        String value;
        try {
            if (java.nio.file.Files.size(file) > MAX_SECRET_FILE) {
                throw new CommandLine.ParameterException(cmd, fileOption + " " + file + " is over " + MAX_SECRET_FILE + " bytes: not a secret file");
            }
            value = java.nio.file.Files.readString(file).strip();
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            throw new CommandLine.ParameterException(cmd, fileOption + ": cannot read " + file + " (" + e + ")");
        }
        if (value.isEmpty()) throw new CommandLine.ParameterException(cmd, fileOption + " " + file + " is empty");
        return value;
    }

    static final int MAX_SECRET_FILE = 64 << 10;

    static InetSocketAddress hostPort(CommandLine cmd, String option, String value) {
        int colon = value.lastIndexOf(':');
        if (colon < 1 || colon == value.length() - 1) throw new CommandLine.ParameterException(cmd, option + " needs HOST:PORT, got: " + value);
        try {
            int p = Integer.parseInt(value.substring(colon + 1));
            if (p <= 0 || p > 65535) throw new NumberFormatException();
            InetSocketAddress a = new InetSocketAddress(value.substring(0, colon), p);
            if (a.isUnresolved()) throw new CommandLine.ParameterException(cmd, option + ": cannot resolve host " + value.substring(0, colon));
            return a;
        } catch (NumberFormatException e) {
            throw new CommandLine.ParameterException(cmd, option + " needs a port 1..65535, got: " + value);
        }
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ClusterNode.Builder b = builder(spec.commandLine());
        configure(b);
        ClusterNode cluster = b.start();
        System.out.println("node " + cluster.name() + " is up (" + cluster.discovery().describe() + ")");
        cluster.onNodeEvent(e -> System.out.println((e.up() ? "UP " : "DOWN ") + e.node()));
        for (String n : cluster.connectedNodes()) System.out.println("UP " + n);
        System.out.flush();
        running(cluster);
        Runtime.getRuntime().addShutdownHook(new Thread(cluster::close));
        new CountDownLatch(1).await();
        return 0;
    }

    /** Hook for subclasses that set more of the node before it starts (its serializer, say). */
    protected void configure(ClusterNode.Builder builder) {}

    /** Hook for subclasses that run something on the started node. */
    protected void running(ClusterNode cluster) throws Exception {}

    /** A command line from standard input, split on whitespace, that no case of a fixture's handler knew. */
    protected static final class UnknownCommand extends RuntimeException {
        public UnknownCommand() { super("unknown command"); }
    }

    /**
     * For test and benchmark fixtures: reads standard input on a virtual thread until it closes,
     * passing each line split on whitespace to {@code handler}; an exception prints
     * {@code ERROR <line>: <exception>}, an {@link UnknownCommand} {@code ERROR unknown command <line>}.
     * Two commands every fixture knows: {@code GC tag} collects garbage, then prints
     * {@code GC-DONE tag} (a benchmark's pause between phases, in every JVM); {@code JIT tag}
     * prints {@code JIT-MS tag millis}, the JIT compilers' total time so far (a benchmark's
     * warm-up runs until the JIT is quiet).
     */
    protected static void readCommands(java.util.function.Consumer<String[]> handler) {
        Thread.ofVirtual().start(() -> {
            try (var in = new java.io.BufferedReader(new java.io.InputStreamReader(System.in, java.nio.charset.StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    try {
                        String[] words = line.trim().split("\\s+");
                        if (words.length == 2 && words[0].equals("GC")) {
                            System.gc();
                            print("GC-DONE " + words[1]);
                            continue;
                        }
                        if (words.length == 2 && words[0].equals("JIT")) {
                            var jit = java.lang.management.ManagementFactory.getCompilationMXBean();
                            print("JIT-MS " + words[1] + " " + (jit == null ? 0 : jit.getTotalCompilationTime()));
                            continue;
                        }
                        handler.accept(words);
                    } catch (UnknownCommand e) {
                        print("ERROR unknown command " + line);
                    } catch (RuntimeException e) {
                        print("ERROR " + line + ": " + e);
                    }
                }
            } catch (java.io.IOException e) {
                // standard input closed: no more commands
            }
        });
    }

    /** Prints one line and flushes (lines from several threads never interleave). */
    protected static synchronized void print(String line) {
        System.out.println(line);
        System.out.flush();
    }

    /** Runs the command; exits with 2 and a clear message for bad arguments. */
    public static void main(String[] args) {
        System.exit(run(new NodeCommand(), args));
    }

    /** Runs {@code command} with {@code args} and returns its exit code. */
    public static int run(NodeCommand command, String[] args) {
        return new CommandLine(command)
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    cmd.getErr().println("cohort node: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
                    return 1;
                })
                .execute(args);
    }
}
