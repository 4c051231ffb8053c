/*
 * The floor of the echo benchmarks: the least a correct PROTOCOL.md echo server must do on this kernel. One
 * thread, epoll (level-triggered), non-blocking sockets. It sends S_Welcome on accept, and for each read: parses
 * the whole frames it holds (a split frame waits for its rest, a frame of a size outside 4..4096 closes the
 * connection), and writes the whole frames back in one write. Nothing else: no timers, no metrics, no budgets. A
 * write that the socket does not take whole waits in the connection's buffer for EPOLLOUT, and reading that
 * connection stops until it has drained (the server never holds more than one read's worth per connection).
 *
 *   echo_floor [--port 0]      prints "LISTENING <port>" once bound; SIGTERM ends it
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define HEADER 4
#define MAX_FRAME 4096
#define READ_CAP 65536

typedef struct {
    int fd;
    unsigned char in[READ_CAP + MAX_FRAME];
    int in_len;
    unsigned char out[READ_CAP + MAX_FRAME];
    int out_len, out_off;
} conn_t;

static volatile sig_atomic_t stopping;
static int ep;

static void on_term(int sig) {
    (void) sig;
    stopping = 1;
}

static void close_conn(conn_t *c) {
    epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    free(c);
}

static void watch(conn_t *c, uint32_t events, int op) {
    struct epoll_event ev = {.events = events, .data.ptr = c};
    epoll_ctl(ep, op, c->fd, &ev);
}

/* Writes what is pending; 0 when all of it went, 1 when the rest waits for EPOLLOUT, -1 on an error. */
static int flush(conn_t *c) {
    while (c->out_off < c->out_len) {
        ssize_t n = write(c->fd, c->out + c->out_off, (size_t) (c->out_len - c->out_off));
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) return 1;
            if (errno == EINTR) continue;
            return -1;
        }
        c->out_off += (int) n;
    }
    c->out_len = c->out_off = 0;
    return 0;
}

/* One read: every whole frame read is echoed in one write; -1 when the connection is to be closed. */
static int on_readable(conn_t *c) {
    ssize_t n = read(c->fd, c->in + c->in_len, READ_CAP);
    if (n == 0) return -1;
    if (n < 0) return (errno == EAGAIN || errno == EINTR) ? 0 : -1;
    c->in_len += (int) n;
    int at = 0;
    while (c->in_len - at >= HEADER) {
        int size = c->in[at] | (c->in[at + 1] << 8);
        if (size < HEADER || size > MAX_FRAME) return -1;
        if (c->in_len - at < size) break;
        at += size;
    }
    memcpy(c->out, c->in, (size_t) at); /* the frames as they came: an echo answers with the same bytes */
    c->out_len = at;
    memmove(c->in, c->in + at, (size_t) (c->in_len - at));
    c->in_len -= at;
    int flushed = flush(c);
    if (flushed < 0) return -1;
    if (flushed > 0) watch(c, EPOLLOUT, EPOLL_CTL_MOD); /* stop reading until the reply is out */
    return 0;
}

static void on_accept(int listener) {
    static const char text[] = "Welcome to MMORPG Server!";
    for (;;) {
        int fd = accept4(listener, NULL, NULL, SOCK_NONBLOCK);
        if (fd < 0) return;
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        conn_t *c = calloc(1, sizeof *c);
        c->fd = fd;
        int size = HEADER + (int) strlen(text);
        unsigned char *w = c->out;
        w[0] = (unsigned char) size; w[1] = (unsigned char) (size >> 8); w[2] = 1; w[3] = 0;
        memcpy(w + HEADER, text, strlen(text));
        c->out_len = size;
        int flushed = flush(c);
        if (flushed < 0) { close(fd); free(c); continue; }
        watch(c, flushed > 0 ? EPOLLOUT : EPOLLIN, EPOLL_CTL_ADD);
    }
}

int main(int argc, char **argv) {
    int port = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--port")) port = atoi(argv[i + 1]);
    }
    signal(SIGPIPE, SIG_IGN);
    struct sigaction term = {.sa_handler = on_term};
    sigaction(SIGTERM, &term, NULL);

    int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t) port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(listener, (struct sockaddr *) &addr, sizeof addr) || listen(listener, 4096)) {
        perror("echo_floor: bind/listen");
        return 1;
    }
    socklen_t len = sizeof addr;
    getsockname(listener, (struct sockaddr *) &addr, &len);
    printf("LISTENING %d\n", ntohs(addr.sin_port));
    fflush(stdout);

    ep = epoll_create1(0);
    struct epoll_event lev = {.events = EPOLLIN, .data.ptr = NULL};
    epoll_ctl(ep, EPOLL_CTL_ADD, listener, &lev);
    struct epoll_event events[512];
    while (!stopping) {
        int n = epoll_wait(ep, events, 512, -1);
        for (int i = 0; i < n; i++) {
            conn_t *c = events[i].data.ptr;
            if (c == NULL) {
                on_accept(listener);
            } else if (events[i].events & EPOLLOUT) {
                int flushed = flush(c);
                if (flushed < 0) close_conn(c);
                else if (flushed == 0) watch(c, EPOLLIN, EPOLL_CTL_MOD);
            } else if (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
                if (on_readable(c) < 0) close_conn(c);
            }
        }
    }
    return 0;
}
