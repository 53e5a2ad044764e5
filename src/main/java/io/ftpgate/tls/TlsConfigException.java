package io.ftpgate.tls;

/**
 * TLS material or settings could not be used. The message is one line, complete and meant for an
 * administrator: it names the file and what is wrong with it, e.g. {@code TLS key /etc/ftpgate/key.pem does
 * not match the certificate /etc/ftpgate/cert.pem (CN=ftp.example.com)}.
 */
public final class TlsConfigException extends Exception {

    public TlsConfigException(String message) {
        super(message);
    }

    public TlsConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
