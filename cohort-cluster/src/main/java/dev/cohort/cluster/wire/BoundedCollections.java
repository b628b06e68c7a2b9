package dev.cohort.cluster.wire;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.LinkedList;
import java.util.Map;
import org.apache.fory.Fory;
import org.apache.fory.ThreadSafeFory;
import org.apache.fory.memory.MemoryBuffer;
import org.apache.fory.serializer.collection.CollectionSerializer;
import org.apache.fory.serializer.collection.MapSerializer;

/**
 * Fory serializers for the JDK's common mutable collections and maps that refuse a declared size
 * larger than the bytes left in the payload, before anything is allocated: every element takes
 * at least one byte, so an honest payload never declares more. Fory 0.16 sizes a collection from
 * its declared count first (a 12-byte payload declaring 40 million elements allocated 160 MB);
 * Fory 1.x has size limits of its own, but is not what this build can resolve. Work and memory
 * per payload stay bounded by its size.
 */
final class BoundedCollections {
    private BoundedCollections() {}

    static void register(ThreadSafeFory fory) {
        fory.registerSerializer(ArrayList.class, f -> new Coll<>(f, ArrayList.class, ArrayList::new));
        fory.registerSerializer(LinkedList.class, f -> new Coll<>(f, LinkedList.class, n -> new LinkedList<>()));
        fory.registerSerializer(HashSet.class, f -> new Coll<>(f, HashSet.class, HashSet::new));
        fory.registerSerializer(LinkedHashSet.class, f -> new Coll<>(f, LinkedHashSet.class, LinkedHashSet::new));
        fory.registerSerializer(HashMap.class, f -> new Maps<>(f, HashMap.class, HashMap::new));
        fory.registerSerializer(LinkedHashMap.class, f -> new Maps<>(f, LinkedHashMap.class, LinkedHashMap::new));
    }

    /**
     * What Fory's own {@code newCollection} / {@code newMap} do, with the declared count checked
     * against what is left to read first: read the count, tell the serializer, make the container,
     * and register it for reference tracking.
     */
    private static <T> T allocate(Fory fory, MemoryBuffer buffer, Class<?> type, java.util.function.IntConsumer numElements,
                                  java.util.function.IntFunction<T> make) {
        int n = buffer.readVarUint32Small7();
        if (n < 0 || n > buffer.remaining()) {
            throw new IllegalArgumentException("a " + type.getSimpleName() + " declares " + (n & 0xFFFFFFFFL) + " elements in the "
                    + buffer.remaining() + " bytes left");
        }
        numElements.accept(n);
        T made = make.apply(n);
        fory.getRefResolver().reference(made);
        return made;
    }

    private static final class Coll<T extends Collection<?>> extends CollectionSerializer<T> {
        private final java.util.function.IntFunction<T> make;

        Coll(Fory fory, Class<T> type, java.util.function.IntFunction<T> make) {
            super(fory, type, true);
            this.make = make;
        }

        @Override
        public Collection newCollection(MemoryBuffer buffer) {
            return allocate(fory, buffer, getType(), this::setNumElements, make);
        }
    }

    private static final class Maps<T extends Map<?, ?>> extends MapSerializer<T> {
        private final java.util.function.IntFunction<T> make;

        Maps(Fory fory, Class<T> type, java.util.function.IntFunction<T> make) {
            super(fory, type, true);
            this.make = make;
        }

        @Override
        public Map newMap(MemoryBuffer buffer) {
            return allocate(fory, buffer, getType(), this::setNumElements, make);
        }
    }
}
