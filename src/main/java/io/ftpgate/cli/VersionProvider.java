package io.ftpgate.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** {@code --version}: the project version, filtered into {@code ftpgate-version.properties} by Maven. */
public final class VersionProvider implements IVersionProvider {

    @Override
    public String[] getVersion() {
        return new String[] {
            "ftpgate " + version(),
            "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")"
        };
    }

    /** The version, or a placeholder when the classes were not built by Maven (e.g. run from an IDE). */
    public static String version() {
        try (InputStream in = VersionProvider.class.getResourceAsStream("/ftpgate-version.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                String v = p.getProperty("version", "");
                if (!v.isEmpty() && !v.startsWith("${")) {
                    return v;
                }
            }
        } catch (IOException e) {
            // Fall through: a version string is not worth failing for.
        }
        return "unknown (not built by Maven)";
    }
}
