/*
 * A light echo load generator for bench/run.sh: one thread, epoll, no runtime. It speaks PROTOCOL.md
 * (2-byte little-endian size with the header, 2-byte id, body), waits for each session's S_Welcome, keeps
 * `inflight` C_Echo requests outstanding per session, checks every reply byte for byte and in order, and
 * prints one RESULT line with the same keys as the Java generator. Being lighter than the servers it
 * drives (no JVM, one write per session per loop pass) is its reason to exist: a generator that takes as
 * much CPU as the server squeezes every ratio toward 1.
 *
 *   echo_gen --port N [--host 127.0.0.1] [--sessions 100] [--inflight 8] [--body 32]
 *            [--warmup 5] [--duration 10] [--server-pid PID]      (seconds)
 *            [--resume 1]  (PROTOCOL.md v3: C_ResumeEnable after the welcome, C_Ack after every 256 replies)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define ECHO 2
#define WELCOME 1
#define IN_CAP 16384
#define OUT_CAP 65536
#define HIST_MAX_US 2000000

typedef struct {
    int fd;
    int index;
    int welcomed;
    int alive;
    uint64_t sent, received, numbered;
    uint64_t *sent_at;
    unsigned char in[IN_CAP];
    int in_len;
    unsigned char out[OUT_CAP];
    int out_len;
    int want_write;
} session_t;

static int sessions_n = 100, inflight = 8, body = 32, port = 0;
static double warmup_s = 5, duration_s = 10;
static long server_pid = 0;
static int resume = 0;
static const char *host = "127.0.0.1";
static session_t *sessions;
static int ep;
static enum { CONNECTING, WARMUP, MEASURE, DRAIN } phase = CONNECTING;
static uint64_t echoes, mismatches, errors, unexpected_closes, protocol_errors;
static uint32_t *hist;
static uint64_t hist_max;

static uint64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t) t.tv_sec * 1000000000ull + t.tv_nsec;
}

static double own_cpu_s(void) {
    struct rusage r;
    getrusage(RUSAGE_SELF, &r);
    return r.ru_utime.tv_sec + r.ru_stime.tv_sec + (r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1e6;
}

static double server_cpu_s(void) {
    if (server_pid <= 0) return -1;
    char path[64], buf[4096];
    snprintf(path, sizeof path, "/proc/%ld/stat", server_pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char *p = strrchr(buf, ')');
    if (!p) return -1;
    unsigned long utime = 0, stime = 0;
    /* after ") ": state(3) ... utime is field 14, stime 15 */
    int field = 2;
    for (char *tok = strtok(p + 2, " "); tok; tok = strtok(NULL, " ")) {
        field++;
        if (field == 14) utime = strtoul(tok, NULL, 10);
        if (field == 15) { stime = strtoul(tok, NULL, 10); break; }
    }
    return (utime + stime) / (double) sysconf(_SC_CLK_TCK);
}

/* The body of request `seq` of session `s`: different for every session and sequence number. */
static void pattern(unsigned char *dst, int s, uint64_t seq) {
    uint64_t x = ((uint64_t) (s + 1) << 40) ^ (seq * 0x9E3779B97F4A7C15ull) ^ 0x5EED;
    for (int i = 0; i < body; i++) {
        if ((i & 7) == 0) { x ^= x << 13; x ^= x >> 7; x ^= x << 17; }
        dst[i] = (unsigned char) (x >> ((i & 7) << 3));
    }
}

static void arm(session_t *s) {
    struct epoll_event e = {.events = EPOLLIN | (s->want_write ? EPOLLOUT : 0), .data.ptr = s};
    epoll_ctl(ep, EPOLL_CTL_MOD, s->fd, &e);
}

static void lose(session_t *s, int unexpected) {
    if (!s->alive) return;
    s->alive = 0;
    if (unexpected) unexpected_closes++;
    epoll_ctl(ep, EPOLL_CTL_DEL, s->fd, NULL);
    close(s->fd);
}

static void queue_request(session_t *s, uint64_t t) {
    if (s->out_len + 4 + body > OUT_CAP) { errors++; return; }
    unsigned char *f = s->out + s->out_len;
    int size = 4 + body;
    f[0] = size & 0xff; f[1] = size >> 8; f[2] = ECHO; f[3] = 0;
    pattern(f + 4, s->index, s->sent);
    s->sent_at[s->sent % inflight] = t;
    s->sent++;
    s->out_len += size;
}

/* A session-layer frame: C_ResumeEnable (no body) or C_Ack (u64 count). */
static void queue_control(session_t *s, int id, int with_count, uint64_t count) {
    int size = with_count ? 12 : 4;
    if (s->out_len + size > OUT_CAP) { errors++; return; }
    unsigned char *f = s->out + s->out_len;
    f[0] = (unsigned char) size; f[1] = 0; f[2] = id & 0xff; f[3] = id >> 8;
    for (int i = 0; i < 8 && with_count; i++) f[4 + i] = (unsigned char) (count >> (8 * i));
    s->out_len += size;
}

