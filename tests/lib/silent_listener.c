/*
 * silent_listener.c - a TCP server that accepts connections and never says a
 * word, for timeout tests (a "server" that hangs before its IMAP greeting).
 *
 * Usage: mg-silent-listener SECONDS [PORTFILE]
 * Listens on 127.0.0.1 on a kernel-chosen free port, prints the port number
 * on stdout (and writes it to PORTFILE if given, atomically), then accepts
 * every connection and holds it open without sending anything.  Exits after
 * SECONDS (so a forgotten listener cannot outlive its test for long).
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_HELD 256

static int write_portfile(const char *path, int port)
{
	char tmp[4096];
	FILE *f;

	if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
		return -1;
	f = fopen(tmp, "w");
	if (!f)
		return -1;
	fprintf(f, "%d\n", port);
	if (fclose(f) != 0)
		return -1;
	return rename(tmp, path);
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa;
	socklen_t salen = sizeof sa;
	int lfd, held[MAX_HELD], nheld = 0, seconds, i;
	time_t end;

	if (argc < 2 || (seconds = atoi(argv[1])) < 1) {
		fprintf(stderr, "usage: mg-silent-listener SECONDS [PORTFILE]\n");
		return 2;
	}
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0) {
		perror("mg-silent-listener: socket");
		return 1;
	}
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = 0;
	if (bind(lfd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(lfd, 64) != 0 ||
	    getsockname(lfd, (struct sockaddr *)&sa, &salen) != 0) {
		perror("mg-silent-listener: bind/listen");
		return 1;
	}
	printf("%d\n", ntohs(sa.sin_port));
	fflush(stdout);
	if (argc > 2 && write_portfile(argv[2], ntohs(sa.sin_port)) != 0) {
		perror("mg-silent-listener: port file");
		return 1;
	}
	end = time(NULL) + seconds;
	for (;;) {
		struct pollfd p = { lfd, POLLIN, 0 };
		time_t now = time(NULL);
		int fd;

		if (now >= end)
			break;
		if (poll(&p, 1, (int)(end - now) * 1000) <= 0)
			continue;
		fd = accept(lfd, NULL, NULL);
		if (fd < 0)
			continue;
		if (nheld < MAX_HELD)
			held[nheld++] = fd;   /* keep it open, say nothing */
		else
			close(fd);
	}
	for (i = 0; i < nheld; i++)
		close(held[i]);
	close(lfd);
	return 0;
}
