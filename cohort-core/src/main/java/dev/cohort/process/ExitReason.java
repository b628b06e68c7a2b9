package dev.cohort.process;

/**
 * Why a process ended, with OTP's meanings:
 * <ul>
 *   <li>{@link Normal}: the body returned. Linked processes are not affected.</li>
 *   <li>{@link Shutdown}: an orderly stop, usually asked by a supervisor. Not a crash (a
 *       transient child is not restarted), but it does end linked processes that do not
 *       trap exits.</li>
 *   <li>{@link Kill}: sent with {@code exit(pid, kill)}; cannot be trapped. The process
 *       ends with {@link Killed}.</li>
 *   <li>{@link Killed}: the reason of a killed process, as seen by links and monitors.</li>
 *   <li>{@link NoProc}: the target did not exist (monitor, link or call of a dead pid).</li>
 *   <li>{@link NoConnection}: the target's node is unreachable.</li>
 *   <li>{@link Crashed}: an uncaught exception; carries it.</li>
 *   <li>{@link Custom}: any other value, as {@code exit(Reason)}.</li>
 * </ul>
 */
public sealed interface ExitReason {

    Normal NORMAL = new Normal();
    Shutdown SHUTDOWN = new Shutdown(null);
    Kill KILL = new Kill();
    Killed KILLED = new Killed();
    NoProc NOPROC = new NoProc();
    NoConnection NOCONNECTION = new NoConnection();

    /** An exit with any value, like Erlang's {@code exit(Value)}. */
    static ExitReason of(Object value) {
        return value instanceof ExitReason r ? r : new Custom(value);
    }

    /** {@code true} for normal and shutdown: the reasons after which a transient child stays down. */
    default boolean isOrderly() {
        return this instanceof Normal || this instanceof Shutdown;
    }

    /** The body returned normally. */
    record Normal() implements ExitReason {
        @Override public String toString() { return "normal"; }
    }

    /** An orderly stop; {@code detail} is optional ({@code {shutdown, Term}} in OTP). */
    record Shutdown(Object detail) implements ExitReason {
        @Override public String toString() { return detail == null ? "shutdown" : "{shutdown, " + detail + "}"; }
    }

    /** The untrappable kill signal. */
    record Kill() implements ExitReason {
        @Override public String toString() { return "kill"; }
    }

    /** The reason of a process that was killed. */
    record Killed() implements ExitReason {
        @Override public String toString() { return "killed"; }
    }

    /** The process did not exist. */
    record NoProc() implements ExitReason {
        @Override public String toString() { return "noproc"; }
    }

    /** The node of the process could not be reached. */
    record NoConnection() implements ExitReason {
        @Override public String toString() { return "noconnection"; }
    }

    /** An uncaught exception ended the process. */
    record Crashed(Throwable exception) implements ExitReason {
        @Override public String toString() { return "crashed: " + exception; }
    }

    /** Any other reason value. */
    record Custom(Object value) implements ExitReason {
        @Override public String toString() { return String.valueOf(value); }
    }
}
