/*
 * imapcat.c - a minimal plain-TCP line client for tests: talk IMAP (or any
 * line protocol) to 127.0.0.1:PORT without TLS.
 *
 * Usage: mg-imapcat PORT [TIMEOUT_SECONDS]
 * Sends stdin to the server, turning each LF into CRLF, and copies everything
 * the server says to stdout, until the server closes the connection or the
 * timeout (default 20 s) passes.  Stdin is sent at once (IMAP servers accept
 * pipelined commands); end it with a LOGOUT so the server closes.
 * Exit status: 0 when the server closed the connection, 1 on errors or timeout.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa;
	int port, timeout, fd, in_open = 1;
	time_t end;
	char buf[65536], out[2 * sizeof buf];

	if (argc < 2 || (port = atoi(argv[1])) < 1 || port > 65535) {
		fprintf(stderr, "usage: mg-imapcat PORT [TIMEOUT_SECONDS]\n");
		return 2;
	}
	timeout = argc > 2 ? atoi(argv[2]) : 20;
	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		fprintf(stderr, "mg-imapcat: cannot connect to 127.0.0.1:%d: %s\n", port, strerror(errno));
		return 1;
	}
	end = time(NULL) + timeout;
	for (;;) {
		struct pollfd p[2] = { { fd, POLLIN, 0 }, { 0, POLLIN, 0 } };
		time_t now = time(NULL);
		int n;

		if (now >= end) {
			fprintf(stderr, "mg-imapcat: timeout after %d s\n", timeout);
			return 1;
		}
		n = poll(p, in_open ? 2 : 1, (int)(end - now) * 1000);
		if (n < 0 && errno != EINTR)
			return 1;
		if (n <= 0)
			continue;
		if (p[0].revents) {
			ssize_t r = read(fd, buf, sizeof buf);
			if (r <= 0)
				return r == 0 ? 0 : 1;
			if (write_all(1, buf, (size_t)r) != 0)
				return 1;
		}
		if (in_open && p[1].revents) {
			ssize_t r = read(0, buf, sizeof buf);
			size_t o = 0;
			if (r <= 0) {
				in_open = 0;   /* keep reading until the server closes */
				continue;
			}
			for (ssize_t i = 0; i < r; i++) {
				if (buf[i] == '\n' && (i == 0 || buf[i - 1] != '\r'))
					out[o++] = '\r';
				out[o++] = buf[i];
			}
			if (write_all(fd, out, o) != 0)
				return 1;
		}
	}
}
