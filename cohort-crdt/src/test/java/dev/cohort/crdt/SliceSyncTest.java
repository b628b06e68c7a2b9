package dev.cohort.crdt;

import dev.cohort.time.HybridLogicalClock;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * DeltaCrdt's key loss (its issues 45 and 65): a sync that ships part of the keys together with
 * the <em>whole</em> causal context makes the receiver delete every key it holds that the context
 * covers but the slice lacks. A slice whose context covers only what it ships loses nothing.
 */
class SliceSyncTest {
    private static final int KEYS = 20_000, SLICE = 200;

    private static AWLWWMap<String, Integer> filled(String replica, int n) {
        java.util.Map<String, Integer> values = new java.util.LinkedHashMap<>();
        for (int i = 0; i < n; i++) values.put("key" + i, i);
        AWLWWMap<String, Integer> empty = AWLWWMap.empty();
        return empty.join(empty.putAllDelta(values, new HybridLogicalClock(replica, () -> 1)));
    }

    @Test
    void slicesWithTheirOwnContextNeverDeleteWhatTheyDidNotShip() {
        AWLWWMap<String, Integer> a = AWLWWMap.empty();
        HybridLogicalClock clock = new HybridLogicalClock("a", () -> 1);
        for (int i = 0; i < 2_000; i++) a = a.join(a.putDelta("key" + i, i, clock.now()));
        assertThat(a.size()).isEqualTo(2_000);

        // b already holds some keys a never saw, written by itself
        AWLWWMap<String, Integer> b = AWLWWMap.empty();
        HybridLogicalClock bc = new HybridLogicalClock("b", () -> 1);
        for (int i = 0; i < 50; i++) b = b.join(b.putDelta("own" + i, i, bc.now()));

        List<String> keys = new ArrayList<>(a.keys());
        AWLWWMap<String, Integer> receiver = b;
        for (int from = 0; from < keys.size(); from += SLICE) {
            Set<String> part = new HashSet<>(keys.subList(from, Math.min(keys.size(), from + SLICE)));
            receiver = receiver.join(a.slice(part, Set.of()));
            assertThat(receiver.size()).as("after %d keys", from + part.size()).isEqualTo(50 + from + part.size());
        }
        assertThat(receiver.toMap()).containsAllEntriesOf(a.toMap()).hasSize(2_050);
    }

    @Test
    void theNaiveSyncThatShipsTheWholeContextLosesKeys() {
        AWLWWMap<String, Integer> a = AWLWWMap.empty();
        HybridLogicalClock clock = new HybridLogicalClock("a", () -> 1);
        for (int i = 0; i < 1_000; i++) a = a.join(a.putDelta("key" + i, i, clock.now()));
        AWLWWMap<String, Integer> partial = a.slice(Set.of("key1", "key2"), Set.of());
        // the receiver already got key500 from an earlier sync, then gets a slice with the full context
        AWLWWMap<String, Integer> receiver = AWLWWMap.<String, Integer>empty().join(a.slice(Set.of("key500"), Set.of()));
        AWLWWMap<String, Integer> naive = fullContextSlice(a, Set.of("key1", "key2"));
        assertThat(receiver.join(naive).containsKey("key500")).as("the naive sync deletes what it did not ship").isFalse();
        assertThat(receiver.join(partial).containsKey("key500")).isTrue();
    }

    @Test
    void removalsTravelWhenTheReceiverSaysWhichDotsItHolds() {
        AWLWWMap<String, Integer> a = AWLWWMap.empty();
        HybridLogicalClock clock = new HybridLogicalClock("a", () -> 1);
        a = a.join(a.putDelta("gone", 1, clock.now()));
        AWLWWMap<String, Integer> b = AWLWWMap.<String, Integer>empty().join(a);
        a = a.join(a.removeDelta("gone"));
        // anti-entropy: b reports its dots for the differing key; a ships that key with those dots as observed
        AWLWWMap<String, Integer> repair = a.slice(Set.of("gone"), b.dotsOf("gone"));
        assertThat(b.join(repair).containsKey("gone")).isFalse();
    }

    @Test
    void aLargeMapSyncedInSmallSlicesArrivesWhole() {
        AWLWWMap<String, Integer> a = filled("a", KEYS);
        assertThat(a.size()).isEqualTo(KEYS);
        List<String> keys = new ArrayList<>(a.keys());
        List<AWLWWMap<String, Integer>> slices = new ArrayList<>();
        for (int from = 0; from < keys.size(); from += SLICE) {
            slices.add(a.slice(new HashSet<>(keys.subList(from, Math.min(keys.size(), from + SLICE))), Set.of()));
        }
        java.util.Collections.shuffle(slices, new java.util.Random(9));
        while (slices.size() > 1) {
            List<AWLWWMap<String, Integer>> next = new ArrayList<>();
            for (int i = 0; i < slices.size(); i += 2) next.add(i + 1 < slices.size() ? slices.get(i).join(slices.get(i + 1)) : slices.get(i));
            slices = next;
        }
        assertThat(slices.getFirst().size()).isEqualTo(KEYS);
        assertThat(slices.getFirst()).isEqualTo(a);
    }

    /** What DeltaCrdt did: part of the keys, with the sender's whole context. */
    private static AWLWWMap<String, Integer> fullContextSlice(AWLWWMap<String, Integer> a, Set<String> keys) {
        Set<Dot> all = new HashSet<>();
        for (String k : a.keys()) all.addAll(a.dotsOf(k));
        return a.slice(keys, all);
    }
}
