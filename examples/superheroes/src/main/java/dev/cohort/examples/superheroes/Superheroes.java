package dev.cohort.examples.superheroes;

import dev.cohort.time.HybridLogicalClock;

import dev.cohort.cluster.ClusterNode;
import dev.cohort.cluster.discovery.Discovery;
import dev.cohort.process.Pid;
import dev.cohort.registry.Registry;
import dev.cohort.server.GenServer;
import dev.cohort.server.StartOptions;
import dev.cohort.supervisor.ChildSpec;
import dev.cohort.supervisor.Strategy;
import dev.cohort.supervisor.Supervisor;
import io.javalin.Javalin;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The superhero dispatch cluster (reference app 2): {@code city --city gotham} starts a location
 * node, {@code dispatch} the dispatch node with its web page, {@code demo} all four as separate
 * OS processes. Every node lists every other as a seed; seeds are retried, so nodes may start
 * in any order.
 */
@Command(name = "superheroes", mixinStandardHelpOptions = true, subcommands = {Superheroes.CityCommand.class,
        Superheroes.DispatchCommand.class, SuperheroesDemo.class},
        description = "The superhero dispatch cluster: three cities and a dispatch node with a live web page.")
public final class Superheroes implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "choose city, dispatch or demo");
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new Superheroes()).execute(args));
    }

    /** Options every node takes. */
    static final class Common {
        @Option(names = "--host", defaultValue = "127.0.0.1", description = "Host of every node (default ${DEFAULT-VALUE}).")
        String host;

        @Option(names = "--base-port", defaultValue = "4370", description = "Cluster ports: gotham, metropolis, capitol, dispatch from here on (default ${DEFAULT-VALUE}).")
        int basePort;

        @Option(names = "--cookie", defaultValue = "${env:COHORT_COOKIE:-superheroes}", description = "Cluster cookie (env COHORT_COOKIE).")
        String cookie;

        @Option(names = "--patrol-ms", defaultValue = "5000") long patrolMs;
        @Option(names = "--fight-ms", defaultValue = "5000") long fightMs;
        @Option(names = "--gossip-ms", defaultValue = "1000") long gossipMs;
        @Option(names = "--poll-ms", defaultValue = "2000") long pollMs;

        int portOf(String node) {
            int i = Cities.NAMES.indexOf(node);
            return basePort + (i >= 0 ? i : 3);
        }

        ClusterNode start(String shortName) throws Exception {
            if (basePort < 1 || basePort > 65532) throw new IllegalArgumentException("--base-port must be 1..65532");
            List<InetSocketAddress> seeds = new ArrayList<>();
            for (int i = 0; i < 4; i++) seeds.add(new InetSocketAddress(host, basePort + i));
            return ClusterNode.builder().name(shortName + "@" + host).port(portOf(shortName)).cookie(cookie)
                    .discovery(Discovery.staticHosts(seeds)).serializer(Wire.serializer()).start();
        }

        /** These settings as arguments of a child process, but the cookie: that goes by {@code COHORT_COOKIE}. */
        List<String> asArgs() {
            return List.of("--host", host, "--base-port", String.valueOf(basePort),
                    "--patrol-ms", String.valueOf(patrolMs), "--fight-ms", String.valueOf(fightMs),
                    "--gossip-ms", String.valueOf(gossipMs), "--poll-ms", String.valueOf(pollMs));
        }
    }

    @Command(name = "city", mixinStandardHelpOptions = true, description = "Starts a location node.")
    static final class CityCommand implements Callable<Integer> {
        @Mixin Common common;

        @Option(names = "--city", required = true, description = "gotham, metropolis or capitol.")
        String city;

        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            if (!Cities.isCity(city)) throw new CommandLine.ParameterException(spec.commandLine(), "--city must be one of " + Cities.NAMES);
            ClusterNode cluster = common.start(city);
            HybridLogicalClock clock = HybridLogicalClock.system(cluster.name());
            Duration window = Duration.ofSeconds(5);
            Pid watch = GenServer.start(cluster.node(), new CityWatch(city, window, cluster.node().clock()), StartOptions.named(CityWatch.NAME));
            // at most 3 restarts in 5 s; a city bombed more often stays down while the rest of the cluster runs on
            Pid sup = Supervisor.start(cluster.node(), Supervisor.builder().strategy(Strategy.ONE_FOR_ONE).intensity(3, window)
                    .child(ChildSpec.worker(city, s -> GenServer.startLink(s,
                            new City(city, clock, new Random(), Duration.ofMillis(common.patrolMs), Duration.ofMillis(common.fightMs)),
                            StartOptions.via(cluster.global(), city))))
                    .build(), StartOptions.defaults());
            cluster.node().send(watch, new CityWatch.Supervising(sup));
            cluster.onNodeEvent(e -> org.slf4j.LoggerFactory.getLogger(Superheroes.class)
                    .info("{}: node {} is {}", city, e.node(), e.up() ? "up" : "down"));
            System.out.println("CITY " + city + " is up on " + cluster.name());
            System.out.flush();
            Runtime.getRuntime().addShutdownHook(new Thread(cluster::close));
            new CountDownLatch(1).await();
            return 0;
        }
    }

    @Command(name = "dispatch", mixinStandardHelpOptions = true, description = "Starts the dispatch node and its web page.")
    static final class DispatchCommand implements Callable<Integer> {
        @Mixin Common common;

        @Option(names = "--http-port", defaultValue = "${env:PORT:-4900}", description = "Port of the web page (env PORT; default ${DEFAULT-VALUE}; 0 picks a free one, printed).")
        int httpPort;

        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            if (httpPort < 0 || httpPort > 65535) throw new CommandLine.ParameterException(spec.commandLine(), "--http-port must be 0..65535 (0: any free port), got " + httpPort);
            ClusterNode cluster = common.start("dispatch");
            Cities cities = new Cities(cluster, common.host);
            HybridLogicalClock clock = HybridLogicalClock.system(cluster.name());
            Random random = new Random();
            Registry tabs = Registry.duplicate(cluster.node(), "tabs");
            ClusterStatus status = new ClusterStatus(cluster, cities, tabs, Duration.ofSeconds(1));
            // gossip and poll crash on a city that is down and are restarted; generous intensity keeps dispatch up meanwhile
            Supervisor.start(cluster.node(), Supervisor.builder().strategy(Strategy.ONE_FOR_ONE).intensity(30, Duration.ofSeconds(10))
                    .child(ChildSpec.worker("status", s -> GenServer.startLink(s, status)))
                    .child(ChildSpec.worker("gossip", s -> GenServer.startLink(s, new Gossip(cities, Duration.ofMillis(common.gossipMs), random))))
                    .child(ChildSpec.worker("poll", s -> GenServer.startLink(s, new Poll(cities, tabs, Duration.ofMillis(common.pollMs), random))))
                    .build(), StartOptions.defaults());
            Javalin web = DispatchWeb.start(common.host, httpPort, cluster.node(), new Tabs(cluster.node(), tabs, cities, clock, random, status),
                    cities, status, clock, random);
            System.out.println("DISPATCH web page on http://" + (common.host.equals("127.0.0.1") ? "localhost" : common.host) + ":" + web.port() + "/");
            System.out.flush();
            Runtime.getRuntime().addShutdownHook(new Thread(cluster::close));
            new CountDownLatch(1).await();
            return 0;
        }
    }
}
