package dev.cohort.examples.superheroes;

import java.util.Collection;
import java.util.Map;

/** A minimal JSON writer for the few shapes this app sends (no reflection, no dependency). */
final class Json {
    private Json() {}

    static String string(String s) {
        if (s == null) return "null";
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c == '<' || c == '>' || c == '&') b.append(String.format("\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        return b.append('"').toString();
    }

    /** An object from alternating keys and values (String, Number, Boolean, null, or already-written JSON via {@link Raw}). */
    static String object(Object... kv) {
        StringBuilder b = new StringBuilder("{");
        for (int i = 0; i < kv.length; i += 2) {
            if (i > 0) b.append(',');
            b.append(string((String) kv[i])).append(':').append(value(kv[i + 1]));
        }
        return b.append('}').toString();
    }

    static String array(Collection<String> jsonItems) {
        return "[" + String.join(",", jsonItems) + "]";
    }

    /** JSON text to embed as is. */
    record Raw(String json) {}

    private static String value(Object v) {
        return switch (v) {
            case null -> "null";
            case Raw r -> r.json();
            case String s -> string(s);
            case Number n -> n.toString();
            case Boolean bo -> bo.toString();
            case Map<?, ?> m -> throw new IllegalArgumentException("maps are not supported");
            default -> string(v.toString());
        };
    }
}
