package dev.cohort.process;

/** A request that expects no reply, as sent by {@link Messenger#cast}. */
public record Cast(Object request) {}
