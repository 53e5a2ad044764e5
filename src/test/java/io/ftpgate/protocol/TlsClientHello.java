package io.ftpgate.protocol;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;

/** Real TLS ClientHellos, as the JDK's own TLS client sends them, for the tests of a TLS client on a plain port. */
public final class TlsClientHello {

    private TlsClientHello() {
    }

    /** Protocol versions the JDK still enables, each with its own ClientHello layout (for @MethodSource). */
    public static Stream<String> protocols() {
        return Stream.of("TLSv1.3", "TLSv1.2");
    }

    /** The first record a JDK TLS client offering only {@code protocol} sends: its ClientHello. */
    public static byte[] of(String protocol) {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, null, null);
            SSLEngine engine = ctx.createSSLEngine("127.0.0.1", 990);
            engine.setUseClientMode(true);
            engine.setEnabledProtocols(new String[] {protocol});
            ByteBuffer net = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
            engine.wrap(ByteBuffer.allocate(0), net);
            net.flip();
            byte[] hello = new byte[net.remaining()];
            net.get(hello);
            return hello;
        } catch (GeneralSecurityException | SSLException e) {
            throw new IllegalStateException("cannot build a " + protocol + " ClientHello: " + e.getMessage(), e);
        }
    }
}
