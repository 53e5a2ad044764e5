/*
 * relay.c — the smallest possible user-space TCP relay, in two variants, to answer one design question for
 * ftpgate's data path: on this machine, how much does splice(2) gain over read/write copies?
 *
 *   relay LPORT DST_IP DST_PORT splice|copy
 *
 * Listens on LPORT (all addresses), and for each connection (one process each) connects to DST_IP:DST_PORT and
 * pumps both directions on two threads: "copy" with read/write through a 256 KiB buffer (what socat and
 * ftpgate's relay do), "splice" through a 1 MiB pipe (socket -> pipe -> socket, no copy to user space). EOF is
 * passed on with shutdown(SHUT_WR). A benchmark probe only (bench/splice-probe.sh): no error handling beyond
 * ending the connection.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define COPY_BUFFER (256 * 1024)
#define PIPE_SIZE (1024 * 1024)

static int use_splice;

struct pump { int from, to; };

static void pump_splice(int from, int to) {
    int p[2];
    if (pipe(p) != 0) return;
    fcntl(p[0], F_SETPIPE_SZ, PIPE_SIZE);
    for (;;) {
        ssize_t n = splice(from, NULL, p[1], NULL, PIPE_SIZE, SPLICE_F_MOVE);
        if (n <= 0) break;
        while (n > 0) {
            ssize_t m = splice(p[0], NULL, to, NULL, (size_t) n, SPLICE_F_MOVE);
            if (m <= 0) goto done;
            n -= m;
        }
    }
done:
    close(p[0]);
    close(p[1]);
}

static void pump_copy(int from, int to) {
    char *buf = malloc(COPY_BUFFER);
    for (;;) {
        ssize_t n = read(from, buf, COPY_BUFFER);
        if (n <= 0) break;
        for (char *q = buf; n > 0;) {
            ssize_t m = write(to, q, (size_t) n);
            if (m <= 0) goto done;
            n -= m;
            q += m;
        }
    }
done:
    free(buf);
}

static void *run(void *arg) {
    struct pump *p = arg;
    if (use_splice) pump_splice(p->from, p->to); else pump_copy(p->from, p->to);
    shutdown(p->to, SHUT_WR);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: relay LPORT DST_IP DST_PORT splice|copy\n");
        return 2;
    }
    use_splice = strcmp(argv[4], "splice") == 0;
    int l = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[1]))};
    if (bind(l, (struct sockaddr *) &a, sizeof a) != 0 || listen(l, 16) != 0) {
        perror("listen");
        return 1;
    }
    for (;;) {
        int c = accept(l, NULL, NULL);
        if (c < 0) continue;
        if (fork() != 0) {
            close(c);
            continue;
        }
        int s = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in d = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[3]))};
        inet_pton(AF_INET, argv[2], &d.sin_addr);
        if (connect(s, (struct sockaddr *) &d, sizeof d) == 0) {
            struct pump up = {c, s}, down = {s, c};
            pthread_t t1, t2;
            pthread_create(&t1, NULL, run, &up);
            pthread_create(&t2, NULL, run, &down);
            pthread_join(t1, NULL);
            pthread_join(t2, NULL);
        }
        _exit(0);
    }
}
