package io.ftpgate.admin;

/**
 * What the admin listener may do to the gateway's sessions, and nothing more: end one. Everything it shows is
 * read from the session events, so this is its only way into the control path ({@code control.Gateway} is wired
 * in by the command line; this package does not import {@code control}).
 */
@FunctionalInterface
public interface SessionControl {

    /** Ends session {@code id} (the client is told 421); false when no such session is running. */
    boolean end(String id);
}
