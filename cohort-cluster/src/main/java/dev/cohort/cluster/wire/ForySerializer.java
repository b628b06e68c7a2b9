package dev.cohort.cluster.wire;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.fory.Fory;
import org.apache.fory.ThreadSafeFory;
import org.apache.fory.config.Language;

/**
 * The default {@link Serializer}: Apache Fory in Java mode with class registration required.
 * Only the JDK's basic types (strings, boxed numbers, common collections and arrays),
 * Cohort's pids, refs and names, and the classes given to {@link Builder#allow} are ever
 * written or instantiated; any other class
 * name in a frame makes {@link #deserialize} fail with a {@link FrameException}, before an
 * instance exists. Thread-safe (a pool of Fory instances, shared by virtual threads).
 *
 * <p>On JDK 25, Fory uses {@code sun.misc.Unsafe}; start nodes with
 * {@code --sun-misc-unsafe-memory-access=allow} to keep the JVM from warning about it
 * ({@code ./cohort} does). Fory's own INFO logging of generated code is switched off.
 */
public final class ForySerializer implements Serializer {
    private final ThreadSafeFory fory;
    private final List<Class<?>> allowed;

    /** Cohort's own values that user messages may carry, always allowed and registered first. */
    static final List<Class<?>> BUILT_IN = List.of(dev.cohort.process.Pid.class, dev.cohort.process.Ref.class,
            dev.cohort.process.Address.Name.class, dev.cohort.process.Address.Remote.class,
            dev.cohort.cluster.global.NameConflict.class, dev.cohort.cluster.spawn.SpawnRequest.class,
            dev.cohort.cluster.spawn.SpawnRefused.class, dev.cohort.supervisor.ChildCounts.class,
            dev.cohort.supervisor.ChildInfo.class, dev.cohort.supervisor.ChildType.class,
            dev.cohort.supervisor.Restart.class,
            // the supervisors' own requests, so that they can be asked from another node
            internal("dev.cohort.supervisor.DynamicSupervisorServer$Request"),
            internal("dev.cohort.supervisor.DynamicSupervisorServer$TerminateChild"),
            internal("dev.cohort.supervisor.SupervisorServer$Request"),
            internal("dev.cohort.supervisor.SupervisorServer$TerminateChild"),
            internal("dev.cohort.supervisor.SupervisorServer$RestartChild"),
            internal("dev.cohort.supervisor.SupervisorServer$DeleteChild"));

    private static Class<?> internal(String name) {
        try {
            return Class.forName(name);
        } catch (ClassNotFoundException e) {
            throw new ExceptionInInitializerError("cohort-core is missing " + name);
        }
    }

    private ForySerializer(Builder b) {
        org.apache.fory.logging.LoggerFactory.disableLogging();
        List<Class<?>> classes = new ArrayList<>(BUILT_IN);
        for (Class<?> c : b.allowed) if (!classes.contains(c)) classes.add(c);
        classes = List.copyOf(classes);
        this.allowed = classes;
        this.fory = Fory.builder()
                .withLanguage(Language.JAVA)
                .requireClassRegistration(true)
                .withRefTracking(false)
                .withMaxDepth(b.maxDepth)
                .withAsyncCompilation(false)
                .buildThreadSafeForyPool(1, Math.max(2, Runtime.getRuntime().availableProcessors() * 2));
        // Registration order fixes the wire ids, so every node must allow the same classes in the same order.
        for (Class<?> c : classes) fory.register(c);
        BoundedCollections.register(fory); // no declared size beyond the bytes that follow it
    }

    /** A builder with nothing but the JDK's basic types allowed. */
    public static Builder builder() { return new Builder(); }

    /** The classes allowed besides the JDK's basic types, in registration order. */
    public List<Class<?>> allowed() { return allowed; }

    @Override
    public List<String> registrations() { return allowed.stream().map(Class::getName).toList(); }

    @Override
    public byte[] serialize(Object value) {
        try {
            return fory.serialize(value);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("cannot send a " + (value == null ? "null" : value.getClass().getName())
                    + ": " + e.getMessage() + " (allow its class with ForySerializer.builder().allow(...))", e);
        }
    }

    @Override
    public Object deserialize(byte[] bytes) throws FrameException {
        try {
            return fory.deserialize(bytes);
        } catch (RuntimeException | StackOverflowError | OutOfMemoryError | LinkageError e) {
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) root = root.getCause();
            throw new FrameException("undecodable payload of " + bytes.length + " bytes: " + e
                    + (root != e ? " (" + root + ")" : ""), e);
        }
    }

    /** Builds a {@link ForySerializer}. */
    public static final class Builder {
        private final Set<Class<?>> allowed = new LinkedHashSet<>();
        private int maxDepth = 64;

        private Builder() {}

        /** Allows these classes (records, enums, plain classes) to travel. Order matters: see the class comment. */
        public Builder allow(Class<?>... classes) {
            allowed.addAll(new ArrayList<>(List.of(classes)));
            return this;
        }

        /** The deepest nesting a payload may have (default 64). */
        public Builder maxDepth(int depth) {
            if (depth < 1) throw new IllegalArgumentException("maxDepth must be >= 1");
            this.maxDepth = depth;
            return this;
        }

        public ForySerializer build() { return new ForySerializer(this); }
    }
}
