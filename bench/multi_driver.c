/*
 * The MULTI/EXEC load of bench/multi.ts: multi_driver PORT TOTAL [CONNECTIONS] opens the
 * connections (50 by default, at most 64), keeps one transaction (MULTI, 10 SETs of 16-byte
 * values to keys of its own, EXEC) in flight on each until TOTAL are answered, counting reply
 * bytes only (150 per transaction on Redis and miniredis alike), and prints transactions per
 * second. One thread, poll(2): it costs the machine little beside the server it measures.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
int main(int argc, char **argv) {
  int port = atoi(argv[1]); long total = atol(argv[2]); int conns = argc > 3 ? atoi(argv[3]) : 50;
  if (conns < 1 || conns > 64) conns = 50;
  char req[64][1024]; int reqlen[64]; int expect = 5 + 10 * 9 + 5 + 10 * 5;
  struct pollfd fds[256]; long done[256]; int got[256];
  for (int c = 0; c < conns; c++) {
    int n = sprintf(req[c], "*1\r\n$5\r\nMULTI\r\n");
    for (int i = 0; i < 10; i++) {
      char key[32]; int kl = sprintf(key, "key:%d:%d", c, i);
      n += sprintf(req[c] + n, "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$16\r\nxxxxxxxxxxxxxxxx\r\n", kl, key);
    }
    n += sprintf(req[c] + n, "*1\r\n$4\r\nEXEC\r\n");
    reqlen[c] = n;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0}; a.sin_family = AF_INET; a.sin_port = htons(port); a.sin_addr.s_addr = htonl(0x7f000001);
    if (connect(fd, (void *)&a, sizeof a) < 0) { perror("connect"); return 1; }
    int one = 1; setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fds[c].fd = fd; fds[c].events = POLLIN; done[c] = 0; got[c] = 0;
  }
  long per = total / conns;
  struct timespec t0, t1; clock_gettime(CLOCK_MONOTONIC, &t0);
  for (int c = 0; c < conns; c++) write(fds[c].fd, req[c], reqlen[c]);
  int active = conns; char buf[65536];
  while (active > 0) {
    poll(fds, conns, -1);
    for (int c = 0; c < conns; c++) {
      if (!(fds[c].revents & POLLIN)) continue;
      int n = read(fds[c].fd, buf, sizeof buf);
      if (n <= 0) { fprintf(stderr, "closed\n"); return 1; }
      got[c] += n;
      while (got[c] >= expect) {
        got[c] -= expect; done[c]++;
        if (done[c] < per) write(fds[c].fd, req[c], reqlen[c]);
        else { fds[c].events = 0; active--; }
      }
    }
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double s = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
  printf("%.0f\n", per * conns / s);
  return 0;
}
