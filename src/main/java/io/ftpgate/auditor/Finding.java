package io.ftpgate.auditor;

import java.util.List;
import java.util.Objects;

/**
 * The outcome of one check.
 *
 * @param check    stable identifier, e.g. {@code bounce-port}; scripts may match on it
 * @param title    what was checked, in a few words
 * @param verdict  the short answer, e.g. {@code category 1: connected to the third party}
 * @param severity how much it matters
 * @param evidence the commands sent, replies received and connections observed that led to the verdict
 * @param meaning  what the verdict means, in the terms of the CERT tech tip on the FTP bounce attack
 * @param fix      what to change; empty when nothing needs fixing
 */
public record Finding(String check, String title, String verdict, Severity severity, List<Evidence> evidence,
        String meaning, String fix) {

    /** Copies the evidence list. */
    public Finding {
        Objects.requireNonNull(check, "check");
        Objects.requireNonNull(verdict, "verdict");
        Objects.requireNonNull(severity, "severity");
        evidence = List.copyOf(evidence);
        meaning = meaning == null ? "" : meaning;
        fix = fix == null ? "" : fix;
    }
}
