package dev.cohort.supervisor;

/** What a {@link Supervisor} restarts when one child ends and must be restarted. */
public enum Strategy {
    /** Only that child. */
    ONE_FOR_ONE,
    /** Every child: the others are stopped in reverse start order, then all start again in order. */
    ONE_FOR_ALL,
    /** That child and every child started after it (stopped in reverse order, restarted in order). */
    REST_FOR_ONE
}
