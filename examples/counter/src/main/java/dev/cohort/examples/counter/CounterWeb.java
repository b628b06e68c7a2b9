package dev.cohort.examples.counter;

import io.javalin.Javalin;
import io.javalin.http.Context;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The counter's HTTP interface (counter-demo.md):
 * <ul>
 *   <li>{@code GET /?user_name=NAME}: counts a visit; HTML, or JSON if the client accepts
 *       {@code application/json}; also {@code GET /api/visit?user_name=NAME} (JSON).</li>
 *   <li>{@code GET /}: one line per live session, {@code NAME: N (node)}; also {@code GET /api/sessions}.</li>
 *   <li>Anything else: 404. A missing, over-long or malformed name: 400. A session that cannot be
 *       reached: 503. Never a crash.</li>
 * </ul>
 */
final class CounterWeb {
    /** A user name: 1 to 64 letters, digits, or {@code _ . @ -}. */
    static final Pattern NAME = Pattern.compile("[\\p{L}\\p{N}_.@-]{1,64}");

    private CounterWeb() {}

    static Javalin start(String host, int port, String nodeName, Sessions sessions) {
        return Javalin.create(config -> {
            config.jetty.host = host;
            config.jetty.port = port;
            config.startup.showJavalinBanner = false;
            // handlers block on calls to session processes: on virtual threads, the answer wakes
            // a virtual thread on a carrier instead of an OS thread
            config.concurrency.useVirtualThreads = true;
            // Javalin copies each result through a buffer of this size, allocated per response
            // (32 KB by default: 90% of all the node allocated under load; at 4 KB still a third);
            // a visit's page is ~0.4 KB, and Jetty's own output buffer batches longer pages
            config.http.responseBufferSize = 1024;
            config.routes.get("/", ctx -> {
                if (ctx.queryParamMap().containsKey("user_name")) visit(ctx, nodeName, sessions, wantsJson(ctx));
                else dashboard(ctx, nodeName, sessions, wantsJson(ctx));
            });
            config.routes.get("/api/visit", ctx -> visit(ctx, nodeName, sessions, true));
            config.routes.get("/api/sessions", ctx -> dashboard(ctx, nodeName, sessions, true));
            config.routes.error(404, ctx -> {
                if (ctx.result() == null || ctx.result().isEmpty() || ctx.result().equals("Not Found")) {
                    ctx.contentType("text/plain; charset=utf-8").result("not found: try /?user_name=NAME or /\n");
                }
            });
            config.routes.exception(Exception.class, (e, ctx) ->
                    ctx.status(500).contentType("text/plain; charset=utf-8").result("internal error: " + e.getClass().getSimpleName() + "\n"));
        }).start();
    }

    private static boolean wantsJson(Context ctx) {
        String accept = ctx.header("Accept");
        return accept != null && accept.contains("application/json");
    }

    private static void visit(Context ctx, String nodeName, Sessions sessions, boolean json) {
        List<String> names = ctx.queryParams("user_name");
        String user = names.size() == 1 ? names.get(0) : null;
        if (user == null || !NAME.matcher(user).matches()) {
            ctx.status(400).contentType("text/plain; charset=utf-8")
                    .result("user_name must be given once, as 1 to 64 letters, digits or _ . @ -\n");
            return;
        }
        Sessions.Visited v;
        try {
            v = sessions.visit(user);
        } catch (IllegalStateException e) {
            ctx.status(503).contentType("text/plain; charset=utf-8").result("the session of " + user + " is unavailable, try again: "
                    + e.getMessage() + "\n");
            return;
        }
        if (json) {
            ctx.contentType("application/json").result("{\"node\":" + str(nodeName) + ",\"user\":" + str(user)
                    + ",\"visits\":" + v.visits() + ",\"session_node\":" + str(v.host()) + "}");
        } else {
            ctx.contentType("text/html; charset=utf-8").result(page(nodeName,
                    "<p>User " + html(user) + " visited site " + v.visits() + " times.</p>\n"
                    + "<p class=\"meta\">Session on " + html(v.host()) + ". <a href=\"/\">All sessions</a></p>"));
        }
    }

    private static void dashboard(Context ctx, String nodeName, Sessions sessions, boolean json) {
        List<Sessions.SessionInfo> all = sessions.list();
        if (json) {
            StringBuilder b = new StringBuilder("{\"node\":" + str(nodeName) + ",\"sessions\":[");
            for (int i = 0; i < all.size(); i++) {
                Sessions.SessionInfo s = all.get(i);
                b.append(i == 0 ? "" : ",").append("{\"user\":").append(str(s.user())).append(",\"visits\":").append(s.visits())
                        .append(",\"node\":").append(str(s.host())).append('}');
            }
            ctx.contentType("application/json").result(b.append("]}").toString());
            return;
        }
        StringBuilder lines = new StringBuilder();
        for (Sessions.SessionInfo s : all) {
            lines.append(html(s.user())).append(": ").append(s.visits() < 0 ? "?" : String.valueOf(s.visits()))
                    .append(" (").append(html(s.host())).append(")\n");
        }
        ctx.contentType("text/html; charset=utf-8").result(page(nodeName, all.isEmpty()
                ? "<p>No sessions yet. Visit <a href=\"/?user_name=ana\">/?user_name=ana</a>.</p>"
                : "<pre>" + lines + "</pre>"));
    }

    private static String page(String nodeName, String body) {
        String title = "Distributed Cohort Demo (" + html(nodeName) + ")";
        return "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>" + title + "</title></head>\n<body>\n<h1>" + title
                + "</h1>\n" + body + "\n</body></html>\n";
    }

    static String html(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    static String str(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        return b.append('"').toString();
    }
}
