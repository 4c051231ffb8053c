// The kernel's share of the move benchmark's batched run (bench/run.sh move-floor): a C "server" that makes only
// the system calls that load needs (epoll, one read per arriving move, one write of a tick's S_Moves batch to
// each member per tick, all on one thread) and a C "client" that sends the moves and reads everything. The
// server's CPU over the window, per delivered entry, is the least any server can spend on this machine for it.
//   move_floor server PORT SESSIONS TICK_HZ WRITE_BYTES WARMUP_S MEASURE_S
//   move_floor client PORT SESSIONS MOVES_PER_S_EACH MOVE_BYTES SECONDS
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>
#include <time.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/resource.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }
static double cpu(double *u, double *s) { struct rusage r; getrusage(RUSAGE_SELF, &r);
  *u = r.ru_utime.tv_sec + r.ru_utime.tv_usec / 1e6; *s = r.ru_stime.tv_sec + r.ru_stime.tv_usec / 1e6; return *u + *s; }
static int timer(double period) { int t = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK); struct itimerspec its;
  its.it_interval.tv_sec = (time_t) period; its.it_interval.tv_nsec = (long) ((period - (time_t) period) * 1e9);
  its.it_value = its.it_interval; timerfd_settime(t, 0, &its, NULL); return t; }

int main(int argc, char **argv) {
  static char buf[65536];
  int port = atoi(argv[2]), n = atoi(argv[3]);
  int one = 1;
  int ep = epoll_create1(0);
  struct epoll_event ev, evs[1024];
  int *fds = calloc(n, sizeof(int));
  if (!strcmp(argv[1], "server")) {
    int hz = atoi(argv[4]), wbytes = atoi(argv[5]); double warm = atof(argv[6]), meas = atof(argv[7]);
    int l = socket(AF_INET, SOCK_STREAM, 0); setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    if (bind(l, (void *) &a, sizeof a) || listen(l, 4096)) { perror("listen"); return 1; }
    printf("LISTENING\n"); fflush(stdout);
    for (int i = 0; i < n; i++) { fds[i] = accept(l, NULL, NULL); setsockopt(fds[i], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      ev.events = EPOLLIN; ev.data.u32 = i; epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev); }
    memset(buf, 7, sizeof buf);
    int t = timer(1.0 / hz); ev.events = EPOLLIN; ev.data.u32 = 0xffffffff; epoll_ctl(ep, EPOLL_CTL_ADD, t, &ev);
    double start = now(), u0 = 0, s0 = 0, u1, s1; long writes = 0, reads = 0, waits = 0, w0 = 0, r0 = 0, e0 = 0; int measuring = 0;
    while (1) {
      double at = now() - start;
      if (!measuring && at >= warm) { cpu(&u0, &s0); w0 = writes; r0 = reads; e0 = waits; measuring = 1; }
      if (measuring && at >= warm + meas) break;
      int k = epoll_wait(ep, evs, 1024, 100); waits++;
      for (int j = 0; j < k; j++) {
        if (evs[j].data.u32 == 0xffffffff) { uint64_t x; read(t, &x, sizeof x);
          for (int i = 0; i < n; i++) { if (write(fds[i], buf, wbytes) > 0) writes++; } continue; }
        if (read(fds[evs[j].data.u32], buf + 4096, 60000) > 0) reads++;
      }
    }
    cpu(&u1, &s1);
    printf("RESULT writes_per_s=%.0f reads_per_s=%.0f epoll_waits_per_s=%.0f cpu_user=%.3f cpu_sys=%.3f cpu_core=%.3f us_per_write_all_in=%.2f\n",
      (writes - w0) / meas, (reads - r0) / meas, (waits - e0) / meas, (u1 - u0) / meas, (s1 - s0) / meas, (u1 - u0 + s1 - s0) / meas,
      (u1 - u0 + s1 - s0) * 1e6 / (writes - w0));
    return 0;
  }
  int rate = atoi(argv[4]), mbytes = atoi(argv[5]); double secs = atof(argv[6]);
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
  for (int i = 0; i < n; i++) { fds[i] = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(fds[i], (void *) &a, sizeof a)) { perror("connect"); return 1; }
    setsockopt(fds[i], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one); ev.events = EPOLLIN; ev.data.u32 = i; epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev); }
  int t = timer(0.001); ev.events = EPOLLIN; ev.data.u32 = 0xffffffff; epoll_ctl(ep, EPOLL_CTL_ADD, t, &ev);
  double per_ms = (double) n * rate / 1000, due = 0; int next = 0; double start = now(); char move[64]; memset(move, 1, sizeof move);
  while (now() - start < secs) {
    int k = epoll_wait(ep, evs, 1024, 100);
    for (int j = 0; j < k; j++) {
      if (evs[j].data.u32 == 0xffffffff) { uint64_t x; read(t, &x, sizeof x); due += per_ms * x;
        while (due >= 1) { write(fds[next], move, mbytes); next = (next + 1) % n; due -= 1; } continue; }
      read(fds[evs[j].data.u32], buf, sizeof buf);
    }
  }
  return 0;
}
