package dev.cohort.cluster.discovery;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * A real DNS server over UDP on 127.0.0.1 that answers A queries from a fixed table (RFC 1035
 * wire format, one question per query), so DNS discovery is tested against the JDK's own DNS
 * client as it would run against CoreDNS in Kubernetes.
 */
final class TinyDnsServer implements AutoCloseable {
    private final DatagramSocket socket;
    private final Map<String, List<InetAddress>> records;

    TinyDnsServer(Map<String, List<InetAddress>> records) throws SocketException {
        this.records = Map.copyOf(records);
        this.socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().start(this::serve);
    }

    int port() { return socket.getLocalPort(); }

    private void serve() {
        byte[] buf = new byte[512];
        while (!socket.isClosed()) {
            try {
                DatagramPacket q = new DatagramPacket(buf, buf.length);
                socket.receive(q);
                byte[] answer = answer(ByteBuffer.wrap(q.getData(), 0, q.getLength()));
                if (answer != null) socket.send(new DatagramPacket(answer, answer.length, q.getSocketAddress()));
            } catch (IOException | RuntimeException e) {
                // closed, or a malformed query: ignore it as a DNS server would
            }
        }
    }

    private byte[] answer(ByteBuffer in) {
        int id = in.getShort() & 0xFFFF;
        in.getShort(); // flags
        int questions = in.getShort() & 0xFFFF;
        in.position(12);
        if (questions != 1) return null;
        int qStart = in.position();
        StringBuilder name = new StringBuilder();
        for (int len; (len = in.get() & 0xFF) != 0; ) {
            byte[] label = new byte[len];
            in.get(label);
            if (!name.isEmpty()) name.append('.');
            name.append(new String(label, StandardCharsets.US_ASCII));
        }
        int type = in.getShort() & 0xFFFF;
        in.getShort(); // class
        int qEnd = in.position();
        List<InetAddress> ips = type == 1 ? records.getOrDefault(name.toString().toLowerCase(), List.of()) : List.of();
        ByteBuffer out = ByteBuffer.allocate(512);
        out.putShort((short) id);
        out.putShort((short) (ips.isEmpty() && !records.containsKey(name.toString().toLowerCase()) ? 0x8183 : 0x8180)); // response, RD+RA; NXDOMAIN if unknown
        out.putShort((short) 1).putShort((short) ips.size()).putShort((short) 0).putShort((short) 0);
        out.put(in.array(), in.arrayOffset() + qStart, qEnd - qStart);
        for (InetAddress ip : ips) {
            out.putShort((short) 0xC00C); // pointer to the question's name
            out.putShort((short) 1).putShort((short) 1).putInt(5).putShort((short) 4).put(ip.getAddress());
        }
        byte[] b = new byte[out.position()];
        out.flip().get(b);
        return b;
    }

    @Override
    public void close() {
        socket.close();
    }
}
