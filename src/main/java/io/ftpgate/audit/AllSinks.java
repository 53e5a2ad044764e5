package io.ftpgate.audit;

import java.util.List;

/** {@link AuditSink#all}: the audit file and its syslog or journal copy behind the one sink the gateway has. */
final class AllSinks implements AuditSink {

    private final List<AuditSink> sinks;

    AllSinks(List<AuditSink> sinks) {
        this.sinks = List.copyOf(sinks);
    }

    @Override
    public void emit(AuditEvent event) {
        for (AuditSink s : sinks) {
            s.emit(event);
        }
    }

    /** Reopens every sink, also after one failed; true when all succeeded. */
    @Override
    public boolean reopen() {
        boolean all = true;
        for (AuditSink s : sinks) {
            all &= s.reopen();
        }
        return all;
    }

    @Override
    public void close() {
        for (AuditSink s : sinks) {
            s.close();
        }
    }
}
