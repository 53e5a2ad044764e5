package io.ftpgate.cli;

/**
 * Unix signal handlers through {@code sun.misc.Signal} (module jdk.unsupported, present in every JDK 17 build).
 * It is the JDK's only way to act on SIGHUP at all, and to end on SIGTERM/SIGINT with an exit code of ftpgate's
 * choosing: left to the JVM, those two run the shutdown hooks and exit 128 + the signal number (143, 130)
 * whatever the hooks do.
 */
final class Signals {

    private Signals() {
    }

    /**
     * Runs {@code action} on its own thread each time SIG{@code name} ({@code "HUP"}, {@code "TERM"},
     * {@code "INT"}) arrives, instead of the JVM's handling. Returns false, and changes nothing, where the
     * platform has no such signal or the JVM keeps it for itself; the caller says what that means.
     */
    static boolean handle(String name, Runnable action) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal(name), sig -> action.run());
            return true;
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            return false;
        }
    }
}
