package dev.cohort.examples.superheroes;

/** What a City server understands; every record here travels between nodes (see {@link Wire}). */
public final class CityProtocol {
    private CityProtocol() {}

    /** Call: the city's replica. */
    public record Get() {}

    /** Cast: merge this replica into the city's. */
    public record Update(Replica replica) {}

    /** Call: merge the caller's replica, then send hero {@code heroId} to this city; answered with an {@link AssignResult}. */
    public record Assign(String heroId, Replica replica) {}

    /** The answer to {@link Assign}: the city's new replica, or why it could not assign. */
    public record AssignResult(Replica replica, String error) {}

    /** Cast: the city crashes (its supervisor restarts it, empty). */
    public record Bomb() {}

    /** Call to a city node's {@code citywatch}: how its city is doing. */
    public record GetStatus() {}

    /** A city's health as its own node sees it. */
    public record CityStatus(String city, String state, int restartsInWindow, int restarts, int heroes, String digest) {}
}
