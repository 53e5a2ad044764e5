package io.ftpgate.cli;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.ftpserver.ftplet.Authentication;
import org.apache.ftpserver.ftplet.AuthenticationFailedException;
import org.apache.ftpserver.ftplet.User;
import org.apache.ftpserver.ftplet.UserManager;
import org.apache.ftpserver.usermanager.AnonymousAuthentication;
import org.apache.ftpserver.usermanager.UsernamePasswordAuthentication;

/**
 * In-memory users for {@link DemoUpstream}. MINA's own properties-based manager is not usable here: it stores
 * write permission as a single boolean evaluated for "/", which drops the path of {@code WritePermission} and
 * so cannot express "may write under /upload/ only". This manager keeps each user's authorities as given.
 */
final class DemoUsers implements UserManager {

    private final Map<String, User> users = new ConcurrentHashMap<>();
    private final Map<String, String> passwords = new ConcurrentHashMap<>();

    /** Adds {@code user}; a {@code null} password means the user can only log in anonymously. */
    void add(User user, String password) {
        users.put(user.getName(), user);
        if (password != null) {
            passwords.put(user.getName(), password);
        }
    }

    @Override
    public User getUserByName(String name) {
        return name == null ? null : users.get(name);
    }

    @Override
    public String[] getAllUserNames() {
        return users.keySet().stream().sorted().toArray(String[]::new);
    }

    @Override
    public void delete(String name) {
        users.remove(name);
        passwords.remove(name);
    }

    @Override
    public void save(User user) {
        users.put(user.getName(), user);
    }

    @Override
    public boolean doesExist(String name) {
        return name != null && users.containsKey(name);
    }

    @Override
    public User authenticate(Authentication auth) throws AuthenticationFailedException {
        if (auth instanceof AnonymousAuthentication) {
            User anonymous = users.get(ANONYMOUS);
            if (anonymous != null) {
                return anonymous;
            }
        } else if (auth instanceof UsernamePasswordAuthentication up && up.getUsername() != null) {
            String expected = passwords.get(up.getUsername());
            if (expected != null && up.getPassword() != null && MessageDigest.isEqual(
                    expected.getBytes(StandardCharsets.UTF_8), up.getPassword().getBytes(StandardCharsets.UTF_8))) {
                return users.get(up.getUsername());
            }
        }
        throw new AuthenticationFailedException("authentication failed");
    }

    @Override
    public String getAdminName() {
        return "admin";
    }

    @Override
    public boolean isAdmin(String name) {
        return false;
    }
}
