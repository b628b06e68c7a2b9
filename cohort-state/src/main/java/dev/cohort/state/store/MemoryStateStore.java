package dev.cohort.state.store;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** {@link StateStore#inMemory()}: a map under one lock. For unit tests; nothing survives the JVM. */
final class MemoryStateStore implements StateStore {
    private final Map<String, Row> rows = new HashMap<>();

    @Override
    public synchronized Acquired acquire(String key) {
        JdbcStateStore.checkKey(key);
        Row row = rows.getOrDefault(key, new Row(0, Optional.empty()));
        rows.put(key, new Row(row.epoch() + 1, row.state()));
        return new Acquired(row.epoch() + 1, row.state());
    }

    @Override
    public synchronized void write(String key, long epoch, StoredState state) {
        Row row = rows.get(key);
        if (row != null && row.epoch() > epoch) throw new FencedException(key, epoch, row.epoch());
        rows.put(key, new Row(epoch, Optional.of(state)));
    }

    @Override
    public synchronized void delete(String key, long epoch) {
        Row row = rows.get(key);
        if (row != null && row.epoch() > epoch) throw new FencedException(key, epoch, row.epoch());
        rows.put(key, new Row(epoch, Optional.empty()));
    }

    @Override
    public synchronized Optional<Row> read(String key) {
        return Optional.ofNullable(rows.get(key));
    }

    @Override
    public String describe() { return "memory:"; }

    @Override
    public void close() {}
}
