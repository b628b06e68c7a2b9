package dev.cohort.cluster.wire;

/**
 * A frame could not be decoded: truncated, oversized, of an unknown version or type, with
 * invalid text, or naming a class outside the serializer's allow-list. The receiver drops
 * the frame with one log line and carries on.
 */
public final class FrameException extends Exception {
    public FrameException(String message) {
        super(message);
    }

    public FrameException(String message, Throwable cause) {
        super(message, cause);
    }
}
