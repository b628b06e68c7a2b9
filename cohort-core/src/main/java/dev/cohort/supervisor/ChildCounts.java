package dev.cohort.supervisor;

/**
 * What {@code countChildren} reports.
 *
 * @param specs child specifications held
 * @param active children running
 * @param supervisors children of type supervisor
 * @param workers children of type worker
 */
public record ChildCounts(int specs, int active, int supervisors, int workers) {}
