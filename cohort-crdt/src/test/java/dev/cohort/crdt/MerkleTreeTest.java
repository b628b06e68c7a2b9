package dev.cohort.crdt;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MerkleTreeTest {
    /** A tree over a plain map of key to digest. */
    private static final class Tree {
        final java.util.Map<String, Long> digests = new java.util.HashMap<>();
        final MerkleTree<String> tree;

        Tree(int depth) { tree = new MerkleTree<>(depth, MerkleTree::hashOf, k -> digests.getOrDefault(k, 0L)); }

        void put(String k, long digest) {
            digests.put(k, digest);
            tree.changed(k, true);
        }

        void remove(String k) {
            digests.remove(k);
            tree.changed(k, false);
        }
    }

    @Test
    void equalContentGivesEqualRootsWhateverTheOrderOfUpdates() {
        Tree a = new Tree(10), b = new Tree(10);
        for (int i = 0; i < 5_000; i++) a.put("k" + i, i);
        for (int i = 4_999; i >= 0; i--) b.put("k" + i, i * 7L); // other digests first
        for (int i = 0; i < 5_000; i++) b.put("k" + i, i);
        b.put("extra", 1);
        b.remove("extra");
        assertThat(b.tree.root()).isEqualTo(a.tree.root());
        assertThat(a.tree.differingLeaves(b.tree, null)).isEmpty();
        assertThat(b.tree.size()).isEqualTo(5_000);
        b.put("k1", 2);
        assertThat(b.tree.root()).isNotEqualTo(a.tree.root());
        assertThat(a.tree.keysWithHash(MerkleTree.hashOf("k1"))).containsExactly("k1");
    }

    /** 100 differing keys among 1,000,000 are found by comparing a few thousand node hashes. */
    @Test
    void stringHashIsTheHashOfItsUtf8Bytes() {
        for (String s : List.of("", "gotham", "métropolis", "東京@127.0.0.1", "a\uD83D\uDE00b")) {
            assertThat(MerkleTree.hashOf(s)).isEqualTo(MerkleTree.hashOf(s.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        }
    }

    @Test
    void aFewDifferencesInAMillionKeysAreFoundCheaply() {
        int n = 1_000_000, depth = 16;
        Tree a = new Tree(depth), b = new Tree(depth);
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
        List<Integer> leaves = a.tree.differingLeaves(b.tree, compared);
        Set<String> candidates = new HashSet<>();
        for (int leaf : leaves) candidates.addAll(a.tree.keysUnder(leaf));
        assertThat(candidates).containsAll(differing);
        assertThat(leaves).hasSizeLessThanOrEqualTo(100);
        // what a descent would ship: 8 bytes per compared hash, plus the keys of differing buckets
        long bytes = compared[0] * 8L + candidates.stream().mapToLong(k -> k.length() + 8).sum();
        assertThat(bytes).as("bytes to find 100 differences among 1M keys").isLessThan(200_000);
    }
}
