package dev.cohort.examples.counter;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The load generator of {@code ./cohort bench counter}: {@code connections} keep-alive HTTP/1.1
 * connections on virtual threads, each sending {@code GET /?user_name=uN} (N uniform over the
 * users) one after another to its node, reading each answer fully. Latency is measured per
 * request (send to last byte); only 200s count.
 */
final class LoadClient {
    record Result(double requestsPerSecond, double p50Ms, double p99Ms, long errors) {}

    private LoadClient() {}

    /**
     * Visits every user once (spread over the connections), so that each has a session; returns
     * how many first visits per second that took (each starts a session).
     */
    static double firstVisits(List<Integer> ports, int connections, int users) throws Exception {
        AtomicLong next = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int c = 0; c < connections; c++) {
            int port = ports.get(c % ports.size());
            threads.add(Thread.ofVirtual().start(() -> {
                try (Socket s = new Socket()) {
                    s.setTcpNoDelay(true);
                    s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
                    s.setSoTimeout(60_000);
                    OutputStream out = s.getOutputStream();
                    InputStream in = new BufferedInputStream(s.getInputStream(), 16_384);
                    for (long u; (u = next.getAndIncrement()) < users; ) {
                        out.write(("GET /?user_name=u" + u + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                        int status = readResponse(in);
                        if (status != 200) throw new IOException("first visit of u" + u + ": status " + status);
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }));
        }
        for (Thread t : threads) t.join();
        return users / ((System.nanoTime() - t0) / 1e9);
    }

    static Result run(List<Integer> ports, int connections, int users, Duration warmup, Duration measure) throws Exception {
        AtomicBoolean measuring = new AtomicBoolean(), stop = new AtomicBoolean();
        AtomicLong errors = new AtomicLong();
        List<long[]> latencies = new ArrayList<>();
        List<int[]> counts = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            int port = ports.get(c % ports.size());
            long[] lat = new long[4_000_000 / connections];
            int[] n = new int[1];
            latencies.add(lat);
            counts.add(n);
            long seed = c;
            threads.add(Thread.ofVirtual().start(() -> {
                SplittableRandom random = new SplittableRandom(seed);
                while (!stop.get()) {
                    try (Socket s = new Socket()) {
                        s.setTcpNoDelay(true);
                        s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
                        s.setSoTimeout(30_000);
                        OutputStream out = s.getOutputStream();
                        InputStream in = new BufferedInputStream(s.getInputStream(), 16_384);
                        while (!stop.get()) {
                            byte[] req = ("GET /?user_name=u" + random.nextInt(users) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                                    .getBytes(StandardCharsets.US_ASCII);
                            long t0 = System.nanoTime();
                            out.write(req);
                            out.flush();
                            int status = readResponse(in);
                            long t = System.nanoTime() - t0;
                            if (status != 200) errors.incrementAndGet();
                            else if (measuring.get() && n[0] < lat.length) lat[n[0]++] = t;
                        }
                    } catch (IOException e) {
                        if (!stop.get()) errors.incrementAndGet();
                    }
                }
            }));
        }
        Thread.sleep(warmup.toMillis());
        measuring.set(true);
        long t0 = System.nanoTime();
        Thread.sleep(measure.toMillis());
        measuring.set(false);
        double seconds = (System.nanoTime() - t0) / 1e9;
        stop.set(true);
        for (Thread t : threads) t.join(10_000);
        int total = counts.stream().mapToInt(a -> a[0]).sum();
        long[] all = new long[total];
        int k = 0;
        for (int c = 0; c < connections; c++) {
            System.arraycopy(latencies.get(c), 0, all, k, counts.get(c)[0]);
            k += counts.get(c)[0];
        }
        Arrays.sort(all);
        double p50 = total == 0 ? 0 : all[total / 2] / 1e6, p99 = total == 0 ? 0 : all[(int) (total * 0.99)] / 1e6;
        return new Result(total / seconds, p50, p99, errors.get());
    }

    /** Reads one response (headers, then a Content-Length or chunked body); returns its status. */
    static int readResponse(InputStream in) throws IOException {
        String statusLine = line(in);
        if (statusLine == null) throw new IOException("connection closed");
        int status = Integer.parseInt(statusLine.split(" ", 3)[1]);
        long length = -1;
        boolean chunked = false;
        for (String h; (h = line(in)) != null && !h.isEmpty(); ) {
            int colon = h.indexOf(':');
            if (colon < 0) continue;
            String name = h.substring(0, colon).trim().toLowerCase(java.util.Locale.ROOT), value = h.substring(colon + 1).trim();
            if (name.equals("content-length")) length = Long.parseLong(value);
            if (name.equals("transfer-encoding") && value.toLowerCase(java.util.Locale.ROOT).contains("chunked")) chunked = true;
        }
        if (chunked) {
            for (long size; (size = Long.parseLong(line(in).split(";")[0].trim(), 16)) > 0; ) {
                skip(in, size);
                line(in);
            }
            line(in);
        } else if (length > 0) {
            skip(in, length);
        }
        return status;
    }

    private static void skip(InputStream in, long n) throws IOException {
        while (n > 0) {
            long s = in.skip(n);
            if (s <= 0) {
                if (in.read() < 0) throw new IOException("connection closed in a body");
                s = 1;
            }
            n -= s;
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int c; (c = in.read()) >= 0; ) {
            if (c == '\n') {
                int len = b.length();
                if (len > 0 && b.charAt(len - 1) == '\r') b.setLength(len - 1);
                return b.toString();
            }
            b.append((char) c);
        }
        return b.isEmpty() ? null : b.toString();
    }
}
