package dev.cohort.cluster.wire;

import dev.cohort.process.ExitReason;
import dev.cohort.process.Pid;
import dev.cohort.process.Ref;

/**
 * What one node sends another: Cohort's own control messages, each with an explicit compact
 * encoding in {@link FrameCodec}. User values (messages, call requests and replies) travel as
 * opaque {@code payload} bytes made by the pluggable {@link Serializer}, so the codec never
 * instantiates a user class.
 *
 * <p>Records holding {@code byte[]} compare arrays by identity; compare encodings instead.
 */
public sealed interface Frame {

    /** A plain message to {@code to}. */
    record Send(Pid to, byte[] payload) implements Frame {}

    /**
     * A call request to {@code to} from {@code caller}, answered by a {@link Reply} with
     * {@code ref}. It also sets up the caller's monitor {@code ref} of {@code to}, which the
     * reply removes, so a call is one frame each way.
     */
    record Call(Pid to, Pid caller, Ref ref, byte[] request) implements Frame {}

    /** A plain message to the process registered as {@code name} on the receiving node. */
    record SendNamed(String name, byte[] payload) implements Frame {}

    /** A {@link Call} to the process registered as {@code name}; {@link Down} noproc if there is none. */
    record CallNamed(String name, Pid caller, Ref ref, byte[] request) implements Frame {}

    /** {@code watcher} monitors the process registered as {@code name}; {@link Down} noproc if there is none. */
    record MonitorNamed(Pid watcher, String name, Ref ref) implements Frame {}

    /** A cast request to {@code to}. */
    record Cast(Pid to, byte[] request) implements Frame {}

    /** The reply to call {@code ref}, for {@code to}. */
    record Reply(Pid to, Ref ref, byte[] value) implements Frame {}

    /** An exit signal; {@code fromLink}: the exit of a linked process rather than {@code exit/2}. */
    record Exit(Pid from, Pid to, ExitReason reason, boolean fromLink) implements Frame {}

    /** The remote half of a new link between {@code from} (sender's node) and {@code to}. */
    record Link(Pid from, Pid to) implements Frame {}

    /** Removes a link. */
    record Unlink(Pid from, Pid to) implements Frame {}

    /** {@code watcher} monitors {@code target} under {@code ref}. */
    record Monitor(Pid watcher, Pid target, Ref ref) implements Frame {}

    /** Removes monitor {@code ref} from {@code target}. */
    record Demonitor(Pid target, Ref ref) implements Frame {}

    /** Monitor {@code ref} of {@code watcher} fired: {@code pid} ended with {@code reason}. */
    record Down(Pid watcher, Ref ref, Pid pid, ExitReason reason) implements Frame {}

    /**
     * Global-name traffic. Claims and releases go to the coordinator of the current view, which
     * decides and multicasts the outcome, so every node applies them in the coordinator's order.
     */
    sealed interface Global extends Frame permits GlobalClaim, GlobalRelease, GlobalAnnounce, GlobalDenied {}

    /** A claim of {@code name} for {@code pid}, made at {@code stamp} (ms since the epoch on the claiming node); {@code request} matches the answer. */
    record GlobalClaim(long request, String name, Pid pid, long stamp) implements Global {}

    /** {@code pid} gives up {@code name} (it ended, or was unregistered). */
    record GlobalRelease(String name, Pid pid) implements Global {}

    /** The coordinator's answer to claim {@code request}: {@code name} is held by {@code holder}. */
    record GlobalDenied(long request, String name, Pid holder) implements Global {}

    /**
     * Holders of names: multicast by the coordinator when it grants a claim, and by every node
     * for the names its processes hold when the membership grows (a join or a healed partition).
     */
    record GlobalAnnounce(java.util.List<GlobalClaim> held) implements Global {
        public GlobalAnnounce {
            held = java.util.List.copyOf(held);
        }
    }
}
