package dev.cohort.process;

/**
 * A request that expects a reply, as sent by {@link Messenger#call}. A server answers with
 * {@code from.reply(value)}, now or later, from any thread.
 */
public record Call(From from, Object request) {}
