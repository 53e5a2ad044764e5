package io.ftpgate.it;

import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Random;

/** Deterministic random content and sha256 helpers. */
public final class Bytes {

    public static final int MIB = 1024 * 1024;

    private Bytes() {
    }

    public static byte[] random(long seed, int size) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    public static String sha256(byte[] b) {
        return sha256(b, 0, b.length);
    }

    public static String sha256(byte[] b, int off, int len) {
        MessageDigest md = digest();
        md.update(b, off, len);
        return HexFormat.of().formatHex(md.digest());
    }

    public static String sha256(byte[] a, byte[] b) {
        MessageDigest md = digest();
        md.update(a);
        md.update(b);
        return HexFormat.of().formatHex(md.digest());
    }

    public static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** An output stream that only hashes and counts what is written. */
    public static final class HashingSink extends OutputStream {
        private final MessageDigest md = digest();
        private long count;

        @Override
        public void write(int b) {
            md.update((byte) b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            md.update(b, off, len);
            count += len;
        }

        long count() {
            return count;
        }

        String sha256() {
            return HexFormat.of().formatHex(md.digest());
        }

        @Override
        public void close() throws IOException {
        }
    }
}