static void flush(session_t *s) {
    int off = 0;
    while (off < s->out_len) {
        ssize_t w = write(s->fd, s->out + off, s->out_len - off);
        if (w < 0) {
            if (errno == EAGAIN) break;
            lose(s, 1);
            return;
        }
        off += (int) w;
    }
    memmove(s->out, s->out + off, s->out_len - off);
    s->out_len -= off;
    int want = s->out_len > 0;
    if (want != s->want_write) { s->want_write = want; arm(s); }
}

static void record(uint64_t rtt_ns) {
    uint64_t us = rtt_ns / 1000;
    if (us > hist_max) hist_max = us;
    hist[us < HIST_MAX_US ? us : HIST_MAX_US - 1]++;
}

static uint64_t percentile(double p) {
    uint64_t total = 0;
    for (int i = 0; i < HIST_MAX_US; i++) total += hist[i];
    uint64_t want = (uint64_t) (total * p / 100.0 + 0.5), seen = 0;
    if (want == 0) want = 1;
    for (int i = 0; i < HIST_MAX_US; i++) { seen += hist[i]; if (seen >= want) return i; }
    return hist_max;
}

/* Consumes the frames in s->in; returns 0 when the session was lost. */
static int on_frames(session_t *s, uint64_t t, int *dirty) {
    int off = 0;
    unsigned char expected[4096];
    while (s->in_len - off >= 4) {
        int size = s->in[off] | s->in[off + 1] << 8;
        int id = s->in[off + 2] | s->in[off + 3] << 8;
        if (size < 4 || size > IN_CAP) { protocol_errors++; lose(s, 1); return 0; }
        if (s->in_len - off < size) break;
        const unsigned char *b = s->in + off + 4;
        int len = size - 4;
        if (!s->welcomed) {
            if (id != WELCOME) { protocol_errors++; lose(s, 1); return 0; }
            s->welcomed = 1;
            if (resume) queue_control(s, 0xFF10, 0, 0);
            for (int i = 0; i < inflight; i++) queue_request(s, t);
            *dirty = 1;
        } else if (id == ECHO) {
            if (s->received >= s->sent) { mismatches++; }
            else {
                pattern(expected, s->index, s->received);
                if (len != body || memcmp(b, expected, body) != 0) mismatches++;
                uint64_t rtt = t - s->sent_at[s->received % inflight];
                s->received++;
                if (resume && ++s->numbered % 256 == 0) queue_control(s, 0xFF12, 1, s->numbered);
                if (phase == MEASURE) { echoes++; record(rtt); }
                if (phase == WARMUP || phase == MEASURE) { queue_request(s, t); *dirty = 1; }
            }
        }
        off += size;
    }
    memmove(s->in, s->in + off, s->in_len - off);
    s->in_len -= off;
    return 1;
}

static void on_readable(session_t *s, uint64_t t, int *dirty) {
    for (;;) {
        ssize_t r = read(s->fd, s->in + s->in_len, IN_CAP - s->in_len);
        if (r == 0) { lose(s, 1); return; }
        if (r < 0) { if (errno != EAGAIN) lose(s, 1); return; }
        s->in_len += (int) r;
        if (!on_frames(s, t, dirty)) return;
        if (r < IN_CAP - s->in_len) return; /* drained what was there */
    }
}

static int welcomed_count(void) {
    int n = 0;
    for (int i = 0; i < sessions_n; i++) n += sessions[i].welcomed && sessions[i].alive;
    return n;
}

