package dev.cohort.cluster.internal.jgroups;

import org.jgroups.Message;
import org.jgroups.protocols.AUTH;
import org.jgroups.protocols.AuthHeader;
import org.jgroups.protocols.pbcast.GMS;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JGroups' AUTH with {@link CookieToken}, telling a refused joiner why: its connect fails with
 * a {@link SecurityException} naming the reason (another cookie, a replayed join, a node name
 * held by a live member), and the refusing side logs the same reason.
 */
final class CohortAuth extends AUTH {
    private static final Logger log = LoggerFactory.getLogger(CohortAuth.class);
    private final CookieToken token;

    CohortAuth(CookieToken token) {
        this.token = token;
        setAuthToken(token);
        token.setAuth(this); // setAuthToken does not: the token needs it for this node's address
        // headers are keyed by protocol id, and JGroups registers ids by class: speak as AUTH
        setId(org.jgroups.conf.ClassConfigurator.getProtocolId(AUTH.class));
    }

    @Override
    protected boolean handleAuthHeader(GMS.GmsHeader gmsHeader, AuthHeader authHeader, Message msg) {
        if (!needsAuthentication(msg, gmsHeader)) return true;
        // a merge leader asks itself too; that request never left this process, so there is no
        // received token to check (a forged source cannot get here: SealedTcp refuses it)
        if (getAddress() != null && getAddress().equals(msg.getSrc()) && authHeader.getToken() == token) return true;
        byte type = gmsHeader.getType();
        boolean join = type == GMS.GmsHeader.JOIN_REQ || type == GMS.GmsHeader.JOIN_REQ_WITH_STATE_TRANSFER;
        String why = token.refusal(authHeader.getToken(), msg, join);
        if (why == null) return true;
        log.warn("{}: refused a node at {}: {}", getAddress(), msg.getSrc(), why);
        sendRejectionMessage(type, msg.getSrc(), "authentication failed: " + why);
        return false;
    }
}
