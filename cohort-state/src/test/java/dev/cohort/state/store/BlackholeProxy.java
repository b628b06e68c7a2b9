package dev.cohort.state.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy on 127.0.0.1 that forwards to a target until {@link #blackhole()}: from then on it
 * keeps every connection open and accepts new ones, but forwards nothing either way, as a link
 * whose packets are dropped. For tests; {@link #close} ends every socket.
 */
final class BlackholeProxy implements AutoCloseable {
    private final ServerSocket server;
    private final int target;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile boolean blackholed;

    BlackholeProxy(int targetPort) throws IOException {
        this.target = targetPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("proxy-accept").start(this::accept);
    }

    int port() { return server.getLocalPort(); }

    void blackhole() { blackholed = true; }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket in = server.accept();
                sockets.add(in);
                if (blackholed) { // a connection that never answers
                    Thread.ofVirtual().start(() -> pump(in, null));
                    continue;
                }
                Socket out = new Socket(InetAddress.getLoopbackAddress(), target);
                sockets.add(out);
                Thread.ofVirtual().start(() -> pump(in, out));
                Thread.ofVirtual().start(() -> pump(out, in));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    /** Copies {@code from} to {@code to} while not blackholed; reads and drops everything after. */
    private void pump(Socket from, Socket to) {
        byte[] buf = new byte[16384];
        try (from) {
            InputStream i = from.getInputStream();
            OutputStream o = to == null ? null : to.getOutputStream();
            for (int n; (n = i.read(buf)) >= 0; ) {
                if (!blackholed && o != null) o.write(buf, 0, n);
            }
        } catch (IOException e) {
            // one side ended
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) s.close();
    }
}
