package dev.cohort.observer.cli;

import dev.cohort.cluster.ClusterNode;
import dev.cohort.cluster.cli.NodeCommand;
import dev.cohort.observer.Observer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code cohort node} ({@code ./cohort node}) with an optional observer: {@code --observer-port}
 * (and {@code --observer-token} to allow kills). Prints {@code OBSERVER http://HOST:PORT/} once it serves. Also the node the
 * observer's OS-process tests drive: {@code SPAWN name} starts a registered idle process.
 */
@Command(name = "cohort node", mixinStandardHelpOptions = true)
public final class ObserverNodeMain extends NodeCommand {
    @Option(names = "--observer-port", description = "serve the observer on this HTTP port (0: a free one); none: no observer") Integer observerPort;
    @Option(names = "--observer-host", defaultValue = "127.0.0.1", description = "address the observer binds (default: ${DEFAULT-VALUE})") String observerHost;
    @Option(names = "--observer-token", defaultValue = "${env:COHORT_OBSERVER_TOKEN}", description = "token that allows kills (env COHORT_OBSERVER_TOKEN); none: read-only") String token;

    public static void main(String[] args) {
        System.exit(run(new ObserverNodeMain(), args));
    }

    @Override
    protected void running(ClusterNode cluster) {
        if (observerPort == null) return;
        Observer observer = Observer.builder(cluster).host(observerHost).port(observerPort).killToken(token).start();
        readCommands(w -> {
            if (w[0].equals("SPAWN") && w.length == 2) {
                var pid = cluster.node().spawn(self -> {
                    for (;;) self.receive();
                });
                cluster.node().register(w[1], pid);
                print("SPAWNED " + w[1] + " " + pid);
            } else {
                throw new UnknownCommand();
            }
        });
        print("OBSERVER http://" + observerHost + ":" + observer.port() + "/");
    }
}
