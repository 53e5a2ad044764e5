package io.ftpgate.it;

import java.util.function.Supplier;

/** Runs a test body and, if it fails, re-throws with the wire transcript and audit log attached. */
public final class Diagnostics {

    public interface Body {
        void run() throws Exception;
    }

    private Diagnostics() {
    }

    public static void withDiagnostics(Supplier<String> diagnostics, Body body) throws Exception {
        try {
            body.run();
        } catch (AssertionError | Exception e) {
            AssertionError wrapped = new AssertionError(e.getMessage() + "\n" + diagnostics.get(), e);
            throw wrapped;
        }
    }
}
