package io.ftpgate.tls;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.BiFunction;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;

/**
 * The provider's SSLEngine with two additions that the JDK engine lacks: it learns from the wire whether the
 * handshake resumed a session ({@link ServerFlight}: the server's outgoing bytes on the server side, its
 * incoming ones on the client side), and it refuses TLS 1.2 renegotiation (a handshake record after the first
 * handshake), which the JDK would otherwise accept from a client, or start on a server's HelloRequest, unless a
 * JVM-wide system property says otherwise. TLS 1.3 has no renegotiation.
 *
 * <p>Netty's SslHandler drives any SSLEngine through the public API, so it treats this one like the JDK's. Used
 * for the JDK provider only: SslHandler recognises (and releases) the reference-counted OpenSSL engine by its
 * class, and there the engine's own session-reuse flag and renegotiation setting apply ({@link TlsHandler}).
 */
final class ObservedEngine extends SSLEngine {

    private static final int HANDSHAKE_RECORD = 22;

    private final SSLEngine engine;
    private final ServerFlight flight = new ServerFlight();
    /** Set by the first wrap/unwrap that reports a handshake under way; the engine is then past its first use. */
    private volatile boolean handshakeStarted;

    ObservedEngine(SSLEngine engine) {
        super(engine.getPeerHost(), engine.getPeerPort());
        this.engine = engine;
    }

    /** True when the server's flight showed a resumed session (meaningful once the handshake has succeeded). */
    boolean resumed() {
        return flight.verdict() == ServerFlight.Verdict.RESUMED;
    }

    @Override
    public SSLEngineResult wrap(ByteBuffer[] srcs, int offset, int length, ByteBuffer dst) throws SSLException {
        int from = dst.position();
        SSLEngineResult r = engine.wrap(srcs, offset, length, dst);
        if (!engine.getUseClientMode()) {
            flight.feed(dst, from, dst.position()); // reads nothing once it has decided
        }
        return track(r);
    }

    @Override
    public SSLEngineResult unwrap(ByteBuffer src, ByteBuffer[] dsts, int offset, int length) throws SSLException {
        if (handshakeStarted && src.hasRemaining() && src.get(src.position()) == HANDSHAKE_RECORD
                && engine.getHandshakeStatus() == HandshakeStatus.NOT_HANDSHAKING
                && "TLSv1.2".equals(engine.getSession().getProtocol())) {
            // Checked before the engine sees the record: a renegotiation must never start.
            throw new SSLException("TLS renegotiation refused: the peer started a new handshake on an established"
                    + " TLS 1.2 connection");
        }
        int from = src.position();
        SSLEngineResult r = engine.unwrap(src, dsts, offset, length);
        if (engine.getUseClientMode()) {
            flight.feed(src, from, src.position());
        }
        return track(r);
    }

    private SSLEngineResult track(SSLEngineResult r) {
        if (r.getHandshakeStatus() != HandshakeStatus.NOT_HANDSHAKING) {
            handshakeStarted = true;
        }
        return r;
    }

    // Everything else is the engine's.

    @Override
    public Runnable getDelegatedTask() {
        return engine.getDelegatedTask();
    }

    @Override
    public void closeInbound() throws SSLException {
        engine.closeInbound();
    }

    @Override
    public boolean isInboundDone() {
        return engine.isInboundDone();
    }

    @Override
    public void closeOutbound() {
        engine.closeOutbound();
    }

    @Override
    public boolean isOutboundDone() {
        return engine.isOutboundDone();
    }

    @Override
    public String[] getSupportedCipherSuites() {
        return engine.getSupportedCipherSuites();
    }

    @Override
    public String[] getEnabledCipherSuites() {
        return engine.getEnabledCipherSuites();
    }

    @Override
    public void setEnabledCipherSuites(String[] suites) {
        engine.setEnabledCipherSuites(suites);
    }

    @Override
    public String[] getSupportedProtocols() {
        return engine.getSupportedProtocols();
    }

    @Override
    public String[] getEnabledProtocols() {
        return engine.getEnabledProtocols();
    }

    @Override
    public void setEnabledProtocols(String[] protocols) {
        engine.setEnabledProtocols(protocols);
    }

    @Override
    public SSLSession getSession() {
        return engine.getSession();
    }

    @Override
    public SSLSession getHandshakeSession() {
        return engine.getHandshakeSession();
    }

    @Override
    public void beginHandshake() throws SSLException {
        engine.beginHandshake();
    }

    @Override
    public HandshakeStatus getHandshakeStatus() {
        return engine.getHandshakeStatus();
    }

    @Override
    public void setUseClientMode(boolean mode) {
        engine.setUseClientMode(mode);
    }

    @Override
    public boolean getUseClientMode() {
        return engine.getUseClientMode();
    }

    @Override
    public void setNeedClientAuth(boolean need) {
        engine.setNeedClientAuth(need);
    }

    @Override
    public boolean getNeedClientAuth() {
        return engine.getNeedClientAuth();
    }

    @Override
    public void setWantClientAuth(boolean want) {
        engine.setWantClientAuth(want);
    }

    @Override
    public boolean getWantClientAuth() {
        return engine.getWantClientAuth();
    }

    @Override
    public void setEnableSessionCreation(boolean flag) {
        engine.setEnableSessionCreation(flag);
    }

    @Override
    public boolean getEnableSessionCreation() {
        return engine.getEnableSessionCreation();
    }

    @Override
    public SSLParameters getSSLParameters() {
        return engine.getSSLParameters();
    }

    @Override
    public void setSSLParameters(SSLParameters params) {
        engine.setSSLParameters(params);
    }

    @Override
    public String getApplicationProtocol() {
        return engine.getApplicationProtocol();
    }

    @Override
    public String getHandshakeApplicationProtocol() {
        return engine.getHandshakeApplicationProtocol();
    }

    @Override
    public void setHandshakeApplicationProtocolSelector(BiFunction<SSLEngine, List<String>, String> selector) {
        engine.setHandshakeApplicationProtocolSelector(selector);
    }

    @Override
    public BiFunction<SSLEngine, List<String>, String> getHandshakeApplicationProtocolSelector() {
        return engine.getHandshakeApplicationProtocolSelector();
    }
}
