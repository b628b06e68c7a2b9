package dev.cohort.process;

/**
 * The message a monitor delivers, once, when the monitored process ends or is found not to
 * exist ({@link ExitReason.NoProc}) or its node is lost ({@link ExitReason.NoConnection}).
 *
 * @param ref the reference {@code monitor} returned
 * @param pid the monitored process
 * @param reason why it ended
 */
public record Down(Ref ref, Pid pid, ExitReason reason) {}
