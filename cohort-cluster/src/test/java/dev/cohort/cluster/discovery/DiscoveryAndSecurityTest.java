package dev.cohort.cluster.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.cohort.cluster.ClusterNode;
import dev.cohort.cluster.Ports;
import dev.cohort.cluster.internal.jgroups.JGroupsTransport;
import dev.cohort.process.Address;
import dev.cohort.process.From;
import dev.cohort.process.ProcessContext;
import dev.cohort.server.GenServer;
import dev.cohort.server.Next;
import dev.cohort.server.StartOptions;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Discovery strategies other than a static list, and the two ways to protect traffic
 * (TLS, encryption with a shared secret), between real JGroups channels over TCP.
 */
class DiscoveryAndSecurityTest {
    private static final Duration JOIN = Duration.ofSeconds(60);
    /** Long enough for two merge rounds (MERGE3 runs every 1 to 3 s): a node that could join would have. */
    private static final Duration NEVER = Duration.ofSeconds(7);
    private final List<ClusterNode> open = new ArrayList<>();

    @AfterEach
    void closeAll() {
        open.forEach(ClusterNode::close);
    }

    private ClusterNode start(ClusterNode.Builder b) throws Exception {
        ClusterNode n = b.start();
        open.add(n);
        return n;
    }

    private static void serveCounter(ClusterNode n) {
        GenServer.start(n.node(), new GenServer<Integer>() {
            @Override public Next<Integer> init(ProcessContext self) { return Next.ok(0); }
            @Override public Next<Integer> handleCall(Object req, From from, Integer c) { return Next.reply(c + 1, c + 1); }
        }, StartOptions.named("counter"));
    }

    private static void assertTalk(ClusterNode from, ClusterNode to) {
        serveCounter(to);
        Integer one = from.node().call(Address.remote("counter", to.name()), "inc");
        assertThat(one).isEqualTo(1);
    }

    private static List<InetSocketAddress> seeds(int... ports) {
        List<InetSocketAddress> out = new ArrayList<>();
        for (int p : ports) out.add(new InetSocketAddress("127.0.0.1", p));
        return out;
    }

    @Test
    void dnsDiscoveryJoinsEveryAddressTheNameLists() throws Exception {
        int port = Ports.free();
        try (TinyDnsServer dns = new TinyDnsServer(Map.of("cohort.test.local",
                List.of(InetAddress.getByName("127.0.0.2"), InetAddress.getByName("127.0.0.3"))))) {
            Discovery d = Discovery.dns("cohort.test.local", "127.0.0.1:" + dns.port());
            ClusterNode a = start(ClusterNode.builder().name("a@127.0.0.2").port(port).cookie("c").discovery(d));
            ClusterNode b = start(ClusterNode.builder().name("b@127.0.0.3").port(port).cookie("c").discovery(d));
            await().atMost(JOIN).until(() -> a.connectedNodes().contains("b@127.0.0.3") && b.connectedNodes().contains("a@127.0.0.2"));
            assertTalk(a, b);
            assertThat(a.discovery().describe()).isEqualTo("DNS A cohort.test.local");
        }
    }

    @Test
    void multicastDiscoveryWithASharedSecretJoinsOnlyNodesThatHoldIt() throws Exception {
        int group = Ports.free(); // a port no test uses, so parallel runs do not meet
        Discovery d = Discovery.multicast("239.7.7." + (1 + group % 250), group);
        ClusterNode a = start(ClusterNode.builder().name("a@127.0.0.1").port(Ports.free()).cookie("c").encryption("s3cret").discovery(d));
        ClusterNode b = start(ClusterNode.builder().name("b@127.0.0.1").port(Ports.free()).cookie("c").encryption("s3cret").discovery(d));
        await().atMost(JOIN).until(() -> a.connectedNodes().contains("b@127.0.0.1") && b.connectedNodes().contains("a@127.0.0.1"));
        assertTalk(a, b);
        ClusterNode eve = start(ClusterNode.builder().name("eve@127.0.0.1").port(Ports.free()).cookie("c").encryption("guess").discovery(d));
        await().during(NEVER).atMost(NEVER.plusSeconds(5)).until(() -> eve.connectedNodes().isEmpty()
                && !a.connectedNodes().contains("eve@127.0.0.1"));
    }

    record Only(String x) {}
    record Other(String y) {}

