package io.ftpgate.kernel;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * The few libc calls a netlink socket needs, bound by JNA's direct mapping (the fastest JNA offers: no proxy,
 * no reflection per call). {@code size_t}/{@code ssize_t} are Java {@code long}: right on the LP64 platforms
 * ftpgate runs on (Linux x86-64 and aarch64). Every call that sets errno throws {@link LastErrorException}.
 */
final class LibC {

    static {
        Native.register(Platform.C_LIBRARY_NAME);
    }

    private LibC() {
    }

    static native int socket(int domain, int type, int protocol) throws LastErrorException;

    static native int bind(int fd, byte[] address, int length) throws LastErrorException;

    static native long send(int fd, byte[] buf, long length, int flags) throws LastErrorException;

    static native long recv(int fd, byte[] buf, long length, int flags) throws LastErrorException;

    static native int setsockopt(int fd, int level, int name, byte[] value, int length) throws LastErrorException;

    static native int close(int fd) throws LastErrorException;

    static native String strerror(int errno);
}
