package dev.cohort.observer;

import static dev.cohort.observer.ObserverWeb.str;

import dev.cohort.process.Node;
import dev.cohort.process.Pid;
import dev.cohort.process.ProcessInfo;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The process table of one node: per process its pid, names, label, current function, mailbox,
 * message rate, memory estimate, links, monitors and trap-exit. Message rates are the messages
 * taken between two looks at the table divided by the time between them, so the first look
 * shows none. At most {@code limit} rows are described (the stack walk behind "current function"
 * costs microseconds per process); the answer says how many matched.
 */
final class ProcessTable {
    /** Rows described per answer unless asked otherwise. */
    static final int DEFAULT_LIMIT = 200;

    private record Seen(long received, long atNanos) {}

    private final Node node;
    private final Map<Pid, Seen> seen = new HashMap<>();

    ProcessTable(Node node) {
        this.node = node;
    }

    /** The table as JSON, filtered by {@code query} (part of a pid or a name, any case; null: all). */
    synchronized String json(String query, Map<Pid, String> names, int limit) {
        String q = query == null || query.isBlank() ? null : query.toLowerCase(Locale.ROOT);
        List<Pid> pids = new ArrayList<>(node.processes());
        Collections.sort(pids);
        List<String> rows = new ArrayList<>();
        int matched = 0;
        long now = System.nanoTime();
        Map<Pid, Seen> next = new HashMap<>();
        for (Pid p : pids) {
            var info = node.info(p);
            if (info.isEmpty()) continue; // ended meanwhile
            ProcessInfo i = info.get();
            String name = i.registeredName() != null ? i.registeredName() : names.get(p);
            if (q != null && !p.toString().toLowerCase(Locale.ROOT).contains(q) && (name == null || !name.toLowerCase(Locale.ROOT).contains(q))
                    && (i.label() == null || !i.label().toLowerCase(Locale.ROOT).contains(q))) continue;
            matched++;
            Seen before = seen.get(p);
            next.put(p, new Seen(i.messagesReceived(), now));
            if (rows.size() >= limit) continue;
            double rate = before == null || now == before.atNanos() ? -1
                    : (i.messagesReceived() - before.received()) * 1e9 / (now - before.atNanos());
            rows.add(row(i, name, rate));
        }
        // forget processes that ended or were not looked at; keep those matched now
        seen.keySet().retainAll(next.keySet());
        seen.putAll(next);
        return "{\"node\":" + str(node.name()) + ",\"matched\":" + matched + ",\"limit\":" + limit + ",\"processes\":[" + String.join(",", rows) + "]}";
    }

    private String row(ProcessInfo i, String name, double rate) {
        StringBuilder links = new StringBuilder("[");
        for (Pid l : i.links()) links.append(links.length() > 1 ? "," : "").append(str(l.toString()));
        String current = node.currentFunction(i.pid()).orElse(null);
        return "{\"pid\":" + str(i.pid().toString()) + ",\"name\":" + nullable(name) + ",\"label\":" + nullable(i.label())
                + ",\"current_function\":" + nullable(current) + ",\"waiting\":" + i.waiting()
                + ",\"mailbox\":" + i.messageQueueLength() + ",\"messages_received\":" + i.messagesReceived()
                + ",\"messages_per_s\":" + (rate < 0 ? "null" : String.format(Locale.ROOT, "%.1f", rate))
                + ",\"memory_bytes\":" + i.memoryEstimate() + ",\"links\":" + links.append(']') + ",\"monitors\":" + i.monitors()
                + ",\"traps_exits\":" + i.trapsExits() + "}";
    }

    static String nullable(String s) {
        return s == null ? "null" : str(s);
    }
}
