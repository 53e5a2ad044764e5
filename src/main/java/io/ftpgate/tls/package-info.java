/**
 * TLS for FTPS on both sides of the gateway, and nothing of FTP: which connection gets TLS, and when, is the
 * control path's business.
 *
 * <ul>
 *   <li>{@link io.ftpgate.tls.ServerTls}: ftpgate as the TLS server, facing FTP clients. One context per
 *       certificate, shared by control and data connections so that clients can resume their control session
 *       on data connections (OpenSSL provider: one per control connection, shared with its data
 *       connections).</li>
 *   <li>{@link io.ftpgate.tls.ClientTls}: ftpgate as the TLS client, facing FTP servers, with a
 *       {@link io.ftpgate.tls.Trust}; {@link io.ftpgate.tls.ClientTls#forSession()} gives each FTP session its
 *       own context ({@link io.ftpgate.tls.SessionTls}), whose data connections resume the control
 *       connection's session, always offering the newest TLS 1.3 ticket.</li>
 *   <li>{@link io.ftpgate.tls.TlsFacts}: what a handshake settled, including whether it resumed a session,
 *       which the JDK's engine does not say and is read off the wire here (BoringSSL says it itself)
 *       ({@link io.ftpgate.tls.ServerTls#resumedFrom} relates a data connection to its control connection).</li>
 *   <li>{@link io.ftpgate.tls.TlsSettings}: protocol versions (TLS 1.3 and 1.2), handshake timeout, provider
 *       (the JDK's TLS or OpenSSL/BoringSSL, whose differences {@code TlsHandler} holds).</li>
 *   <li>{@link io.ftpgate.tls.SelfSigned}: certificates for the demo and the tests.</li>
 * </ul>
 */
package io.ftpgate.tls;
