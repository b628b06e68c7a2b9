package dev.cohort.server;

import dev.cohort.process.Address;
import dev.cohort.process.Call;
import dev.cohort.process.Cast;
import dev.cohort.process.Exit;
import dev.cohort.process.ExitReason;
import dev.cohort.process.From;
import dev.cohort.process.Node;
import dev.cohort.process.Pid;
import dev.cohort.process.ProcessContext;
import dev.cohort.process.ProcessExit;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The receive loop behind every {@link GenServer}; one instance per server process. */
final class ServerLoop<S> {
    private static final Logger log = LoggerFactory.getLogger(GenServer.class);

    /** Asks a server to stop (see {@link GenServer#stop}). */
    record StopRequest(ExitReason reason) {}

    private final GenServer<S> server;
    private final ProcessContext self;
    private final Pid parent;
    private S state;

    private ServerLoop(GenServer<S> server, ProcessContext self, Pid parent) {
        this.server = server;
        this.self = self;
        this.parent = parent;
    }

    static <S> Pid start(Node node, ProcessContext parent, GenServer<S> server, StartOptions options) {
        CompletableFuture<Pid> started = new CompletableFuture<>();
        // The parent of an unlinked server is the node's system pid, so node.exit(server,
        // shutdown) is an orderly stop for a server that traps exits.
        Pid parentPid = parent != null ? parent.self() : node.systemPid();
        Pid pid = parent == null
                ? node.spawn(self -> run(self, server, parentPid, options, started))
                : parent.spawnLink(self -> run(self, server, parentPid, options, started));
        try {
            return started.get(options.initTimeout().toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof StartException s) throw s;
            throw new StartException(new ExitReason.Crashed(e.getCause()), "init of " + pid + " failed: " + e.getCause());
        } catch (TimeoutException e) {
            if (parent != null) parent.unlink(pid);
            node.exit(pid, ExitReason.KILL);
            throw new StartException(ExitReason.of("timeout"), "init of " + pid + " did not finish within " + options.initTimeout());
        } catch (InterruptedException e) {
            node.exit(pid, ExitReason.KILL);
            Thread.currentThread().interrupt();
            throw new StartException(ExitReason.KILLED, "interrupted while starting " + pid);
        }
    }

