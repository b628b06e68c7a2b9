package dev.cohort.examples.counter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cohort.server.Next;
import org.junit.jupiter.api.Test;

/** A session's logic alone: each visit id counts once while it is among the last 64. */
class SessionTest {
    private final Session session = new Session("ana", (self, key) -> null);

    private Session.State visit(Session.State s, long id) throws Exception {
        Next<Session.State> next = session.handleCall(new Session.Visit(id), null, s);
        Next.Reply<Session.State> reply = (Next.Reply<Session.State>) next;
        assertThat(reply.reply()).isEqualTo(reply.state().visits());
        return reply.state();
    }

    @Test
    void aRetriedVisitCountsOnceWhileRemembered() throws Exception {
        Session.State s = session.initial(Session.key("ana"));
        for (long id = 1; id <= 70; id++) s = visit(s, id);
        assertThat(s.visits()).isEqualTo(70);
        assertThat(s.recent()).hasSize(Session.REMEMBERED).startsWith(7L).endsWith(70L);
        Session.State again = visit(s, 70); // the web layer retried the last visit
        assertThat(again).isSameAs(s); // unchanged: nothing to persist
        assertThat(visit(s, 7).visits()).isEqualTo(70); // the oldest remembered
        assertThat(visit(s, 6).visits()).isEqualTo(71); // forgotten: counted again (64 visits later, not a retry)
    }

    @Test
    void getAnswersWithoutCountingAndOtherRequestsFail() throws Exception {
        Session.State s = visit(session.initial(Session.key("ana")), 42);
        Next.Reply<Session.State> get = (Next.Reply<Session.State>) session.handleCall(Session.GET, null, s);
        assertThat(get.reply()).isEqualTo(1L);
        assertThat(get.state()).isSameAs(s);
        assertThatThrownBy(() -> session.handleCall("reset", null, s)).isInstanceOf(IllegalArgumentException.class);
    }
}
