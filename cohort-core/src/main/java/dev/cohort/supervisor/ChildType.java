package dev.cohort.supervisor;

/** Whether a child is a worker or itself a supervisor (counted apart, and stopped with no timeout by default). */
public enum ChildType { WORKER, SUPERVISOR }
