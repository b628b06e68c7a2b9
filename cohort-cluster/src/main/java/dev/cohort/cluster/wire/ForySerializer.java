package dev.cohort.cluster.wire;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;
import dev.cohort.wire.WireTypes;
import org.apache.fory.Fory;
import org.apache.fory.ThreadSafeFory;
import org.apache.fory.config.Language;

/**
 * The default {@link Serializer}: Apache Fory in Java mode with class registration required.
 * Only the JDK's basic types (strings, boxed numbers, common collections and arrays),
 * the wire types every Cohort module on the class path contributes ({@link WireTypes}: pids,
 * refs, names, exit reasons and replies, each under its module's stable id), and the classes
 * given to {@link Builder#allow} are ever written or instantiated; any other class
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
    private final List<String> registrations;

    /**
     * Every module's {@link WireTypes} on the class path, by id: the values Cohort's own modules
     * produce (pids, exit reasons, replies), registered under their modules' stable ids.
     */
    static List<WireTypes> moduleTypes() {
        List<WireTypes> all = new ArrayList<>();
        ServiceLoader.load(WireTypes.class, ForySerializer.class.getClassLoader()).forEach(all::add);
        all.sort(java.util.Comparator.comparingInt(WireTypes::firstId));
        for (int i = 0; i < all.size(); i++) {
            WireTypes w = all.get(i);
            if (w.firstId() < WireTypes.RANGE || w.firstId() % WireTypes.RANGE != 0 || w.firstId() >= WireTypes.FIRST_APPLICATION_ID)
                throw new IllegalStateException(w.module() + " claims wire ids from " + w.firstId() + ": a module's range starts at a multiple of "
                        + WireTypes.RANGE + " below " + WireTypes.FIRST_APPLICATION_ID);
            if (w.types().size() > WireTypes.RANGE) throw new IllegalStateException(w.module() + " has more than " + WireTypes.RANGE + " wire types");
            if (i > 0 && all.get(i - 1).firstId() == w.firstId())
                throw new IllegalStateException(all.get(i - 1).module() + " and " + w.module() + " both claim wire ids from " + w.firstId());
        }
        return all;
    }

    private ForySerializer(Builder b) {
        org.apache.fory.logging.LoggerFactory.disableLogging();
        this.fory = Fory.builder()
                .withLanguage(Language.JAVA)
                .requireClassRegistration(true)
                .withRefTracking(false)
                .withMaxDepth(b.maxDepth)
                .withAsyncCompilation(false)
                .buildThreadSafeForyPool(1, Math.max(2, Runtime.getRuntime().availableProcessors() * 2));
        List<Class<?>> classes = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (WireTypes w : moduleTypes()) {
            List<Class<?>> types = w.types();
            for (int i = 0; i < types.size(); i++) {
                fory.register(types.get(i), w.firstId() + i);
                classes.add(types.get(i));
                names.add((w.firstId() + i) + " " + types.get(i).getName());
            }
        }
        // the application's classes: ids from FIRST_APPLICATION_ID in the order allowed
        int id = WireTypes.FIRST_APPLICATION_ID;
        for (Class<?> c : b.allowed) {
            if (classes.contains(c)) continue; // a module's type, already under its module's id
            fory.register(c, id);
            classes.add(c);
            names.add(id + " " + c.getName());
            id++;
        }
        this.allowed = List.copyOf(classes);
        this.registrations = List.copyOf(names);
        BoundedCollections.register(fory); // no declared size beyond the bytes that follow it
    }

    /** A builder with nothing but the JDK's basic types allowed. */
    public static Builder builder() { return new Builder(); }

    /** The classes allowed besides the JDK's basic types: every module's wire types, then the application's. */
    public List<Class<?>> allowed() { return allowed; }

    /** Each registration as {@code "ID CLASS"}: what two nodes must agree on. */
    @Override
    public List<String> registrations() { return registrations; }

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

        /**
         * Allows these classes (records, enums, plain classes) to travel. They get wire ids from
         * {@link WireTypes#FIRST_APPLICATION_ID} in the order allowed, so every node must allow the
         * same classes in the same order (a node whose list differs is refused at join). A class
         * a Cohort module already contributes keeps that module's id.
         */
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
