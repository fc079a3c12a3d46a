/*
 * freeport.c - print free TCP ports on 127.0.0.1 for throwaway test servers.
 *
 * Usage: mg-freeport [COUNT]
 * Prints COUNT (default 1) distinct ports, one per line, each checked free by
 * binding it (without SO_REUSEADDR, so ports in TIME_WAIT are avoided too).
 * Ports come from 20000-32767: high, and below Linux's ephemeral range so an
 * outgoing connection cannot take them between this check and the server's
 * bind.  The start point is random, so parallel tests rarely collide; the
 * harness retries with new ports when a server still fails to bind.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define PORT_LO 20000
#define PORT_HI 32767

static int port_is_free(int port)
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
	ok = bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
	close(fd);
	return ok;
}

static unsigned random_seed(void)
{
	unsigned seed = 0;
	FILE *f = fopen("/dev/urandom", "rb");
	struct timeval tv;

	if (f) {
		if (fread(&seed, sizeof seed, 1, f) != 1)
			seed = 0;
		fclose(f);
	}
	gettimeofday(&tv, NULL);
	return seed ^ (unsigned)getpid() ^ (unsigned)tv.tv_usec;
}

int main(int argc, char **argv)
{
	int count = argc > 1 ? atoi(argv[1]) : 1;
	int range = PORT_HI - PORT_LO + 1;
	int found = 0, tries, port;
	unsigned seed = random_seed();

	if (count < 1 || count > 100) {
		fprintf(stderr, "usage: mg-freeport [COUNT 1..100]\n");
		return 2;
	}
	srand(seed);
	port = PORT_LO + (int)(seed % (unsigned)range);
	for (tries = 0; tries < range && found < count; tries++) {
		/* step by a random odd stride so consecutive runs spread out */
		port = PORT_LO + (port - PORT_LO + 1 + rand() % 64) % range;
		if (port_is_free(port)) {
			printf("%d\n", port);
			found++;
		}
	}
	if (found < count) {
		fprintf(stderr, "mg-freeport: only %d free ports found in %d-%d\n",
		        found, PORT_LO, PORT_HI);
		return 1;
	}
	return 0;
}
