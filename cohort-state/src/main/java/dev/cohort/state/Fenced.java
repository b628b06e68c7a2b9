package dev.cohort.state;

/**
 * The detail of the {@code {shutdown, fenced}} exit of a durable server whose write the store
 * refused: a newer incarnation of its key (epoch {@code newerEpoch}) exists, so this one stops
 * without writing anything more. A shutdown is orderly: a transient child is not restarted.
 */
public record Fenced(String key, long epoch, long newerEpoch) implements dev.cohort.supervisor.RoutineExit {
    @Override
    public String toString() {
        return "fenced " + key + " epoch " + epoch + " < " + newerEpoch;
    }
}
