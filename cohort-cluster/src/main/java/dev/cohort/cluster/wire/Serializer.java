package dev.cohort.cluster.wire;

/**
 * Turns user values (messages, call requests, replies, custom exit reasons) into bytes and
 * back. Implementations must never instantiate a class their configuration does not allow,
 * and must report bad input as {@link FrameException}, never as another exception.
 */
public interface Serializer {
    /** Encodes {@code value}; throws {@link IllegalArgumentException} for a value it may not send. */
    byte[] serialize(Object value);

    /** Decodes bytes made by {@link #serialize} on another node. */
    Object deserialize(byte[] bytes) throws FrameException;

    /**
     * The types this serializer registers, in the order that fixes their wire ids (none: it has no
     * such order). A node refuses to let a peer join whose list differs, naming the difference:
     * otherwise one node's class could silently decode as another's.
     */
    default java.util.List<String> registrations() { return java.util.List.of(); }
}
