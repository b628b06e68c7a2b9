package dev.cohort.distributed.supervisor;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/** A consistent-hash ring of members with virtual nodes, and rendezvous hashing. Immutable. */
final class HashRing {
    private final long[] points;
    private final String[] owners;

    private HashRing(List<String> members, int virtualNodes) {
        int n = members.size() * virtualNodes;
        long[][] pairs = new long[n][2];
        int i = 0;
        for (int m = 0; m < members.size(); m++) {
            for (int v = 0; v < virtualNodes; v++) pairs[i++] = new long[] {hash(members.get(m) + "#" + v), m};
        }
        Arrays.sort(pairs, (a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
        points = new long[n];
        owners = new String[n];
        for (int k = 0; k < n; k++) {
            points[k] = pairs[k][0];
            owners[k] = members.get((int) pairs[k][1]);
        }
    }

    /** The member owning the first point at or after the key's hash, wrapping around. */
    String owner(String key) {
        int at = Arrays.binarySearch(points, hash(key));
        if (at < 0) at = -at - 1;
        return owners[at == points.length ? 0 : at];
    }

    /** The member with the highest hash of (key, member): uniform, and stable for the members that stay. */
    static String rendezvous(String key, List<String> members) {
        String best = null;
        long top = 0;
        for (String m : members) {
            long h = hash(key + "@" + m);
            if (best == null || Long.compareUnsigned(h, top) > 0) {
                best = m;
                top = h;
            }
        }
        return best;
    }

    /** FNV-1a over UTF-8 bytes, then a SplitMix64 finaliser to spread nearby strings. */
    static long hash(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        h = (h ^ (h >>> 30)) * 0xbf58476d1ce4e5b9L;
        h = (h ^ (h >>> 27)) * 0x94d049bb133111ebL;
        return h ^ (h >>> 31);
    }

    /** Remembers the ring of the last member list, which rarely changes. Thread-safe. */
    static final class Cache {
        private record Last(List<String> members, HashRing ring) {}

        private final int virtualNodes;
        private volatile Last last;

        Cache(int virtualNodes) {
            this.virtualNodes = virtualNodes;
        }

        HashRing ring(List<String> current) {
            Last l = last;
            if (l != null && current.equals(l.members())) return l.ring();
            List<String> members = List.copyOf(current);
            HashRing fresh = new HashRing(members, virtualNodes);
            last = new Last(members, fresh);
            return fresh;
        }
    }
}
