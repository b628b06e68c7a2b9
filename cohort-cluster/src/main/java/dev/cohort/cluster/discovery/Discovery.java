package dev.cohort.cluster.discovery;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import org.jgroups.protocols.MPING;
import org.jgroups.protocols.TCPPING;
import org.jgroups.protocols.dns.DNS_PING;
import org.jgroups.stack.Protocol;

/**
 * How a node finds the others (libcluster's strategies, on JGroups' discovery protocols).
 * Discovery runs at start and again every few seconds (JGroups' MERGE3 asks it), so nodes
 * that start later, restart, or come back after a partition are found without a restart.
 *
 * <p>A strategy is one method: the JGroups discovery protocol to put in the stack. Add your
 * own by returning any {@code org.jgroups.protocols.Discovery} subclass (for example
 * {@code KUBE_PING} from {@code org.jgroups.kubernetes:jgroups-kubernetes}).
 */
@FunctionalInterface
public interface Discovery {

    /** The discovery protocol for a node that listens on {@code self}. */
    Protocol protocol(InetSocketAddress self);

    /** A short description for logs and the observer. */
    default String describe() { return getClass().getSimpleName(); }

    /**
     * A static list of {@code host:port} seeds (Erlang's {@code sys.config} list, libcluster's
     * Epmd strategy). Seeds that are not up yet are retried periodically: a node started before
     * its seeds joins them when they come up.
     */
    static Discovery staticHosts(List<InetSocketAddress> seeds) {
        List<InetSocketAddress> copy = List.copyOf(seeds);
        return new Discovery() {
            @Override public Protocol protocol(InetSocketAddress self) {
                TCPPING ping = new TCPPING();
                List<InetSocketAddress> hosts = new java.util.ArrayList<>(copy);
                if (!hosts.contains(self)) hosts.add(self);
                ping.setInitialHosts(hosts);
                ping.setPortRange(0);
                // A node that knows one seed must learn every member's address, or joins and
                // merges through members it cannot reach fail (seen: a late node never saw the coordinator).
                ping.setValue("return_entire_cache", true);
                ping.setValue("send_cache_on_join", true);
                return ping;
            }

            @Override public String describe() { return "static hosts " + copy; }
        };
    }

    /**
     * IP multicast on {@code group:port} (libcluster's Gossip strategy): every node on the
     * network segment that uses the same group, port and cookie joins. Combine with
     * {@code ClusterNode.Builder#encryption(String)} so that only nodes holding that shared
     * secret can read discovery answers and join. The network must route multicast (many
     * clouds do not; use DNS there).
     */
    static Discovery multicast(String group, int port) {
        Objects.requireNonNull(group, "group");
        if (port <= 0 || port > 65535) throw new IllegalArgumentException("multicast port must be 1..65535, got " + port);
        return new Discovery() {
            @Override public Protocol protocol(InetSocketAddress self) {
                MPING ping = new MPING();
                try {
                    ping.setMulticastAddress(group);
                } catch (java.net.UnknownHostException e) {
                    throw new IllegalArgumentException("not a multicast group: " + group, e);
                }
                ping.setMcastPort(port);
                ping.setBindAddr(self.getAddress());
                ping.setTTL(1);
                return ping;
            }

            @Override public String describe() { return "multicast " + group + ":" + port; }
        };
    }

    /**
     * DNS A records of {@code name}, polled (libcluster's DNSPoll; a Kubernetes headless
     * service: {@code my-app.my-namespace.svc.cluster.local}). Every address it lists is
     * contacted on this node's own port, so all nodes must listen on the same port, as pods
     * of one deployment do.
     */
    static Discovery dns(String name) {
        return dnsQuery(name, "A", null);
    }

    /** {@link #dns(String)} asking the DNS server at {@code server} ({@code host} or {@code host:port}) instead of the system's. */
    static Discovery dns(String name, String server) {
        return dnsQuery(name, "A", Objects.requireNonNull(server, "server"));
    }

    /**
     * DNS SRV records of {@code name}, which carry host and port
     * ({@code _cohort._tcp.my-app.my-namespace.svc.cluster.local} for a Kubernetes headless
     * service with a named port {@code cohort}).
     */
    static Discovery dnsSrv(String name) {
        return dnsQuery(name, "SRV", null);
    }

    /** {@link #dnsSrv(String)} asking the DNS server at {@code server} ({@code host} or {@code host:port}). */
    static Discovery dnsSrv(String name, String server) {
        return dnsQuery(name, "SRV", Objects.requireNonNull(server, "server"));
    }

    private static Discovery dnsQuery(String name, String type, String server) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) throw new IllegalArgumentException("a DNS name must not be blank");
        return new Discovery() {
            @Override public Protocol protocol(InetSocketAddress self) {
                DNS_PING ping = new DNS_PING();
                ping.setDNSQuery(name);
                ping.dnsRecordType(type);
                if (server != null) ping.setDNSAddress(server);
                return ping;
            }

            @Override public String describe() { return "DNS " + type + " " + name; }
        };
    }
}
