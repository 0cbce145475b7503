/*
 * The MULTI/EXEC load of bench/multi.ts.
 *
 *   multi_driver PORT TOTAL [CONNECTIONS [PIPELINE]]
 *
 * Opens CONNECTIONS connections (50 by default, at most 64) and keeps PIPELINE transactions
 * (1 by default, at most 16) in flight on each, every transaction being MULTI, 10 SETs of
 * 16-byte values to keys of the connection's own, and EXEC, until TOTAL transactions are
 * answered; prints transactions per second. It counts reply bytes only (150 per transaction,
 * on Redis and miniredis alike). One thread and poll(2): it costs the machine little beside the
 * server it measures.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS 64
#define MAX_PIPELINE 16
#define REPLY_BYTES (5 + 10 * 9 + 5 + 10 * 5)

/* A transaction is at most 15 + 10 * 52 + 14 bytes (keys up to "key:63:9"). */
static char request[MAX_CONNS][MAX_PIPELINE * 1024];
static int request_length[MAX_CONNS];

/* Writes all of buf (the socket is blocking). */
static int write_all(int fd, const char *buf, int length) {
  while (length > 0) {
    ssize_t n = write(fd, buf, length);
    if (n <= 0) return -1;
    buf += n;
    length -= n;
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: multi_driver PORT TOTAL [CONNECTIONS [PIPELINE]]\n");
    return 2;
  }
  int port = atoi(argv[1]);
  long total = atol(argv[2]);
  int conns = argc > 3 ? atoi(argv[3]) : 50;
  int pipeline = argc > 4 ? atoi(argv[4]) : 1;
  if (conns < 1 || conns > MAX_CONNS) conns = 50;
  if (pipeline < 1 || pipeline > MAX_PIPELINE) pipeline = 1;
  long rounds = total / conns / pipeline;
  if (rounds < 1) rounds = 1;

  struct pollfd fds[MAX_CONNS];
  long done[MAX_CONNS];
  long got[MAX_CONNS];
  for (int c = 0; c < conns; c++) {
    int n = 0;
    for (int p = 0; p < pipeline; p++) {
      n += sprintf(request[c] + n, "*1\r\n$5\r\nMULTI\r\n");
      for (int i = 0; i < 10; i++) {
        char key[32];
        int key_length = sprintf(key, "key:%d:%d", c, i);
        n += sprintf(request[c] + n, "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$16\r\nxxxxxxxxxxxxxxxx\r\n",
                     key_length, key);
      }
      n += sprintf(request[c] + n, "*1\r\n$4\r\nEXEC\r\n");
    }
    request_length[c] = n;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in address = {0};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(0x7f000001);
    if (fd < 0 || connect(fd, (struct sockaddr *)&address, sizeof address) < 0) {
      perror("multi_driver: connect");
      return 1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fds[c].fd = fd;
    fds[c].events = POLLIN;
    done[c] = 0;
    got[c] = 0;
  }

  struct timespec start, end;
  clock_gettime(CLOCK_MONOTONIC, &start);
  for (int c = 0; c < conns; c++) {
    if (write_all(fds[c].fd, request[c], request_length[c]) < 0) return 1;
  }
  int active = conns;
  static char buffer[1 << 16];
  long expect = (long)REPLY_BYTES * pipeline;
  while (active > 0) {
    if (poll(fds, conns, -1) < 0) {
      perror("multi_driver: poll");
      return 1;
    }
    for (int c = 0; c < conns; c++) {
      if (!(fds[c].revents & POLLIN)) continue;
      ssize_t n = read(fds[c].fd, buffer, sizeof buffer);
      if (n <= 0) {
        fprintf(stderr, "multi_driver: the server closed a connection\n");
        return 1;
      }
      got[c] += n;
      while (got[c] >= expect) {
        got[c] -= expect;
        if (++done[c] < rounds) {
          if (write_all(fds[c].fd, request[c], request_length[c]) < 0) return 1;
        } else {
          fds[c].events = 0;
          active--;
        }
      }
    }
  }
  clock_gettime(CLOCK_MONOTONIC, &end);
  double seconds = (end.tv_sec - start.tv_sec) + (end.tv_nsec - start.tv_nsec) / 1e9;
  printf("%.0f\n", (double)rounds * conns * pipeline / seconds);
  return 0;
}