    /**
     * Fory's wire ids follow the allow-list's order, so two nodes with different lists would
     * silently decode one class as another. A joiner whose list differs is refused, and both sides
     * say which classes differ.
     */
    @Test
    void aNodeWhoseSerializerAllowsOtherClassesIsRefusedWithTheDifferenceNamed() throws Exception {
        int p1 = Ports.free(), p2 = Ports.free();
        ClusterNode a = start(ClusterNode.builder().name("a@127.0.0.1").port(p1).cookie("c")
                .serializer(dev.cohort.cluster.wire.ForySerializer.builder().allow(Only.class).build())
                .discovery(Discovery.staticHosts(seeds(p2))));
        assertThatThrownBy(() -> start(ClusterNode.builder().name("b@127.0.0.1").port(p2).cookie("c")
                .serializer(dev.cohort.cluster.wire.ForySerializer.builder().allow(Other.class).build())
                .discovery(Discovery.staticHosts(seeds(p1)))))
                .isInstanceOf(SecurityException.class).hasMessageContaining("registers other classes")
                .hasMessageContaining(Only.class.getName()).hasMessageContaining(Other.class.getName());
        ClusterNode same = start(ClusterNode.builder().name("c@127.0.0.1").port(p2).cookie("c")
                .serializer(dev.cohort.cluster.wire.ForySerializer.builder().allow(Only.class).build())
                .discovery(Discovery.staticHosts(seeds(p1))));
        await().atMost(JOIN).until(() -> a.connectedNodes().contains("c@127.0.0.1") && same.connectedNodes().contains("a@127.0.0.1"));
    }

    @Test
    void encryptedNodesTalkAndANodeWithAnotherSecretNeverJoins() throws Exception {
        int p1 = Ports.free(), p2 = Ports.free(), p3 = Ports.free();
        ClusterNode a = start(ClusterNode.builder().name("a@127.0.0.1").port(p1).cookie("c").encryption("s3cret")
                .discovery(Discovery.staticHosts(seeds(p2, p3))));
        ClusterNode b = start(ClusterNode.builder().name("b@127.0.0.1").port(p2).cookie("c").encryption("s3cret")
                .discovery(Discovery.staticHosts(seeds(p1, p3))));
        await().atMost(JOIN).until(() -> a.connectedNodes().contains("b@127.0.0.1"));
        assertTalk(a, b);
        // eve's messages are sealed under another key: the members refuse them unopened and say
        // so, and eve's start fails with that reason instead of running alone
        assertThatThrownBy(() -> start(ClusterNode.builder().name("eve@127.0.0.1").port(p3).cookie("c").encryption("guess")
                .discovery(Discovery.staticHosts(seeds(p1, p2)))))
                .isInstanceOf(SecurityException.class).hasMessageContaining("could not open this node's messages");
        await().during(NEVER).atMost(NEVER.plusSeconds(5)).until(() ->
                !a.connectedNodes().contains("eve@127.0.0.1") && !b.connectedNodes().contains("eve@127.0.0.1"));
    }

    @Test
    void tlsNodesTalkAndANodeWithoutTheCertificateNeverJoins(@TempDir Path dir) throws Exception {
        Path cluster = keyStore(dir, "cluster", "changeit");
        Path other = keyStore(dir, "other", "changeit");
        dev.cohort.cluster.Tls tls = new dev.cohort.cluster.Tls(cluster, "changeit", cluster, "changeit");
        int p1 = Ports.free(), p2 = Ports.free(), p3 = Ports.free();
        ClusterNode a = start(ClusterNode.builder().name("a@127.0.0.1").port(p1).cookie("c").tls(tls)
                .discovery(Discovery.staticHosts(seeds(p2, p3))));
        ClusterNode b = start(ClusterNode.builder().name("b@127.0.0.1").port(p2).cookie("c").tls(tls)
                .discovery(Discovery.staticHosts(seeds(p1, p3))));
        await().atMost(JOIN).until(() -> a.connectedNodes().contains("b@127.0.0.1"));
        assertTalk(a, b);
        ClusterNode eve = start(ClusterNode.builder().name("eve@127.0.0.1").port(p3).cookie("c")
                .tls(new dev.cohort.cluster.Tls(other, "changeit", other, "changeit"))
                .discovery(Discovery.staticHosts(seeds(p1, p2))));
        await().during(NEVER).atMost(NEVER.plusSeconds(5)).until(() -> eve.connectedNodes().isEmpty()
                && !a.connectedNodes().contains("eve@127.0.0.1"));
    }

    @Test
    void badSettingsAreRefusedWithAClearMessage(@TempDir Path dir) {
        assertThatThrownBy(() -> ClusterNode.builder().name("nohost").cookie("c").start())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NAME@HOST");
        assertThatThrownBy(() -> ClusterNode.builder().name("a@127.0.0.1").start())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cookie");
        assertThatThrownBy(() -> ClusterNode.builder().name("a@127.0.0.1").cookie("c").port(70_000).start())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1..65535");
        assertThatThrownBy(() -> new dev.cohort.cluster.Tls(dir.resolve("missing.p12"), "x", dir.resolve("missing.p12"), "x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot read the TLS key store");
        assertThatThrownBy(() -> Discovery.multicast("239.1.1.1", 0)).isInstanceOf(IllegalArgumentException.class);
    }

    /** A PKCS12 store with one self-signed key pair, made by the JDK's keytool. */
    static Path keyStore(Path dir, String alias, String password) throws Exception {
        Path store = dir.resolve(alias + ".p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Process p = new ProcessBuilder(keytool, "-genkeypair", "-alias", alias, "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=" + alias, "-validity", "30", "-storetype", "PKCS12", "-keystore", store.toString(),
                "-storepass", password, "-keypass", password).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new IllegalStateException("keytool failed: " + out);
        return store;
    }
}
