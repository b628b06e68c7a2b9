package dev.cohort.cluster.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Hosts with their own network stacks on one machine: one Linux network namespace per host, each
 * joined by a veth pair to a bridge in the test's own namespace, which also holds an address on
 * the bridge (so the test reaches every host, as a client on the same network would). A
 * {@linkplain #cut cut} drops packets between hosts with nftables rules inside the cut host's
 * namespace (real drops: senders see no reset, only silence); {@link #heal} removes them.
 *
 * <p>Needs root, {@code ip} (iproute2) and {@code nft} (nftables); {@link #unavailable()} says
 * what is missing, for a test to skip with that reason. Closing deletes the namespaces, the
 * bridge and every rule; a JVM that exits without closing deletes them in a shutdown hook.
 */
public final class NetworkLab implements AutoCloseable {
    private static final List<NetworkLab> OPEN = new CopyOnWriteArrayList<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> OPEN.forEach(NetworkLab::close)));
    }

    private final String tag;
    private final String subnet; // "10.213.N."
    private final int hosts;
    private final List<String> namespaces = new ArrayList<>();
    private boolean closed;

    private NetworkLab(String tag, String subnet, int hosts) {
        this.tag = tag;
        this.subnet = subnet;
        this.hosts = hosts;
    }

    /** Why this machine cannot make a lab (not root, a tool missing), or empty if it can. */
    public static Optional<String> unavailable() {
        if (!isRootByUid()) {
            return Optional.of("network namespaces and nftables rules need root; this test runs as " + System.getProperty("user.name"));
        }
        for (String tool : List.of("ip", "nft")) {
            try {
                if (run(List.of(tool, "-V")).exit != 0 && run(List.of(tool, "--version")).exit != 0) {
                    return Optional.of(tool + " does not run here");
                }
            } catch (IOException e) {
                return Optional.of(tool + " is missing (Debian: apt-get install " + (tool.equals("ip") ? "iproute2" : "nftables") + ")");
            }
        }
        return Optional.empty();
    }

    /**
     * Skips the calling test, with the reason, where {@link #unavailable()} says a lab cannot be
     * made; fails it instead when {@code COHORT_REQUIRE_NETLAB=1} (CI as root, tools installed).
     */
    public static void assumeAvailable() {
        Optional<String> missing = unavailable();
        if (missing.isEmpty()) return;
        if ("1".equals(System.getenv("COHORT_REQUIRE_NETLAB"))) {
            throw new AssertionError("COHORT_REQUIRE_NETLAB=1 but no network lab here: " + missing.get());
        }
        org.junit.jupiter.api.Assumptions.abort("skipped: " + missing.get());
    }

    private static boolean isRootByUid() {
        try {
            return run(List.of("id", "-u")).out.strip().equals("0");
        } catch (IOException e) {
            return false;
        }
    }

    /** Makes {@code hosts} hosts (1..hosts) on a fresh /24 subnet; the test's own address ends in .254. */
    public static NetworkLab create(int hosts) throws IOException {
        if (hosts < 1 || hosts > 200) throw new IllegalArgumentException("1..200 hosts, got " + hosts);
        String used = run(List.of("ip", "-o", "-4", "addr", "show")).out;
        long pid = ProcessHandle.current().pid();
        String subnet = null;
        for (int k = 0; k < 250 && subnet == null; k++) {
            String candidate = "10.213." + (int) ((pid + k) % 250 + 1) + ".";
            if (!used.contains(" " + candidate)) subnet = candidate;
        }
        if (subnet == null) throw new IOException("no free 10.213.x.0/24 subnet for a network lab");
        NetworkLab lab = new NetworkLab(Long.toString(pid % 100_000, 36) + Integer.toString(OPEN.size(), 36), subnet, hosts);
        OPEN.add(lab);
        try {
            lab.build();
        } catch (IOException | RuntimeException e) {
            lab.close();
            throw e;
        }
        return lab;
    }

    private void build() throws IOException {
        String bridge = bridge();
        must("ip", "link", "add", bridge, "type", "bridge");
        must("ip", "addr", "add", subnet + "254/24", "dev", bridge);
        must("ip", "link", "set", bridge, "up");
        for (int i = 1; i <= hosts; i++) {
            String ns = "cohort-" + tag + "-" + i, veth = "chv" + tag + "x" + i;
            must("ip", "netns", "add", ns);
            namespaces.add(ns);
            must("ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns);
            must("ip", "link", "set", veth, "master", bridge, "up");
            must("ip", "netns", "exec", ns, "ip", "addr", "add", address(i) + "/24", "dev", "eth0");
            must("ip", "netns", "exec", ns, "ip", "link", "set", "eth0", "up");
            must("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up");
        }
    }

    private String bridge() {
        return "chb" + tag;
    }

    /** Host {@code i}'s address (1-based). */
    public String address(int i) {
        check(i);
        return subnet + i;
    }

    /** The address the test itself has on the lab's network. */
    public String testAddress() {
        return subnet + "254";
    }

    /** The command prefix that runs a program inside host {@code i}'s network stack. */
    public List<String> inHost(int i) {
        check(i);
        return List.of("ip", "netns", "exec", namespaces.get(i - 1));
    }

    /**
     * Drops every packet between host {@code i} and each of {@code others}, both ways, until
     * {@link #heal}. The test's own address stays reachable.
     */
    public void cut(int i, int... others) throws IOException {
        check(i);
        if (others.length == 0) throw new IllegalArgumentException("cut host " + i + " from which hosts?");
        StringBuilder set = new StringBuilder();
        for (int o : others) {
            check(o);
            set.append(set.isEmpty() ? "" : ", ").append(address(o));
        }
        String rules = "table inet cohort_partition {\n"
                + "  chain input { type filter hook input priority 0; ip saddr { " + set + " } drop; }\n"
                + "  chain output { type filter hook output priority 0; ip daddr { " + set + " } drop; }\n"
                + "}\n";
        List<String> cmd = new ArrayList<>(inHost(i));
        cmd.addAll(List.of("nft", "-f", "-"));
        Result r = run(cmd, rules);
        if (r.exit != 0) throw new IOException("nft refused the cut of host " + i + ": " + r.out);
    }

    /** Removes host {@code i}'s cut rules (nothing if it has none). */
    public void heal(int i) throws IOException {
        List<String> cmd = new ArrayList<>(inHost(i));
        cmd.addAll(List.of("nft", "list", "tables"));
        if (!run(cmd).out.contains("cohort_partition")) return;
        cmd = new ArrayList<>(inHost(i));
        cmd.addAll(List.of("nft", "delete", "table", "inet", "cohort_partition"));
        Result r = run(cmd);
        if (r.exit != 0) throw new IOException("nft could not heal host " + i + ": " + r.out);
    }

    private void check(int i) {
        if (i < 1 || i > hosts) throw new IllegalArgumentException("host " + i + " is not in 1.." + hosts);
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        OPEN.remove(this);
        for (String ns : namespaces) {
            try {
                run(List.of("ip", "netns", "del", ns)); // takes its veth end, its rules and its processes' sockets
            } catch (IOException ignored) {
                // best effort: keep deleting the rest
            }
        }
        try {
            run(List.of("ip", "link", "del", bridge()));
        } catch (IOException ignored) {
            // best effort
        }
    }

    private static void must(String... cmd) throws IOException {
        Result r = run(List.of(cmd));
        if (r.exit != 0) throw new IOException(String.join(" ", cmd) + " failed (" + r.exit + "): " + r.out);
    }

    private record Result(int exit, String out) {}

    private static Result run(List<String> cmd) throws IOException {
        return run(cmd, null);
    }

    private static Result run(List<String> cmd, String input) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            if (input != null) p.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + " did not end within 30 s");
            }
            return new Result(p.exitValue(), out);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + cmd, e);
        }
    }
}
