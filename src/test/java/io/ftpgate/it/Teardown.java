package io.ftpgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

/** The common end of an integration test: close the client and extra resources, then check and stop the gateway. */
public final class Teardown {

    private Teardown() {
    }

    /**
     * Closes {@code ftp} and {@code closeables}; then, if a gateway ran, asserts that {@code password} never
     * reached its audit log and closes it. Any argument may be null.
     */
    public static void closeAll(RawFtp ftp, List<AutoCloseable> closeables, GatewayFixture gw, String password)
            throws Exception {
        if (ftp != null) {
            ftp.close();
        }
        for (AutoCloseable c : closeables) {
            c.close();
        }
        if (gw != null) {
            assertThat(gw.audit.events()).as("the password never appears in the audit log")
                    .noneMatch(e -> e.toString().contains(password));
            gw.close();
        }
    }
}
