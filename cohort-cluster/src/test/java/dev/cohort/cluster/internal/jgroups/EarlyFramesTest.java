package dev.cohort.cluster.internal.jgroups;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.jgroups.Address;
import org.jgroups.BytesMessage;
import org.jgroups.Message;
import org.jgroups.util.UUID;
import org.junit.jupiter.api.Test;

/** Messages that arrive before the view naming their sender: held in order, bounded, released or expired. */
class EarlyFramesTest {
    private final AtomicLong clock = new AtomicLong();
    private final EarlyFrames early = new EarlyFrames(clock::get);
    private final List<String> delivered = new ArrayList<>(), expired = new ArrayList<>();
    private final Address a = UUID.randomUUID(), b = UUID.randomUUID();

    private static Message msg(Address src, String text) {
        return new BytesMessage(null, text.getBytes()).setSrc(src);
    }

    private void deliver(Message m) { delivered.add(new String(m.getArray())); }

    private void expire(Address src, String why) { expired.add(src + ": " + why); }

    @Test
    void heldMessagesOfANewMemberComeFirstAndInOrderTheOthersWait() {
        assertThat(early.isEmpty()).isTrue();
        assertThat(early.hold(msg(a, "a1"), this::expire)).isTrue();
        assertThat(early.hold(msg(b, "b1"), this::expire)).isTrue();
        assertThat(early.hold(msg(a, "a2"), this::expire)).isTrue();
        assertThat(early.isEmpty()).isFalse();
        early.release(Set.of(a)::contains, this::deliver, this::expire);
        assertThat(delivered).containsExactly("a1", "a2");
        assertThat(early.isEmpty()).isFalse(); // b's message waits for a view that names b
        early.deliverAfterHeld(msg(b, "b2"), this::deliver);
        assertThat(delivered).containsExactly("a1", "a2", "b1", "b2");
        assertThat(early.isEmpty()).isTrue();
        assertThat(expired).isEmpty();
    }

    @Test
    void aSenderNoViewNamesIsDroppedAfterTheMaximumAge() {
        early.hold(msg(b, "b1"), this::expire);
        clock.addAndGet(EarlyFrames.MAX_AGE_NANOS / 2);
        early.hold(msg(b, "b2"), this::expire);
        clock.addAndGet(EarlyFrames.MAX_AGE_NANOS / 2 + 1);
        early.release(Set.of(a)::contains, this::deliver, this::expire);
        assertThat(expired).hasSize(1).allMatch(e -> e.contains("no view named it"));
        clock.addAndGet(EarlyFrames.MAX_AGE_NANOS);
        early.release(Set.of(a)::contains, this::deliver, this::expire);
        assertThat(expired).hasSize(2);
        assertThat(delivered).isEmpty();
        assertThat(early.isEmpty()).isTrue();
    }

    @Test
    void oneSenderCannotHoldMoreThanItsShareNorAllSendersMoreThanTheTotal() {
        byte[] big = new byte[64 << 10];
        int taken = 0;
        while (early.hold(new BytesMessage(null, big).setSrc(a), this::expire)) taken++;
        assertThat((long) taken * big.length).isLessThanOrEqualTo(EarlyFrames.MAX_SENDER_BYTES)
                .isGreaterThan(EarlyFrames.MAX_SENDER_BYTES - 2L * big.length);
        assertThat(early.hold(msg(b, "small"), this::expire)).as("another sender still has room").isTrue();
        long total = (long) taken * big.length;
        for (int i = 0; i < 64 && total < 2L * EarlyFrames.MAX_BYTES; i++) {
            Address s = UUID.randomUUID();
            while (early.hold(new BytesMessage(null, big).setSrc(s), this::expire)) total += big.length;
        }
        assertThat(total).isLessThanOrEqualTo(EarlyFrames.MAX_BYTES);
        assertThat(early.hold(new BytesMessage(null, big).setSrc(UUID.randomUUID()), this::expire)).isFalse();
        // releasing a sender's messages frees its share
        early.release(Set.of(a)::contains, this::deliver, this::expire);
        assertThat(delivered).hasSize(taken);
        assertThat(early.hold(new BytesMessage(null, big).setSrc(a), this::expire)).isTrue();
    }
}
