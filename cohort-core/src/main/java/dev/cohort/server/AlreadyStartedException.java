package dev.cohort.server;

import dev.cohort.process.Address;
import dev.cohort.process.ExitReason;
import dev.cohort.process.Pid;

/**
 * The name a server was to be started under is held by a live process (OTP's
 * {@code {error, {already_started, Pid}}}). The new process ended without running {@code init}.
 */
public final class AlreadyStartedException extends StartException {
    private final transient Pid holder;

    public AlreadyStartedException(Address name, Pid holder) {
        super(ExitReason.of("already_started"), name + " is already started as " + holder);
        this.holder = holder;
    }

    /** The process that holds the name. */
    public Pid holder() { return holder; }
}
