/*
 * cutproxy.c - a fault-injecting TCP relay for tests: it forwards
 * 127.0.0.1:LISTEN to 127.0.0.1:CONNECT and cuts the first N connections at
 * a random point of the server-to-client stream (a close or a reset, chosen
 * at random), then relays the later connections untouched.  The cut point of
 * connection i is drawn from SEED and i, so a run can be repeated; a quarter
 * of the cuts fall in the first 4 KiB (greeting, TLS handshake, login), the
 * rest anywhere in the first MAX bytes.  Each cut is printed to stderr.
 *
 * usage: mg-cutproxy -l LISTEN_PORT -c CONNECT_PORT -n CUTS -m MAX_BYTES -s SEED
 * Only 127.0.0.1.  Runs until killed; one child process per connection.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static int dial(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
		perror("cutproxy: connect");
		exit(1);
	}
	return fd;
}

static void hard_close(int fd, int reset)
{
	if (reset) {
		struct linger l = { 1, 0 };   /* close with RST */
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
	}
	close(fd);
}

/* relay until either side ends; cut after `cut` server bytes (0 = never) */
static void relay(int cl, int port, unsigned long long cut, int reset)
{
	int sv = dial(port);
	unsigned long long down = 0;
	char buf[16384];
	struct pollfd p[2] = { { cl, POLLIN, 0 }, { sv, POLLIN, 0 } };
	for (;;) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[0].revents) {
			ssize_t n = read(cl, buf, sizeof buf);
			if (n <= 0 || write(sv, buf, (size_t)n) != n)
				break;
		}
		if (p[1].revents) {
			ssize_t n = read(sv, buf, sizeof buf);
			if (n <= 0)
				break;
			size_t give = (size_t)n;
			if (cut && down + give >= cut)
				give = (size_t)(cut - down);
			if (give && write(cl, buf, give) != (ssize_t)give)
				break;
			down += give;
			if (cut && down >= cut) {
				fprintf(stderr, "cutproxy: cut after %llu bytes (%s)\n", down, reset ? "reset" : "close");
				hard_close(cl, reset);
				close(sv);
				_exit(0);
			}
		}
	}
	close(cl);
	close(sv);
	_exit(0);
}

int main(int argc, char **argv)
{
	int lport = 0, cport = 0, cuts = 0, opt;
	unsigned long long max = 1 << 20, seed = 1;
	while ((opt = getopt(argc, argv, "l:c:n:m:s:")) != -1) {
		switch (opt) {
		case 'l': lport = atoi(optarg); break;
		case 'c': cport = atoi(optarg); break;
		case 'n': cuts = atoi(optarg); break;
		case 'm': max = strtoull(optarg, NULL, 10); break;
		case 's': seed = strtoull(optarg, NULL, 10); break;
		default: goto usage;
		}
	}
	if (!lport || !cport || max < 16) {
	usage:
		fprintf(stderr, "usage: mg-cutproxy -l LISTEN_PORT -c CONNECT_PORT -n CUTS -m MAX_BYTES -s SEED\n");
		return 2;
	}
	signal(SIGCHLD, SIG_IGN);   /* children reap themselves */
	signal(SIGPIPE, SIG_IGN);
	int ls = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)lport) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(ls, (struct sockaddr *)&a, sizeof a) < 0 || listen(ls, 64) < 0) {
		perror("cutproxy: listen");
		return 1;
	}
	for (int i = 0;; i++) {
		int cl = accept(ls, NULL, NULL);
		if (cl < 0) {
			if (errno == EINTR) {
				i--;
				continue;
			}
			perror("cutproxy: accept");
			return 1;
		}
		uint64_t r = mix(seed * 1000003ULL + (uint64_t)i);
		unsigned long long cut = 0;
		int reset = (int)(r >> 60) & 1;
		if (i < cuts)
			cut = 1 + ((r & 3) == 0 ? (r >> 8) % 4096 : (r >> 8) % max);
		pid_t pid = fork();
		if (pid == 0) {
			close(ls);
			relay(cl, cport, cut, reset);
		}
		close(cl);
	}
}
