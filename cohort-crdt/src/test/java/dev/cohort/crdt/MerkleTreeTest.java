package dev.cohort.crdt;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MerkleTreeTest {

    @Test
    void equalContentGivesEqualRootsWhateverTheOrderOfUpdates() {
        MerkleTree<String> a = new MerkleTree<>(10, MerkleTree::hashOf), b = new MerkleTree<>(10, MerkleTree::hashOf);
        for (int i = 0; i < 5_000; i++) a.put("k" + i, i);
        for (int i = 4_999; i >= 0; i--) b.put("k" + i, i * 7L); // other digests first
        for (int i = 0; i < 5_000; i++) b.put("k" + i, i);
        b.put("extra", 1);
        b.remove("extra");
        assertThat(b.root()).isEqualTo(a.root());
        assertThat(a.differingLeaves(b, null)).isEmpty();
    }

    /** 100 differing keys among 1,000,000 are found by comparing a few thousand node hashes. */
    @Test
    void aFewDifferencesInAMillionKeysAreFoundCheaply() {
        int n = 1_000_000, depth = 16;
        MerkleTree<String> a = new MerkleTree<>(depth, MerkleTree::hashOf), b = new MerkleTree<>(depth, MerkleTree::hashOf);
        for (int i = 0; i < n; i++) {
            a.put("key" + i, i);
            b.put("key" + i, i);
        }
        Random r = new Random(3);
        Set<String> differing = new HashSet<>();
        while (differing.size() < 100) {
            String k = "key" + r.nextInt(n);
            if (differing.add(k)) b.put(k, -1);
        }
        int[] compared = {0};
        List<Integer> leaves = a.differingLeaves(b, compared);
        Set<String> candidates = new HashSet<>();
        for (int leaf : leaves) candidates.addAll(a.keysUnder(leaf));
        assertThat(candidates).containsAll(differing);
        assertThat(leaves).hasSizeLessThanOrEqualTo(100);
        // what a descent would ship: 8 bytes per compared hash, plus the keys of differing buckets
        long bytes = compared[0] * 8L + candidates.stream().mapToLong(k -> k.length() + 8).sum();
        assertThat(bytes).as("bytes to find 100 differences among 1M keys").isLessThan(200_000);
    }
}
