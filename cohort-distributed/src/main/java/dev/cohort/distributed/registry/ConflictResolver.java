package dev.cohort.distributed.registry;

/**
 * Decides which of two registrations of one unique key survives when a healed partition shows
 * both (the default is the later registration by hybrid-logical-clock time). Every node that
 * holds one of the two evaluates it, so it must be a pure function of its arguments that does
 * not depend on their order: for example, the higher of two priorities carried in the values,
 * with the pid as a tie-breaker. The losing process gets the exit signal
 * {@code Custom(RegistryConflict(key, registry, winner))}.
 */
@FunctionalInterface
public interface ConflictResolver {
    /** The winner: {@code a} or {@code b}. */
    Registration winner(Object key, Registration a, Registration b);
}
