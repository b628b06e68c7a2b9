/**
 * Supervision: {@link dev.cohort.supervisor.Supervisor} (a fixed list of children, restart
 * strategies and intensity) and {@link dev.cohort.supervisor.DynamicSupervisor} (children added
 * at run time), child specs, and {@link dev.cohort.supervisor.RoutineExit}, the exits of normal
 * cluster operation that restarts do not count.
 */
package dev.cohort.supervisor;
