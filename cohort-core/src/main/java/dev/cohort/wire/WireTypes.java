package dev.cohort.wire;

import java.util.List;

/**
 * The classes one module puts inside values that cross between nodes (exit reasons, replies,
 * requests to its servers), each under a stable wire id: {@link #firstId()} plus its position in
 * {@link #types()}. Each Cohort module contributes one through {@link java.util.ServiceLoader}
 * ({@code META-INF/services/dev.cohort.wire.WireTypes}); the serializer registers them all, so
 * every value a module produces can be sent, and no module lists another's classes.
 *
 * <p>Guaranteed: a class's id depends on its module and position only, never on which other
 * modules are present or in what order the class path names them. Rules for implementers: ids
 * {@code firstId .. firstId + RANGE - 1} belong to the module; append new types, never reorder or
 * remove (nodes compare the registrations at join and refuse a peer whose list differs).
 */
public interface WireTypes {
    /** How many ids each module's range holds. */
    int RANGE = 100;

    /** Ids from here on are the application's own ({@code ForySerializer.builder().allow(...)}). */
    int FIRST_APPLICATION_ID = 10_000;

    /** The contributing module, for error messages: {@code cohort-core}. */
    String module();

    /** The id of the first type; a multiple of {@link #RANGE} below {@link #FIRST_APPLICATION_ID}. */
    int firstId();

    /** The types, in id order. At most {@link #RANGE}. */
    List<Class<?>> types();
}
