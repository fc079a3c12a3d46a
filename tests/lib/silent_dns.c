/*
 * silent_dns.c - a DNS server that never answers, for tests of a name lookup
 * that hangs (tests/lib/hang_dns.sh runs it in a network namespace of its
 * own, with /etc/resolv.conf pointing at it).
 *
 * Usage: mg-silent-dns SECONDS READYFILE [QUERYFILE]
 * Brings the loopback interface up (a new network namespace starts with it
 * down), binds UDP and TCP port 53 on 127.0.0.1, creates READYFILE, then
 * reads every query and answers none; the first query creates QUERYFILE, so
 * a test knows a lookup is waiting.  Exits after SECONDS.  Port 53 needs
 * root, or a user namespace: it is meant for `unshare -n`, never for the
 * host's own network.
 */
#include "config.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_HELD 64

static int loopback_up(void)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return -1;
	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
	int rc = ioctl(fd, SIOCGIFFLAGS, &ifr);
	if (rc == 0 && !(ifr.ifr_flags & IFF_UP)) {
		ifr.ifr_flags |= IFF_UP;
		rc = ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	close(fd);
	return rc;
}

static int bound(int type)
{
	struct sockaddr_in sa;
	int one = 1, fd = socket(AF_INET, type, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons(53);
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || (type == SOCK_STREAM && listen(fd, 16) != 0)) {
		close(fd);
		return -1;
	}
	return fd;
}

static int touch(const char *path)
{
	FILE *f = fopen(path, "w");
	return f && fclose(f) == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
	int seconds, udp, tcp, held[MAX_HELD], nheld = 0, queried = 0;
	char buf[4096];
	time_t end;

	if (argc < 3 || (seconds = atoi(argv[1])) < 1) {
		fprintf(stderr, "usage: mg-silent-dns SECONDS READYFILE [QUERYFILE]\n");
		return 2;
	}
	if (loopback_up() != 0) {
		perror("mg-silent-dns: bringing lo up");
		return 1;
	}
	udp = bound(SOCK_DGRAM);
	tcp = bound(SOCK_STREAM);
	if (udp < 0 || tcp < 0) {
		perror("mg-silent-dns: binding 127.0.0.1 port 53");
		return 1;
	}
	if (touch(argv[2]) != 0) {
		perror("mg-silent-dns: ready file");
		return 1;
	}
	end = time(NULL) + seconds;
	for (;;) {
		struct pollfd p[2] = { { udp, POLLIN, 0 }, { tcp, POLLIN, 0 } };
		time_t now = time(NULL);
		int got = 0;

		if (now >= end)
			break;
		if (poll(p, 2, (int)(end - now) * 1000) <= 0)
			continue;
		if (p[0].revents & POLLIN)
			got = recv(udp, buf, sizeof buf, 0) > 0;   /* read, never answered */
		if (p[1].revents & POLLIN) {
			int fd = accept(tcp, NULL, NULL);
			if (fd >= 0 && nheld < MAX_HELD)
				held[nheld++] = fd;   /* held open, silent */
			else if (fd >= 0)
				close(fd);
			got = got || fd >= 0;
		}
		if (got && !queried && argc > 3) {
			queried = 1;
			touch(argv[3]);
		}
	}
	while (nheld > 0)
		close(held[--nheld]);
	close(udp);
	close(tcp);
	return 0;
}
