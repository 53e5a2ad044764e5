package io.ftpgate.auditor;

import java.util.List;

/**
 * One probe of the server. A check opens its own sessions through the context and never throws: a failure it
 * cannot judge becomes an {@code inconclusive} finding of severity info.
 */
interface AuditCheck {

    /** Runs the probe and returns its findings (usually one). */
    List<Finding> run(ProbeContext ctx);
}
