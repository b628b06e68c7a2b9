package dev.cohort.server;

import dev.cohort.process.Address;
import dev.cohort.process.NameResolver;
import java.time.Duration;
import java.util.Objects;

/**
 * How a server is started: under which name (none, a local name, or a registry key) and how
 * long its {@code init} may take (default 30 s).
 *
 * @param name where to register the server before {@code init} runs, or null
 * @param initTimeout how long start waits for {@code init}
 */
public record StartOptions(Address name, Duration initTimeout) {
    public StartOptions {
        Objects.requireNonNull(initTimeout, "initTimeout");
        if (name instanceof dev.cohort.process.Pid) throw new IllegalArgumentException("a server is named by a name or a via key, not a pid");
    }

    /** No name, 30 s init timeout. */
    public static StartOptions defaults() { return new StartOptions(null, Duration.ofSeconds(30)); }

    /** Registered under a local name. */
    public static StartOptions named(String name) { return defaults().withName(Address.name(name)); }

    /** Registered under {@code key} in {@code resolver} (for example a registry). */
    public static StartOptions via(NameResolver resolver, Object key) { return defaults().withName(Address.via(resolver, key)); }

    /** The same options with another name. */
    public StartOptions withName(Address name) { return new StartOptions(name, initTimeout); }

    /** The same options with another init timeout. */
    public StartOptions withInitTimeout(Duration timeout) { return new StartOptions(name, timeout); }
}
