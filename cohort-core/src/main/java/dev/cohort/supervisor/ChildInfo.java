package dev.cohort.supervisor;

import dev.cohort.process.Pid;

/**
 * One child as {@code whichChildren} reports it.
 *
 * @param id the child's id (for a dynamic supervisor: its pid)
 * @param pid the running process, or null when it is not running (a transient child that ended normally)
 * @param type worker or supervisor
 * @param restart its restart type
 */
public record ChildInfo(Object id, Pid pid, ChildType type, Restart restart) {}
