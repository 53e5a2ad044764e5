/**
 * Pure FTP protocol types and codecs: control-line framing, commands, replies and the data-address forms.
 *
 * <p>Nothing here touches a socket, a file or the resolver. Addresses are decoded from literals only
 * ({@link io.netty.util.NetUtil}), never with {@code InetAddress.getByName}, so text from a client or a server
 * can never trigger a DNS lookup.
 *
 * <p>All text is carried as ISO-8859-1 "byte strings": each {@code char} is one byte of the wire, so paths stay
 * byte-transparent whatever their encoding (RFC 2640) and re-encoding reproduces the exact bytes.
 *
 * <p>Specifications: RFC 959 (FTP), RFC 854 (Telnet), RFC 1123 §4.1 (FTP requirements), RFC 2228 (security
 * extensions), RFC 2389 (FEAT/OPTS), RFC 2428 (EPRT/EPSV), RFC 2640 (internationalisation), RFC 3659 (MLST, SIZE,
 * MDTM), RFC 7151 (HOST).
 */
package io.ftpgate.protocol;
