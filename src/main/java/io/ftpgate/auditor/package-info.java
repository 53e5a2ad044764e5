/**
 * {@code ftpgate audit}: probes one FTP server (or an FTP-aware firewall in front of one) and reports which CERT
 * category it is in and what else leaks.
 *
 * <p>{@link io.ftpgate.auditor.Auditor} runs the checks (bounce via PORT/EPRT, privileged ports, PASV address
 * leak, EPSV, passive port predictability, data-connection theft, anonymous login and write, banner and SYST,
 * and FTPS: AUTH TLS with a real handshake, the certificate, TLS versions, CCC, data-session reuse, implicit
 * FTPS, over the JDK's SSLSocket ({@link io.ftpgate.auditor.TlsClient}) with resumption read off the wire by
 * {@link io.ftpgate.tls.ServerFlight}); each check opens its own blocking control sessions, parsed with the
 * gateway's own {@code io.ftpgate.protocol} codecs, with every wait bounded by the timeout. The result is an
 * {@link io.ftpgate.auditor.AuditReport}, rendered by {@link io.ftpgate.auditor.TextReport} or
 * {@link io.ftpgate.auditor.JsonReport}. Nothing here depends on the gateway core.
 */
package io.ftpgate.auditor;