int main(int argc, char **argv) {
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *k = argv[i], *v = argv[i + 1];
        if (!strcmp(k, "--port")) port = atoi(v);
        else if (!strcmp(k, "--host")) host = v;
        else if (!strcmp(k, "--sessions")) sessions_n = atoi(v);
        else if (!strcmp(k, "--inflight")) inflight = atoi(v);
        else if (!strcmp(k, "--body")) body = atoi(v);
        else if (!strcmp(k, "--warmup")) warmup_s = atof(v);
        else if (!strcmp(k, "--duration")) duration_s = atof(v);
        else if (!strcmp(k, "--server-pid")) server_pid = atol(v);
        else if (!strcmp(k, "--resume")) resume = atoi(v);
        else { fprintf(stderr, "unknown option %s\n", k); return 2; }
    }
    if (port <= 0 || body < 0 || body > 4092 || inflight < 1) { fprintf(stderr, "bad arguments\n"); return 2; }
    sessions = calloc(sessions_n, sizeof(session_t));
    hist = calloc(HIST_MAX_US, sizeof(uint32_t));
    ep = epoll_create1(0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, host, &addr.sin_addr);
    for (int i = 0; i < sessions_n; i++) {
        session_t *s = &sessions[i];
        s->index = i;
        s->sent_at = calloc(inflight, sizeof(uint64_t));
        s->fd = socket(AF_INET, SOCK_STREAM, 0);
        int one = 1;
        setsockopt(s->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (connect(s->fd, (struct sockaddr *) &addr, sizeof addr) != 0) {
            fprintf(stderr, "connect %d: %s\n", i, strerror(errno));
            errors++;
            close(s->fd);
            continue;
        }
        fcntl(s->fd, F_SETFL, fcntl(s->fd, F_GETFL) | O_NONBLOCK);
        s->alive = 1;
        struct epoll_event e = {.events = EPOLLIN, .data.ptr = s};
        epoll_ctl(ep, EPOLL_CTL_ADD, s->fd, &e);
    }
    struct epoll_event *events = calloc(1024, sizeof(struct epoll_event));
    session_t **dirty_list = calloc(sessions_n, sizeof(session_t *));
    char *dirty_mark = calloc(sessions_n, 1);
    uint64_t start = now_ns(), phase_end = start + 30ull * 1000000000ull;
    uint64_t window_start = 0, window_end = 0;
    double cpu_server0 = 0, cpu_own0 = 0, cpu_server = 0, cpu_own = 0;
    for (;;) {
        int n = epoll_wait(ep, events, 1024, 10);
        uint64_t t = now_ns();
        int ndirty = 0;
        for (int i = 0; i < n; i++) {
            session_t *s = events[i].data.ptr;
            if (!s->alive) continue;
            int dirty = 0;
            if (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) on_readable(s, t, &dirty);
            if (s->alive && (dirty || (events[i].events & EPOLLOUT)) && !dirty_mark[s->index]) {
                dirty_mark[s->index] = 1;
                dirty_list[ndirty++] = s;
            }
        }
        for (int i = 0; i < ndirty; i++) { /* one write per session per pass */
            dirty_mark[dirty_list[i]->index] = 0;
            if (dirty_list[i]->alive) flush(dirty_list[i]);
        }
        if (phase == CONNECTING) {
            if (welcomed_count() == sessions_n - (int) errors || t > phase_end) {
                fprintf(stderr, "[cgen] connected: welcomed=%d of %d\n", welcomed_count(), sessions_n);
                phase = WARMUP;
                phase_end = t + (uint64_t) (warmup_s * 1e9);
            }
        } else if (phase == WARMUP && t >= phase_end) {
            phase = MEASURE;
            fprintf(stderr, "[cgen] measuring\n"); /* a profiler can start its window here */
            window_start = t;
            cpu_server0 = server_cpu_s();
            cpu_own0 = own_cpu_s();
            phase_end = t + (uint64_t) (duration_s * 1e9);
        } else if (phase == MEASURE && t >= phase_end) {
            phase = DRAIN;
            window_end = t;
            cpu_server = server_cpu_s() - cpu_server0;
            cpu_own = own_cpu_s() - cpu_own0;
            phase_end = t + 2000000000ull;
        } else if (phase == DRAIN) {
            uint64_t outstanding = 0;
            for (int i = 0; i < sessions_n; i++)
                if (sessions[i].alive) outstanding += sessions[i].sent - sessions[i].received;
            if (outstanding == 0 || t >= phase_end) {
                int alive = 0;
                for (int i = 0; i < sessions_n; i++) alive += sessions[i].alive;
                double window = (window_end - window_start) / 1e9;
                printf("RESULT mode=echo sessions=%d inflight=%d body=%d connected=%d alive_at_end=%d window_s=%.2f "
                       "server_cpu_s=%.2f gen_cpu_s=%.2f echoes=%llu echoes_per_s=%.2f rtt_p50_us=%llu "
                       "rtt_p99_us=%llu rtt_max_us=%llu mismatches=%llu unanswered=%llu errors=%llu "
                       "unexpected_closes=%llu protocol_errors=%llu transport=c-epoll threads=1\n",
                       sessions_n, inflight, body, welcomed_count(), alive, window, cpu_server, cpu_own,
                       (unsigned long long) echoes, echoes / window, (unsigned long long) percentile(50),
                       (unsigned long long) percentile(99), (unsigned long long) hist_max,
                       (unsigned long long) mismatches, (unsigned long long) outstanding,
                       (unsigned long long) errors, (unsigned long long) unexpected_closes,
                       (unsigned long long) protocol_errors);
                return mismatches || errors || unexpected_closes || protocol_errors ? 1 : 0;
            }
        }
    }
}
