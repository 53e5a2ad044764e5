package io.ftpgate.auditor;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything one run of {@code ftpgate audit} found, in the order the checks ran.
 *
 * @param target     the audited control address, {@code host:port}
 * @param user       the user the data-connection checks logged in as ({@code anonymous} by default); never a
 *                   password
 * @param thirdParty the address posing as a third party in the bounce and theft checks, or {@code null} when
 *                   none was available
 * @param findings   one finding per check
 * @param incomplete why the audit stopped early (exit code 2), or {@code null} when it ran to the end
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"target", "user", "third-party", "exit-code", "summary", "incomplete", "findings"})
public record AuditReport(String target, String user, @JsonProperty("third-party") String thirdParty,
        List<Finding> findings, String incomplete) {

    /** No high findings. */
    public static final int EXIT_OK = 0;
    /** At least one high finding. */
    public static final int EXIT_HIGH = 1;
    /** The server could not be audited; the reason is in {@link #incomplete}. */
    public static final int EXIT_NOT_AUDITED = 2;

    /** Copies the findings. */
    public AuditReport {
        findings = List.copyOf(findings);
    }

    /** {@value #EXIT_NOT_AUDITED} when incomplete, {@value #EXIT_HIGH} with a high finding, else 0. */
    @JsonProperty("exit-code")
    public int exitCode() {
        if (incomplete != null) {
            return EXIT_NOT_AUDITED;
        }
        return findings.stream().anyMatch(f -> f.severity() == Severity.HIGH) ? EXIT_HIGH : EXIT_OK;
    }

    /**
     * How many findings have each severity, worst first, keyed by {@link Severity#label()}; severities without
     * findings are listed as 0: {@code {"high":1,"medium":2,"low":0,"info":3,"ok":7}}.
     */
    @JsonProperty("summary")
    public Map<String, Integer> summary() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (Severity s : Severity.values()) {
            counts.put(s.label(), 0);
        }
        findings.forEach(f -> counts.merge(f.severity().label(), 1, Integer::sum));
        return counts;
    }

    /** The finding of the given check, if it ran. */
    public Optional<Finding> finding(String check) {
        return findings.stream().filter(f -> f.check().equals(check)).findFirst();
    }
}
