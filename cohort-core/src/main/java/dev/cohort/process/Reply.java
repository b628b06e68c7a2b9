package dev.cohort.process;

/** The answer to a call; delivered only while its caller still waits for {@code ref}. */
record Reply(Ref ref, Object value) {}
