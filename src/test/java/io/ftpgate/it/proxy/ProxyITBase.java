package io.ftpgate.it.proxy;

import io.ftpgate.it.RecordingAuditSink;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** What the PROXY integration tests share: MINA's folder, the {@link ProxyFixture} and its audit log. */
abstract class ProxyITBase {

    @TempDir
    Path root;
    ProxyFixture fx;
    RecordingAuditSink audit;

    /** A new fixture serving {@link #root}. */
    ProxyFixture fixture() throws Exception {
        fx = new ProxyFixture(root);
        audit = fx.audit;
        return fx;
    }

    @AfterEach
    void stop() {
        if (fx != null) {
            fx.close();
        }
    }
}
