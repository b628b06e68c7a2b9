package dev.cohort.state.store;

/** The store could not be reached (or stayed busy) for longer than its retry budget. */
public final class StoreUnavailableException extends RuntimeException {
    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
