package io.ftpgate.auditor;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * How much a finding matters, worst first. Only {@link #HIGH} changes the exit code of {@code ftpgate audit}
 * (1), so a CI pipeline fails on a bounce-capable server, data-connection theft or anonymous write, and not on
 * a chatty banner.
 */
public enum Severity {
    /** Exploitable now: a CERT category 1 server, a stealable data connection, anonymous write. */
    HIGH,
    /** Weakens the server or its clients: cleartext passwords, internal addresses in 227, privileged ports. */
    MEDIUM,
    /** Helps an attacker a little: version banners, predictable passive ports. */
    LOW,
    /** Worth knowing, nothing to fix: EPSV support, a check that could not run. */
    INFO,
    /** The check passed: the server behaves as the CERT tech tip recommends. */
    OK;

    /** The lowercase name used in the table and in JSON: {@code high}, {@code ok}. */
    @JsonValue
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
