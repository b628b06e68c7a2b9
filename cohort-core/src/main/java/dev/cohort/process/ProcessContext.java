package dev.cohort.process;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * What a process can do to itself and to others: OTP's process primitives. A
 * {@code ProcessContext} is handed to the {@link ProcessBody}; it belongs to that process
 * and must only be used from its thread (receive, link, monitor, trapExit, exit), except
 * {@link #self()}, {@link #node()} and the {@link Messenger} methods, which are safe
 * anywhere.
 *
 * <h2>Receiving</h2>
 * Messages from one sender arrive in the order sent. {@code receive(match, ...)} takes the
 * <em>first</em> message the predicate accepts and leaves the others, in order, for later
 * receives (Erlang's selective receive). A timeout of {@link Duration#ZERO} only looks at
 * what is already there (Erlang's {@code after 0}).
 *
 * <h2>Ending</h2>
 * When the process is ended from outside (an exit signal, a kill) it is dead at once for the
 * rest of the system: links and monitors fire and its name is freed. Java cannot stop a
 * thread, so its thread is interrupted and unwinds with {@link ProcessExit} at its next
 * receive or blocking call; code that spins without either keeps running until it does.
 */
public interface ProcessContext extends Messenger {

    /** This process's pid. */
    Pid self();

    /** The node this process runs on. */
    Node node();

    /** Takes the next message, waiting as long as it takes. */
    Object receive();

    /** Takes the next message, or empty after {@code timeout}. */
    Optional<Object> receive(Duration timeout);

    /** Takes the first message {@code match} accepts, waiting as long as it takes. */
    Object receive(Predicate<Object> match);

    /** Takes the first message {@code match} accepts, or empty after {@code timeout}. */
    Optional<Object> receive(Predicate<Object> match, Duration timeout);

    /** Takes the first message of type {@code type}, waiting as long as it takes. */
    default <T> T receive(Class<T> type) {
        return type.cast(receive(type::isInstance));
    }

    /** Takes the first message of type {@code type} that {@code match} accepts, or empty after {@code timeout}. */
    default <T> Optional<T> receive(Class<T> type, Predicate<? super T> match, Duration timeout) {
        return receive(m -> type.isInstance(m) && match.test(type.cast(m)), timeout).map(type::cast);
    }

    /** Starts a process. */
    Pid spawn(ProcessBody body);

    /** Starts a process linked to this one, atomically (no window where it runs unlinked). */
    Pid spawnLink(ProcessBody body);

    /** Starts a process monitored by this one, atomically. */
    Spawned spawnMonitor(ProcessBody body);

    /**
     * Links this process and {@code other}: when either ends with a reason other than
     * {@code normal}, the other gets an exit signal. Linking a process that does not exist
     * sends this process an exit signal with reason {@code noproc}. Linking twice is one link.
     */
    void link(Pid other);

    /** Removes the link, if any. After it returns no signal from that link arrives, though an {@link Exit} message may already be queued. */
    void unlink(Pid other);

    /**
     * Monitors {@code target}: one {@link Down} message arrives when it ends, with its reason.
     * A target that is already dead or never existed gives {@code Down(noproc)} at once. The Downs
     * of several monitors of one local target arrive in the order the monitors were made.
     */
    Ref monitor(Pid target);

    /**
     * Monitors the process an address names, as Erlang's {@code monitor(process, Name)} and
     * {@code monitor(process, {Name, Node})}: a local name or key is resolved now (unregistered:
     * {@code Down(noproc)} at once); a name on another node is resolved there. For a name on
     * another node that has no process, or whose node is lost, {@link Down#pid()} is that
     * node's placeholder {@code <node.0>}.
     */
    Ref monitor(Address target);

    /** Removes a monitor; returns {@code false} if it had already fired or did not exist. */
    boolean demonitor(Ref ref);

    /** Removes a monitor and any {@link Down} of it already in the mailbox. */
    boolean demonitorFlush(Ref ref);

    /**
     * Traps exits: exit signals (other than {@code kill}) become {@link Exit} messages
     * instead of ending this process.
     *
     * @return the previous setting
     */
    boolean trapExit(boolean trap);

    /** Whether this process traps exits. */
    boolean isTrappingExits();

    /** Ends this process with {@code reason}. Never returns. */
    ProcessExit exit(ExitReason reason);

    /**
     * Sends an exit signal to {@code target}, as Erlang's {@code exit/2}: {@code kill} ends
     * it unconditionally (reason {@code killed}); otherwise a process that traps exits gets an
     * {@link Exit} message, a {@code normal} signal is ignored, and any other reason ends it.
     */
    void exit(Pid target, ExitReason reason);

    /** Registers this process under a local name; see {@link Node#register(String, Pid)}. */
    void register(String name);

    /** Sends {@code message} to {@code to} after {@code delay}. */
    TimerRef sendAfter(Address to, Object message, Duration delay);

    /** Number of messages waiting in this process's mailbox. */
    int messageQueueLength();

    /**
     * Says what this process is, for observers and crash reports (as OTP's
     * {@code proc_lib:set_label}): a {@code GenServer} is labelled with its class name, a
     * supervisor with {@code Supervisor.LABEL}. The label is not a name: nothing resolves it.
     */
    void setLabel(String label);
}
