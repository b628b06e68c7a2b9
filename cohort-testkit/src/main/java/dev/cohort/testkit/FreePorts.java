package dev.cohort.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;

/**
 * Free TCP ports on 127.0.0.1 for tests, chosen below the kernel's ephemeral range. A port that
 * {@code new ServerSocket(0)} reports free is an ephemeral one, and the outgoing connections of
 * nodes a test has already started draw from that same range: between picking such a port and
 * binding it, a node's connection could take it. Ports handed out here are never handed out
 * twice in one JVM, nor 100 to 105 above or below one handed out before: a node's failure
 * detector listens 100 above its cluster port (up to 5 further if that is taken).
 */
public final class FreePorts {
    private static final Random RANDOM = new Random();
    private static final Set<Integer> GIVEN = new HashSet<>();
    private static final int LOWEST = 10_000;
    private static final int FD_OFFSET = 100, FD_RANGE = 5;

    private FreePorts() {}

    /** A port that was free a moment ago on 127.0.0.1, outside the ephemeral range. */
    public static synchronized int next() throws IOException {
        int below = ephemeralLow();
        if (below - LOWEST < 2_000) return anyFree(); // an unusual range: fall back to the kernel's choice
        for (int attempt = 0; attempt < 1_000; attempt++) {
            int port = LOWEST + RANDOM.nextInt(below - LOWEST);
            if (nearFailureDetector(port) || !GIVEN.add(port)) continue;
            try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
                return port;
            } catch (IOException taken) {
                // in use: try another
            }
        }
        throw new IOException("no free port found below " + below);
    }

    private static boolean nearFailureDetector(int port) {
        for (int d = FD_OFFSET; d <= FD_OFFSET + FD_RANGE; d++) {
            if (GIVEN.contains(port - d) || GIVEN.contains(port + d)) return true;
        }
        return false;
    }

    /** The lowest ephemeral port (Linux: /proc/sys/net/ipv4/ip_local_port_range; elsewhere IANA's 49152). */
    private static int ephemeralLow() {
        try {
            String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim();
            return Integer.parseInt(range.split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 49_152;
        }
    }

    private static int anyFree() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }
}
