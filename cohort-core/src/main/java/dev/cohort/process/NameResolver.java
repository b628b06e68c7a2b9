package dev.cohort.process;

/**
 * Something that maps a key to at most one live process and can register the calling
 * process under a key: what {@link Address#via} needs. The local and distributed registries
 * implement it; a {@code GenServer} started with a via address registers itself through it
 * before its {@code init} runs.
 */
public interface NameResolver {
    /** The process registered under {@code key}, or {@code null}. Never blocks. */
    Pid whereis(Object key);

    /**
     * Registers the calling process under {@code key}.
     *
     * @return {@code null} when registered, or the pid that already holds the key
     */
    Pid registerSelf(ProcessContext self, Object key);
}
