package dev.cohort.cluster.spawn;

import dev.cohort.process.Address;
import dev.cohort.process.From;
import dev.cohort.process.Messenger;
import dev.cohort.process.Node;
import dev.cohort.process.Pid;
import dev.cohort.process.ProcessBody;
import dev.cohort.process.ProcessContext;
import dev.cohort.server.GenServer;
import dev.cohort.server.Next;
import dev.cohort.server.StartOptions;
import dev.cohort.supervisor.ChildSpec;
import dev.cohort.supervisor.DynamicSupervisor;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Starting processes on other nodes (Erlang's {@code spawn/4} and {@code spawn_link/4}, and
 * {@code supervisor:start_child} on a remote supervisor).
 *
 * <p>Java lambdas cannot travel, so, like Erlang's module-function-arguments, the target node
 * must know what to start: each node {@link #define}s named factories, and a remote spawn names
 * a factory and passes one argument (through the serializer, so its class must be allowed).
 * Every node runs a small server, registered as {@value #SERVER_NAME}, that answers these
 * requests.
 *
 * <p>{@link #spawnLink} links the new process to the caller before its body runs; if the
 * caller has ended by then the new process gets the exit signal at once, so there is no
 * moment where it runs unlinked.
 */
public final class RemoteSpawn {
    /** The name of the spawn server on every node. */
    public static final String SERVER_NAME = "cohort_spawner";
    /** Its child id in the system supervisor. */
    public static final String SERVICE_ID = "remote_spawn";
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final Map<String, Function<Object, ProcessBody>> bodies = new ConcurrentHashMap<>();
    private final Map<String, Function<Object, ChildSpec>> children = new ConcurrentHashMap<>();

    /** The factories of one node; its server runs as {@link #childSpec()}. Created by {@code ClusterNode}. */
    public RemoteSpawn() {}

    /**
     * The spawn server as a child of a supervisor (in a {@code ClusterNode}, of its system
     * supervisor): stateless, so a restart loses nothing; the factories live in this object.
     */
    public ChildSpec childSpec() {
        return ChildSpec.worker(SERVICE_ID, sup -> {
            dev.cohort.supervisor.Supervisor.awaitNameFree(sup, SERVER_NAME, TIMEOUT);
            return GenServer.startLink(sup, new Server(), StartOptions.named(SERVER_NAME));
        });
    }

    /** Lets other nodes start plain processes made by {@code factory} under {@code name}. */
    public void define(String name, Function<Object, ProcessBody> factory) {
        bodies.put(checkName(name), Objects.requireNonNull(factory, "factory"));
    }

    /** Lets other nodes start supervised children made by {@code factory} under {@code name}. */
    public void defineChild(String name, Function<Object, ChildSpec> factory) {
        children.put(checkName(name), Objects.requireNonNull(factory, "factory"));
    }

    /**
     * Starts the process factory {@code factory} makes of {@code arg} on {@code node}.
     *
     * @throws IllegalArgumentException if that node has no such factory or it failed
     * @throws dev.cohort.process.CallException if the node is not connected
     */
    public Pid spawn(Messenger via, String node, String factory, Object arg) {
        return request(via, node, new SpawnRequest(factory, arg, null, null));
    }

    /** {@link #spawn}, linked to the calling process {@code self}. */
    public Pid spawnLink(ProcessContext self, String node, String factory, Object arg) {
        return request(self, node, new SpawnRequest(factory, arg, self.self(), null));
    }

    /** Starts the child {@code factory} makes of {@code arg} under the dynamic supervisor registered as {@code supervisor} on {@code node}. */
    public Pid startChild(Messenger via, String node, String supervisor, String factory, Object arg) {
        return request(via, node, new SpawnRequest(factory, arg, null, Objects.requireNonNull(supervisor, "supervisor")));
    }

    private static Pid request(Messenger via, String node, SpawnRequest request) {
        Object answer = via.call(Address.remote(SERVER_NAME, node), request, TIMEOUT);
        if (answer instanceof Pid pid) return pid;
        if (answer instanceof SpawnRefused r) throw new IllegalArgumentException(r.reason());
        throw new IllegalStateException("unexpected answer from " + node + ": " + answer);
    }

    private static String checkName(String name) {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("a factory name must not be blank");
        return name;
    }

    /** Answers spawn requests on its node. */
    private final class Server implements dev.cohort.server.TolerantServer<Void> {
        private Node node;

        @Override
        public Next<Void> init(ProcessContext self) {
            node = self.node();
            return Next.ok(null);
        }

        @Override
        public Next<Void> handleCall(Object request, From from, Void state) {
            if (!(request instanceof SpawnRequest r)) return Next.reply(new SpawnRefused("not a spawn request: " + request), state);
            return Next.reply(start(r), state);
        }

        private Object start(SpawnRequest r) {
            try {
                if (r.supervisor() != null) {
                    Function<Object, ChildSpec> f = children.get(r.factory());
                    if (f == null) return new SpawnRefused(node.name() + " has no child factory named " + r.factory());
                    // this server waits while the supervisor starts the child (its init); requests queue meanwhile
                    return DynamicSupervisor.startChild(node, Address.name(r.supervisor()), f.apply(r.arg()));
                }
                Function<Object, ProcessBody> f = bodies.get(r.factory());
                if (f == null) return new SpawnRefused(node.name() + " has no process factory named " + r.factory());
                ProcessBody body = f.apply(r.arg());
                Pid linkTo = r.linkTo();
                if (linkTo == null) return node.spawn(body);
                return node.spawn(self -> {
                    self.link(linkTo);
                    body.run(self);
                });
            } catch (RuntimeException e) {
                return new SpawnRefused(node.name() + " could not start " + r.factory() + ": " + e);
            }
        }
    }
}
