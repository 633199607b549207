package dev.riffle.sink;

import java.util.Arrays;
import java.util.List;

/**
 * Consistent hashing of Graphite paths onto carbon endpoints, in the spirit of carbon-relay's
 * {@code consistent-hashing} method (but not its exact placement): each endpoint owns {@value #REPLICAS} points
 * on a 64-bit ring, placed by hashing {@code host:port#i}; a path belongs to the first endpoint point at or after
 * the path's own hash. Adding or removing one endpoint moves only the paths that endpoint gains or loses, and
 * the order of the endpoints in the configuration does not matter.
 */
final class HashRing {
    static final int REPLICAS = 128;

    private final long[] positions;
    private final int[] owners;

    /** @param names one stable name per endpoint (its {@code host:port}), index = endpoint number */
    HashRing(List<String> names) {
        int n = names.size() * REPLICAS;
        long[][] ring = new long[n][];
        for (int e = 0; e < names.size(); e++) {
            for (int r = 0; r < REPLICAS; r++) {
                ring[e * REPLICAS + r] = new long[] {hash(names.get(e) + "#" + r), e};
            }
        }
        // ties (practically never) are broken by endpoint number so every sink instance builds the same ring
        Arrays.sort(ring, (a, b) -> a[0] != b[0] ? Long.compareUnsigned(a[0], b[0]) : Long.compare(a[1], b[1]));
        positions = new long[n];
        owners = new int[n];
        for (int i = 0; i < n; i++) {
            positions[i] = ring[i][0];
            owners[i] = (int) ring[i][1];
        }
    }

    /** The endpoint number that owns a path. */
    int owner(CharSequence path) {
        long h = hash(path);
        int lo = 0;
        int hi = positions.length; // first position >= h, by unsigned order
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(positions[mid], h) < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return owners[lo == positions.length ? 0 : lo];
    }

    /** FNV-1a over the characters, then a 64-bit finaliser so that similar paths spread over the whole ring. */
    static long hash(CharSequence s) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < s.length(); i++) {
            h ^= s.charAt(i);
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}
