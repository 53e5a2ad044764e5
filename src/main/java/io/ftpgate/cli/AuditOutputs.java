package io.ftpgate.cli;

import io.ftpgate.audit.AuditSink;
import io.ftpgate.audit.DatagramAuditSink;
import io.ftpgate.audit.JournalFields;
import io.ftpgate.audit.JsonLinesAuditLog;
import io.ftpgate.audit.Rfc5424;
import io.ftpgate.config.ConfigValues;
import io.ftpgate.net.HostAndPort;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where {@code run} writes the audit events: the JSON-lines file ({@code audit-log}) and its copy for a SIEM
 * ({@code audit-syslog}: the journal, a local syslog socket or a syslog server over UDP), behind one
 * {@link AuditSink}. {@code check-config} asks the same questions, so both report a problem in the same words.
 */
final class AuditOutputs {

    /** APP-NAME of the syslog messages and SYSLOG_IDENTIFIER of the journal entries. */
    static final String APP_NAME = "ftpgate";
    /** Linux keeps the host name here; read rather than resolved, so a broken DNS cannot delay the start. */
    private static final Path KERNEL_HOSTNAME = Path.of("/proc/sys/kernel/hostname");

    private AuditOutputs() {
    }

    /** Opens the configured outputs; {@link AuditSink#NONE} when there is none. */
    static AuditSink open(String auditLog, String auditSyslog) throws Main.StartupException {
        List<AuditSink> sinks = new ArrayList<>();
        try {
            if (auditLog != null) {
                Optional<String> problem = CheckConfigCommand.auditLogProblem(auditLog);
                if (problem.isPresent()) {
                    throw new Main.StartupException(problem.get());
                }
                try {
                    sinks.add(JsonLinesAuditLog.open(auditLog));
                } catch (IOException | RuntimeException e) {
                    throw new Main.StartupException("cannot open audit log '" + auditLog + "': " + e.getMessage());
                }
            }
            if (auditSyslog != null) {
                sinks.add(openSyslog(auditSyslog));
            }
        } catch (Main.StartupException e) {
            sinks.forEach(AuditSink::close);
            throw e;
        }
        return sinks.isEmpty() ? AuditSink.NONE : AuditSink.all(sinks);
    }

    private static AuditSink openSyslog(String target) throws Main.StartupException {
        Optional<String> problem = syslogProblem(target);
        if (problem.isPresent()) {
            throw new Main.StartupException(problem.get());
        }
        Rfc5424 header = Rfc5424.thisProcess(hostname(), APP_NAME);
        try {
            if (ConfigValues.JOURNAL.equals(target)) {
                return DatagramAuditSink.journal(DatagramAuditSink.JOURNAL_SOCKET, new JournalFields(APP_NAME));
            } else if (target.startsWith("/")) {
                return DatagramAuditSink.syslogSocket(Path.of(target), header);
            }
            HostAndPort server = HostAndPort.parse(target, ConfigValues.SYSLOG_PORT);
            InetSocketAddress address = new InetSocketAddress(server.host(), server.port());
            if (address.isUnresolved()) {
                throw new IOException("cannot resolve " + server.host());
            }
            return DatagramAuditSink.syslogUdp(address, header);
        } catch (IOException | RuntimeException e) {
            throw new Main.StartupException("cannot send audit events to '" + target + "': " + e.getMessage());
        }
    }

    /**
     * Why {@code target} ({@code audit-syslog}) cannot be used on this machine: a local socket, or the journal's,
     * that does not exist. Empty when it can, when there is none, and for a server over UDP (datagrams are sent
     * without an answer, so only a name that does not resolve is found, at start).
     */
    static Optional<String> syslogProblem(String target) {
        if (target == null) {
            return Optional.empty();
        }
        boolean journal = ConfigValues.JOURNAL.equals(target);
        Path socket = journal ? DatagramAuditSink.JOURNAL_SOCKET : target.startsWith("/") ? Path.of(target) : null;
        if (socket == null || Files.exists(socket)) {
            return Optional.empty();
        }
        return Optional.of("cannot send audit events to '" + target + "': there is no socket " + socket
                + (journal ? "; is systemd-journald running on this machine?"
                        : "; is a syslog daemon (rsyslog, syslog-ng) running, or did you mean 'journal'?"));
    }

    /** How {@code check-config} and {@code run} describe the syslog copy. */
    static String describeSyslog(String target) {
        if (target == null) {
            return "none";
        } else if (ConfigValues.JOURNAL.equals(target)) {
            return "journal (" + DatagramAuditSink.JOURNAL_SOCKET + ", identifier " + APP_NAME + ")";
        } else if (target.startsWith("/")) {
            return target + " (RFC 5424, local socket)";
        }
        return target + " (RFC 5424 over UDP)";
    }

    private static String hostname() {
        try {
            return Files.readString(KERNEL_HOSTNAME).trim();
        } catch (IOException | RuntimeException e) {
            return "-";
        }
    }
}