    /** Sends a stop request and waits, through a monitor, until the server has ended. */
    static void stop(Node node, Address server, ExitReason reason, java.time.Duration timeout) {
        Pid pid = node.resolve(server);
        CompletableFuture<ExitReason> ended = new CompletableFuture<>();
        if (pid != null) {
            node.spawn(helper -> {
                dev.cohort.process.Ref ref = helper.monitor(pid);
                helper.send(pid, new StopRequest(reason));
                ended.complete(helper.receive(dev.cohort.process.Down.class, d -> d.ref().equals(ref), timeout)
                        .map(dev.cohort.process.Down::reason).orElse(null));
            });
        }
        ExitReason r;
        try {
            r = pid == null ? ExitReason.NOPROC : ended.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new dev.cohort.process.CallException(server, ExitReason.KILLED, "interrupted while stopping " + server);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
        if (r == null) throw new dev.cohort.process.CallTimeoutException(server, timeout);
        if (r instanceof ExitReason.NoProc) throw new dev.cohort.process.CallException(server, r, "no process " + server + " to stop");
    }

    private static <S> void run(ProcessContext self, GenServer<S> server, Pid parent, StartOptions options,
                                CompletableFuture<Pid> started) {
        ServerLoop<S> loop = new ServerLoop<>(server, self, parent);
        Address name = options.name();
        if (name != null) {
            Pid holder = loop.claim(name);
            if (holder != null) {
                loop.failStart(started, new AlreadyStartedException(name, holder));
                throw self.exit(ExitReason.NORMAL);
            }
        }
        Next<S> first;
        String type = server.getClass().getName();
        self.setLabel(type.substring(type.lastIndexOf('.') + 1)); // init may relabel
        try {
            first = server.init(self);
        } catch (ProcessExit e) {
            loop.failStart(started, new StartException(e.reason(), "init of " + self.self() + " exited: " + e.reason()));
            throw e;
        } catch (Exception | LinkageError e) {
            ExitReason reason = new ExitReason.Crashed(e);
            loop.failStart(started, new StartException(reason, "init of " + self.self() + " failed: " + e));
            throw self.exit(reason);
        }
        switch (first) {
            case Next.Stop<S> s -> {
                loop.failStart(started, new StartException(s.reason(), "init of " + self.self() + " stopped: " + s.reason()));
                throw self.exit(s.reason());
            }
            case Next.Reply<S> r -> {
                IllegalStateException e = new IllegalStateException("init must not return a reply");
                loop.failStart(started, new StartException(new ExitReason.Crashed(e), e.getMessage()));
                throw self.exit(new ExitReason.Crashed(e));
            }
            case Next.NoReply<S> n -> {
                loop.state = n.state();
                started.complete(self.self());
                loop.loop(n.after());
            }
        }
    }

    /** Registers under {@code name}; returns the holder if it is taken. */
    private Pid claim(Address name) {
        return switch (name) {
            case Address.Name n -> {
                try {
                    self.register(n.name());
                    yield null;
                } catch (IllegalArgumentException e) {
                    Pid holder = self.node().whereis(n.name());
                    yield holder != null ? holder : self.self();
                }
            }
            case Address.Via v -> v.resolver().registerSelf(self, v.key());
            case Address.Remote r -> throw new IllegalArgumentException("a server registers on its own node; use Address.name, not " + r);
            case Pid p -> throw new IllegalArgumentException("not a name: " + p);
        };
    }

    /** Reports a failed start; unlinks the parent first so that it is not taken down too (OTP 26 semantics). */
    private void failStart(CompletableFuture<Pid> started, StartException e) {
        self.unlink(parent);
        started.completeExceptionally(e);
    }

    private void loop(Next.After after) {
        for (;;) {
            Next<S> next;
            From from = null;
            try {
                if (after instanceof Next.After.Continue c) {
                    next = server.handleContinue(c.value(), state);
                } else {
                    Object msg = after instanceof Next.After.Timeout t
                            ? self.receive(t.duration()).orElse(GenServer.TIMEOUT)
                            : self.receive();
                    switch (msg) {
                        case StopRequest stop -> {
                            terminate(stop.reason());
                            throw self.exit(stop.reason());
                        }
                        case Call call -> {
                            from = call.from();
                            next = server.handleCall(call.request(), from, state);
                        }
                        case Cast cast -> next = server.handleCast(cast.request(), state);
                        case Exit exit when exit.from().equals(parent) && self.isTrappingExits() -> {
                            terminate(exit.reason());
                            throw self.exit(exit.reason());
                        }
                        default -> next = server.handleInfo(msg, state);
                    }
                }
            } catch (ProcessExit e) {
                throw e;
            } catch (Exception | LinkageError e) {
                ExitReason reason = new ExitReason.Crashed(e);
                terminate(reason);
                throw self.exit(reason);
            }
            after = apply(next, from);
        }
    }

    private Next.After apply(Next<S> next, From from) {
        if (next == null) {
            ExitReason reason = new ExitReason.Crashed(new NullPointerException("a GenServer callback returned null"));
            terminate(reason);
            throw self.exit(reason);
        }
        state = next.state();
        return switch (next) {
            case Next.Reply<S> r -> {
                if (from == null) {
                    ExitReason reason = new ExitReason.Crashed(new IllegalStateException("only handleCall may return a reply"));
                    terminate(reason);
                    throw self.exit(reason);
                }
                from.reply(r.reply());
                yield r.after();
            }
            case Next.NoReply<S> n -> n.after();
            case Next.Stop<S> s -> {
                if (s.hasReply() && from != null) from.reply(s.reply());
                terminate(s.reason());
                throw self.exit(s.reason());
            }
        };
    }

    private void terminate(ExitReason reason) {
        try {
            server.terminate(reason, state);
        } catch (ProcessExit e) {
            throw e;
        } catch (Exception | LinkageError e) {
            log.error("terminate of {} failed", self.self(), e);
        }
    }
}
