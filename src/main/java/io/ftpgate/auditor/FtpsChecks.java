package io.ftpgate.auditor;

import java.util.ArrayList;
import java.util.List;

/**
 * The FTPS checks in their order: {@code auth-tls} and {@code tls-certificate} ({@link TlsCheck}), then, when the
 * server has a working TLS control connection, {@code tls-versions}, {@code ccc} and {@code data-session-reuse}.
 * Without one, each of those says {@code not tested}, so that every FTPS check has a finding. The implicit-FTPS
 * probe of another port ({@link ImplicitCheck}) is separate: it does not depend on AUTH TLS.
 */
final class FtpsChecks implements AuditCheck {

    @Override
    public List<Finding> run(ProbeContext ctx) {
        List<Finding> out = new ArrayList<>(TlsCheck.run(ctx));
        if (TlsCheck.usable(out)) {
            out.addAll(VersionsCheck.run(ctx));
            out.addAll(CccCheck.run(ctx));
            out.addAll(DataReuseCheck.run(ctx));
        }
        for (Probes.Step step : List.of(new Probes.Step(CertificateCheck.ID, CertificateCheck.TITLE),
                new Probes.Step(VersionsCheck.ID, VersionsCheck.TITLE), new Probes.Step(CccCheck.ID, CccCheck.TITLE),
                new Probes.Step(DataReuseCheck.ID, DataReuseCheck.TITLE))) {
            if (out.stream().noneMatch(f -> f.check().equals(step.id()))) {
                out.add(Probes.notTested(step.id(), step.title(), "no working TLS (see auth-tls)"));
            }
        }
        return out;
    }
}
