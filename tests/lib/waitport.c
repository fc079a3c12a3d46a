/*
 * waitport.c - wait until something accepts TCP connections on 127.0.0.1:PORT.
 *
 * Usage: mg-waitport PORT [TIMEOUT_SECONDS]
 * Exits 0 as soon as a connect() succeeds, 1 after the timeout (default 10 s).
 * Used by tests/lib/dovecot.sh to know a throwaway server is ready.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int try_connect(int port)
{
	struct sockaddr_in sa;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	int ok;

	if (fd < 0)
		return 0;
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ok = connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
	close(fd);
	return ok;
}

int main(int argc, char **argv)
{
	int port, timeout;
	struct timespec start, now, nap = { 0, 50 * 1000 * 1000 };

	if (argc < 2 || (port = atoi(argv[1])) < 1 || port > 65535) {
		fprintf(stderr, "usage: mg-waitport PORT [TIMEOUT_SECONDS]\n");
		return 2;
	}
	timeout = argc > 2 ? atoi(argv[2]) : 10;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		if (try_connect(port))
			return 0;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec >= timeout)
			break;
		nanosleep(&nap, NULL);
	}
	fprintf(stderr, "mg-waitport: nothing accepted connections on 127.0.0.1:%d within %d s\n",
	        port, timeout);
	return 1;
}
