package io.ftpgate.audit;

import io.ftpgate.event.SessionEvent;
import io.ftpgate.event.SessionEvent.Closed;
import io.ftpgate.event.SessionEvent.FxpAllowed;
import io.ftpgate.event.SessionEvent.Login;
import io.ftpgate.event.SessionEvent.Opened;
import io.ftpgate.event.SessionEvent.Origin;
import io.ftpgate.event.SessionEvent.Refused;
import io.ftpgate.event.SessionEvent.TlsEstablished;
import io.ftpgate.event.SessionEvent.TransferFinished;
import java.util.function.Consumer;

/**
 * The audit log as a subscriber of the typed {@link SessionEvent}s: each event an administrator audits becomes
 * one {@link AuditEvent} (one JSON line) for an {@link AuditSink}. The record names and fields are an
 * interface (README "Audit log"): session-open, session-close, login, refused, tls, fxp, transfer. Lifecycle events
 * that only metrics need (pinholes, transfer start) are not written.
 */
public final class AuditTrail implements Consumer<SessionEvent> {

    private final AuditSink sink;

    /** Writes the audited events to {@code sink}. */
    public AuditTrail(AuditSink sink) {
        this.sink = sink;
    }

    @Override
    public void accept(SessionEvent event) {
        AuditEvent record = toRecord(event);
        if (record != null) {
            sink.emit(record);
        }
    }

    /** The audit record of {@code event}, or null when the event is not audited. */
    static AuditEvent toRecord(SessionEvent event) {
        if (event instanceof Opened e) {
            return start("session-open", e.origin()).with("listener", e.listener()).with("placement", e.placement())
                    .with("gateway", e.gateway()).with("via", e.via());
        } else if (event instanceof Closed e) {
            return start("session-close", e.origin()).with("reason", e.reason()).with("user", e.user())
                    .with("destination", e.destination()).with("duration-ms", e.durationMillis())
                    .with("transfers", e.transfers()).with("bytes", e.bytes());
        } else if (event instanceof Login e) {
            return start("login", e.origin()).with("user", e.user()).with("destination", e.destination())
                    .with("outcome", e.outcome()).with("reply", e.reply()).with("profile", e.profile())
                    .with("upstream", e.upstream()).with("upstream-policy", e.upstreamPolicy());
        } else if (event instanceof Refused e) {
            return start("refused", e.origin()).with("reason", e.reason().code())
                    .with("side", e.side() == null ? null : e.side().text()).with("input", e.input())
                    .with("reply", e.reply()).with("enforced", e.enforced()).with("user", e.user())
                    .with("destination", e.destination());
        } else if (event instanceof TlsEstablished e) {
            return start("tls", e.origin()).with("side", e.side().text()).with("protocol", e.protocol())
                    .with("cipher", e.cipherSuite()).with("resumed", e.resumed()).with("peer-subject", e.peerSubject());
        } else if (event instanceof FxpAllowed e) {
            return start("fxp", e.origin()).with("verb", e.verb()).with("peer", e.peer());
        } else if (event instanceof TransferFinished e) {
            return start("transfer", e.origin()).with("user", e.user()).with("destination", e.destination())
                    .with("command", e.command()).with("path", e.path()).with("client-mode", e.clientMode())
                    .with("server-mode", e.serverMode()).with("bytes", e.bytes())
                    .with("duration-ms", e.durationMillis()).with("outcome", e.outcome())
                    .with("reply", e.reply()).with("detail", e.detail()).with("data-path", e.dataPath());
        }
        return null;
    }

    private static AuditEvent start(String type, Origin origin) {
        return AuditEvent.of(type, origin.session(), origin.client());
    }
}
