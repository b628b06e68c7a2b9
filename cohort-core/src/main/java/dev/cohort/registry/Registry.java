package dev.cohort.registry;

import dev.cohort.process.Address;
import dev.cohort.process.Down;
import dev.cohort.process.NameResolver;
import dev.cohort.process.Node;
import dev.cohort.process.Pid;
import dev.cohort.process.ProcessContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * A node-local process registry (Elixir's {@code Registry}): keys map to processes, with
 * either {@link Keys#UNIQUE} keys (at most one process per key; usable as a via name) or
 * {@link Keys#DUPLICATE} keys (any number of processes per key: a process group).
 *
 * <p>Guarantees:
 * <ul>
 *   <li>Only a process registers, updates and unregisters <em>itself</em>.</li>
 *   <li>Reads ({@link #lookup}, {@link #whereis}, {@link #match}, {@link #select},
 *       {@link #count}, {@link #keys}) never take a lock and never return a process that
 *       has ended: an entry of a dead process is invisible at once and removed shortly
 *       after by the registry's own process, which monitors every registrant.</li>
 *   <li>A unique key held by a process that has ended can be registered again at once (no
 *       window where a restarted process finds its own old name taken).</li>
 * </ul>
 */
public final class Registry implements NameResolver {

    /** Whether a key holds one process or many. */
    public enum Keys { UNIQUE, DUPLICATE }

    /**
     * One registration.
     *
     * @param key the key
     * @param pid the registered process
     * @param value the value it registered with (may be null)
     */
    public record Entry(Object key, Pid pid, Object value) {}

    private final Node node;
    private final String name;
    private final Keys kind;
    /** key -> Entry[] (one element for unique keys). Arrays are replaced, never mutated. */
    private final ConcurrentHashMap<Object, Entry[]> byKey = new ConcurrentHashMap<>();
    /** pid -> keys it holds, for cleanup. */
    private final ConcurrentHashMap<Pid, Set<Object>> byPid = new ConcurrentHashMap<>();
    /**
     * The process that purges a holder's keys when it ends. It heals itself: a janitor found dead
     * (killed from an observer, say) is replaced at the next registration, and the new one watches
     * every holder again; holders that ended meanwhile are purged then (reads skip them before).
     */
    private volatile Pid janitor;

    private Registry(Node node, String name, Keys kind) {
        this.node = node;
        this.name = name;
        this.kind = kind;
        this.janitor = node.spawn(this::cleanUp);
    }

    /** The janitor now (for tests). */
    Pid janitorPid() { return janitor; }

    /** How many holders the registry tracks, ended ones not yet purged included (for tests). */
    int holdersTracked() { return byPid.size(); }

    private Pid janitor() {
        Pid j = janitor;
        if (node.isAlive(j)) return j;
        synchronized (this) {
            if (node.isAlive(janitor)) return janitor;
            Pid replacement = node.spawn(this::cleanUp);
            for (Pid holder : byPid.keySet()) {
                if (node.isAlive(holder)) node.send(replacement, new Watch(holder));
                else purge(holder);
            }
            janitor = replacement;
            return replacement;
        }
    }

    /** Starts a registry of unique keys on {@code node}. */
    public static Registry unique(Node node, String name) { return new Registry(node, name, Keys.UNIQUE); }

    /** Starts a registry of duplicate keys on {@code node}. */
    public static Registry duplicate(Node node, String name) { return new Registry(node, name, Keys.DUPLICATE); }

    /** Starts a registry. */
    public static Registry start(Node node, String name, Keys kind) { return new Registry(node, name, kind); }

    /** The registry's name (for messages and observers). */
    public String name() { return name; }

    /** Unique or duplicate. */
    public Keys kind() { return kind; }

    /** A via address for {@code key}, to start, call and cast a server by key. */
    public Address via(Object key) { return Address.via(this, key); }

    // ---------------------------------------------------------------- writes (by the process itself)

    /**
     * Registers the calling process under {@code key} with {@code value}.
     *
     * @throws AlreadyRegisteredException for a unique key held by a live process (this one included)
     */
    public void register(ProcessContext self, Object key, Object value) {
        Pid conflict = tryRegister(self, key, value);
        if (conflict != null) throw new AlreadyRegisteredException(this, key, conflict);
    }

    /** Registers and returns null, or returns the live holder of the unique key. */
    public Pid tryRegister(ProcessContext self, Object key, Object value) {
        Objects.requireNonNull(key, "key");
        Pid pid = self.self();
        Entry entry = new Entry(key, pid, value);
        Pid[] conflict = {null};
        // Track the pid before the entry is visible, so cleanup always finds it.
        Set<Object> keys = byPid.get(pid);
        if (keys == null) {
            Set<Object> fresh = ConcurrentHashMap.newKeySet();
            keys = byPid.putIfAbsent(pid, fresh);
            if (keys == null) {
                keys = fresh;
                node.send(janitor(), new Watch(pid)); // outside the map's lock: a new janitor walks the map
            }
        }
        keys.add(key);
        byKey.compute(key, (k, old) -> {
            Entry[] live = alive(old);
            if (kind == Keys.UNIQUE) {
                if (live.length > 0) {
                    conflict[0] = live[0].pid();
                    return live;
                }
                return new Entry[] {entry};
            }
            Entry[] next = Arrays.copyOf(live, live.length + 1);
            next[live.length] = entry;
            return next;
        });
        if (conflict[0] != null && !conflict[0].equals(pid)) keys.remove(key);
        if (!node.isAlive(pid)) purge(pid);
        return conflict[0];
    }

    /** Removes the calling process's registrations under {@code key}. */
    public void unregister(ProcessContext self, Object key) {
        Pid pid = self.self();
        byKey.computeIfPresent(key, (k, old) -> without(old, pid));
        Set<Object> keys = byPid.get(pid);
        if (keys != null) keys.remove(key);
    }

    /**
     * Replaces the value of the calling process's registration under a unique key.
     *
     * @return the new value
     * @throws IllegalStateException if the caller does not hold {@code key}
     */
    public Object updateValue(ProcessContext self, Object key, UnaryOperator<Object> update) {
        if (kind != Keys.UNIQUE) throw new UnsupportedOperationException("updateValue needs unique keys");
        Pid pid = self.self();
        Object[] out = {null};
        boolean[] found = {false};
        byKey.computeIfPresent(key, (k, old) -> {
            if (old.length == 1 && old[0].pid().equals(pid)) {
                found[0] = true;
                out[0] = update.apply(old[0].value());
                return new Entry[] {new Entry(key, pid, out[0])};
            }
            return old;
        });
        if (!found[0]) throw new IllegalStateException(pid + " does not hold key " + key + " in registry " + name);
        return out[0];
    }

    // ---------------------------------------------------------------- reads (lock-free)

    /** The live registrations under {@code key}. */
    public List<Entry> lookup(Object key) {
        return List.of(alive(byKey.get(key)));
    }

    @Override
    public Pid whereis(Object key) {
        Entry[] live = alive(byKey.get(key));
        return live.length == 0 ? null : live[0].pid();
    }

    @Override
    public Pid registerSelf(ProcessContext self, Object key) {
        return tryRegister(self, key, null);
    }

    /** The live registrations under {@code key} whose value {@code valueMatch} accepts. */
    public List<Entry> match(Object key, Predicate<Object> valueMatch) {
        List<Entry> out = new ArrayList<>();
        for (Entry e : alive(byKey.get(key))) if (valueMatch.test(e.value())) out.add(e);
        return out;
    }

    /** Every live registration that {@code filter} accepts. */
    public List<Entry> select(Predicate<Entry> filter) {
        List<Entry> out = new ArrayList<>();
        for (Entry[] es : byKey.values()) for (Entry e : alive(es)) if (filter.test(e)) out.add(e);
        return out;
    }

    /** Number of live registrations. */
    public int count() {
        int n = 0;
        for (Entry[] es : byKey.values()) n += alive(es).length;
        return n;
    }

    /** Number of live registrations under {@code key} whose value {@code valueMatch} accepts. */
    public int count(Object key, Predicate<Object> valueMatch) {
        return match(key, valueMatch).size();
    }

    /** The keys {@code pid} holds. */
    public List<Object> keys(Pid pid) {
        if (!node.isAlive(pid)) return List.of();
        Set<Object> keys = byPid.get(pid);
        return keys == null ? List.of() : List.copyOf(keys);
    }

    /**
     * Calls {@code action} with every live registration under {@code key} (for example to
     * send each a message), once, if there is at least one; returns whether it was called.
     */
    public boolean dispatch(Object key, Consumer<List<Entry>> action) {
        Entry[] live = alive(byKey.get(key));
        if (live.length == 0) return false;
        action.accept(List.of(live));
        return true;
    }

    /** Sends {@code message} to every live process under {@code key}; returns how many. */
    public int sendAll(Object key, Object message) {
        Entry[] live = alive(byKey.get(key));
        for (Entry e : live) node.send(e.pid(), message);
        return live.length;
    }

    // ---------------------------------------------------------------- cleanup

    private record Watch(Pid pid) {}

    private void cleanUp(ProcessContext self) {
        for (;;) {
            Object m = self.receive();
            if (m instanceof Watch w) self.monitor(w.pid());
            else if (m instanceof Down d) purge(d.pid());
        }
    }

    private void purge(Pid pid) {
        Set<Object> keys = byPid.remove(pid);
        if (keys == null) return;
        for (Object k : keys) byKey.computeIfPresent(k, (key, old) -> without(old, pid));
    }

    private static Entry[] without(Entry[] es, Pid pid) {
        int n = 0;
        for (Entry e : es) if (!e.pid().equals(pid)) n++;
        if (n == es.length) return es;
        if (n == 0) return null;
        Entry[] out = new Entry[n];
        int i = 0;
        for (Entry e : es) if (!e.pid().equals(pid)) out[i++] = e;
        return out;
    }

    private static final Entry[] NONE = new Entry[0];

    private Entry[] alive(Entry[] es) {
        if (es == null) return NONE;
        int n = 0;
        for (Entry e : es) if (node.isAlive(e.pid())) n++;
        if (n == es.length) return es;
        Entry[] out = new Entry[n];
        int i = 0;
        for (Entry e : es) if (node.isAlive(e.pid())) out[i++] = e;
        return out;
    }

    @Override
    public String toString() { return "Registry[" + name + ", " + kind + "]"; }

}
