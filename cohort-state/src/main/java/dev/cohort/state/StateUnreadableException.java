package dev.cohort.state;

/**
 * The stored state of a key cannot be turned into the server's state: bytes the serializer
 * refuses, a version newer than the code, a missing upgrade, or a value of the wrong type.
 * The server does not start (its start fails with this as cause) and the stored state is left
 * untouched for a person to look at.
 */
public final class StateUnreadableException extends RuntimeException {
    public StateUnreadableException(String message, Throwable cause) {
        super(message, cause);
    }
}
