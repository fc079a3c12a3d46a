/*
 * delayproxy.c - a TCP relay on 127.0.0.1 that adds a fixed one-way delay to
 * every byte in both directions, to measure how a client copes with network
 * latency (RTT = 2 x delay) where tc netem is not available.
 *
 * Each chunk read from one side is written to the other side no earlier than
 * DELAY ms after it was read.  At most WINDOW bytes per direction are held
 * (then the relay stops reading that side, like a full TCP window), so
 * bandwidth is not limited by the proxy below WINDOW / DELAY.
 *
 * -e HOLD_MS models a server still busy with a dead client's commands: when
 * the client's end goes away (EOF, reset), what it had already sent reaches
 * the server HOLD ms later than the normal delay, and only then does the
 * server see the end of the connection; what the server answers meanwhile is
 * read and dropped.  So an APPEND whose client was killed is stored by the
 * server seconds after the client died, as a loaded server or a proxy in
 * front of it can do (tests/integration/sync_crash_slow.sh uses this).
 *
 * usage: delayproxy -l LISTEN_PORT -c CONNECT_PORT -d DELAY_MS [-w WINDOW_BYTES] [-e HOLD_MS]
 * Only 127.0.0.1.  Runs until killed.  Part of bench/ (not the migsh binary);
 * also built by make check for the slow-target crash test.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAXCONN 512
#define CHUNK (64 * 1024)

struct chunk { struct chunk *next; double due; size_t len, off; int eof; char data[]; };
struct dir { int from, to; struct chunk *head, *tail; size_t held; int rd_eof, done; };
struct conn { int used, client_gone; struct dir d[2]; };

static struct conn conns[MAXCONN];
static double delay_s;
static double hold_s;   /* -e: extra delay of a dead client's last bytes */
static size_t window = 8u << 20;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void nonblock(int fd)
{
	int one = 1;
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

static void push(struct dir *d, struct chunk *c)
{
	c->next = NULL;
	if (d->tail) d->tail->next = c; else d->head = c;
	d->tail = c;
	d->held += c->len;
}

static void conn_close(struct conn *c)
{
	for (int i = 0; i < 2; i++) {
		struct chunk *k = c->d[i].head;
		while (k) { struct chunk *n = k->next; free(k); k = n; }
	}
	close(c->d[0].from);
	close(c->d[0].to);
	memset(c, 0, sizeof *c);
}

/* Read what is available on d->from into a delayed chunk. 0 ok, -1 error. */
static int do_read(struct dir *d, double t)
{
	struct chunk *c = malloc(sizeof *c + CHUNK);
	ssize_t n;
	if (!c) return -1;
	n = read(d->from, c->data, CHUNK);
	if (n < 0) { free(c); return (errno == EAGAIN || errno == EINTR) ? 0 : -1; }
	c->len = (size_t)n; c->off = 0; c->due = t + delay_s; c->eof = (n == 0);
	if (n == 0) d->rd_eof = 1;
	push(d, c);
	return 0;
}

/* Write due chunks to d->to. 0 ok, -1 error. */
static int do_write(struct dir *d, double t)
{
	while (d->head && d->head->due <= t) {
		struct chunk *c = d->head;
		if (c->eof) {
			shutdown(d->to, SHUT_WR);
			d->done = 1;
		} else {
			ssize_t n = write(d->to, c->data + c->off, c->len - c->off);
			if (n < 0) return (errno == EAGAIN || errno == EINTR) ? 0 : -1;
			c->off += (size_t)n;
			d->held -= (size_t)n;
			if (c->off < c->len) return 0;
		}
		d->head = c->next;
		if (!d->head) d->tail = NULL;
		free(c);
	}
	return 0;
}

/* -e: the client's end is gone: deliver what it sent HOLD later, then EOF;
 * drop the server's answers from now on. */
static void client_gone(struct conn *c, double t)
{
	struct dir *up = &c->d[0], *down = &c->d[1];
	struct chunk *e = malloc(sizeof *e);
	if (c->client_gone) return;
	c->client_gone = 1;
	for (struct chunk *k = up->head; k; k = k->next) k->due += hold_s;
	up->rd_eof = 1;
	if (up->tail && up->tail->eof) {
		free(e);        /* the EOF chunk is queued already (it got the hold too) */
	} else if (e) {
		memset(e, 0, sizeof *e);
		e->eof = 1;
		e->due = t + delay_s + hold_s;
		push(up, e);
	}
	while (down->head) { struct chunk *n = down->head->next; free(down->head); down->head = n; }
	down->tail = NULL;
	down->held = 0;
}

/* -e, client gone: read and drop what the server sends until its EOF. */
static int drain_server(struct conn *c)
{
	char buf[CHUNK];
	ssize_t n = read(c->d[1].from, buf, sizeof buf);
	if (n < 0) return (errno == EAGAIN || errno == EINTR) ? 0 : -1;
	if (n == 0) { c->d[1].rd_eof = 1; c->d[1].done = 1; }
	return 0;
}

int main(int argc, char **argv)
{
	int lport = 0, cport = 0, opt, lfd, one = 1;
	struct sockaddr_in a;
	static struct pollfd pfd[1 + 2 * MAXCONN];
	static int pmap[1 + 2 * MAXCONN];

	while ((opt = getopt(argc, argv, "l:c:d:w:e:")) != -1) {
		switch (opt) {
		case 'l': lport = atoi(optarg); break;
		case 'c': cport = atoi(optarg); break;
		case 'd': delay_s = atof(optarg) / 1000.0; break;
		case 'w': window = (size_t)atoll(optarg); break;
		case 'e': hold_s = atof(optarg) / 1000.0; break;
		default: goto usage;
		}
	}
	if (lport < 1024 || cport < 1024) {
usage:
		fprintf(stderr, "usage: delayproxy -l LISTEN_PORT -c CONNECT_PORT -d DELAY_MS [-w WINDOW_BYTES] [-e HOLD_MS] (ports >= 1024)\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((unsigned short)lport);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof a) != 0 || listen(lfd, 128) != 0) {
		perror("delayproxy: listen");
		return 1;
	}
	for (;;) {
		double t = now(), next = -1;
		int np = 0, timeout_ms;
		pfd[np].fd = lfd; pfd[np].events = POLLIN; pmap[np++] = -1;
		for (int i = 0; i < MAXCONN; i++) {
			struct conn *c = &conns[i];
			if (!c->used) continue;
			for (int k = 0; k < 2; k++) {
				struct dir *d = &c->d[k];
				short ev = 0;
				if (!d->rd_eof && d->held < window) ev |= POLLIN;
				if (d->head && d->head->due <= t) ev |= POLLOUT;
				else if (d->head && (next < 0 || d->head->due < next)) next = d->head->due;
				/* one pollfd per direction: read side events on from, write on to */
				pfd[np].fd = (ev & POLLIN) ? d->from : -1; pfd[np].events = POLLIN; pmap[np++] = i * 2 + k;
				pfd[np].fd = (ev & POLLOUT) ? d->to : -1; pfd[np].events = POLLOUT; pmap[np++] = i * 2 + k;
			}
		}
		timeout_ms = next < 0 ? 1000 : (int)((next - t) * 1000.0 + 0.999);
		if (timeout_ms < 0) timeout_ms = 0;
		if (poll(pfd, (nfds_t)np, timeout_ms) < 0 && errno != EINTR) { perror("poll"); return 1; }
		t = now();
		if (pfd[0].revents & POLLIN) {
			int cfd = accept(lfd, NULL, NULL);
			if (cfd >= 0) {
				int sfd = socket(AF_INET, SOCK_STREAM, 0), slot = -1;
				struct sockaddr_in b = a;
				b.sin_port = htons((unsigned short)cport);
				for (int i = 0; i < MAXCONN; i++) if (!conns[i].used) { slot = i; break; }
				if (slot < 0 || sfd < 0 || connect(sfd, (struct sockaddr *)&b, sizeof b) != 0) {
					close(cfd);
					if (sfd >= 0) close(sfd);
				} else {
					nonblock(cfd); nonblock(sfd);
					conns[slot].used = 1;
					conns[slot].d[0].from = cfd; conns[slot].d[0].to = sfd;
					conns[slot].d[1].from = sfd; conns[slot].d[1].to = cfd;
				}
			}
		}
		for (int p = 1; p < np; p++) {
			int i = pmap[p] / 2, k = pmap[p] % 2, bad = 0;
			struct conn *c = &conns[i];
			if (!c->used || pfd[p].fd < 0 || !pfd[p].revents) continue;
			if (c->client_gone && k == 1) {
				if (pfd[p].events == POLLIN && drain_server(c) < 0) conn_close(c);
				continue;
			}
			if (pfd[p].events == POLLIN) bad = do_read(&c->d[k], t);
			else bad = do_write(&c->d[k], t);
			if (hold_s > 0 && (bad || (pfd[p].revents & (POLLERR | POLLNVAL | POLLHUP))) &&
			    pfd[p].fd == c->d[0].from) {
				client_gone(c, t);     /* the client side failed: keep what it sent */
				continue;
			}
			if (hold_s > 0 && k == 0 && c->d[0].rd_eof) {
				client_gone(c, t);     /* the client closed */
				continue;
			}
			if (hold_s > 0 && bad && k == 1) {
				client_gone(c, t);     /* writing to the client failed */
				continue;
			}
			if (bad || (pfd[p].revents & (POLLERR | POLLNVAL))) conn_close(c);
		}
		/* chunks that became due while we were busy; close finished connections */
		for (int i = 0; i < MAXCONN; i++) {
			struct conn *c = &conns[i];
			if (!c->used) continue;
			if (c->d[0].done && c->d[1].done) conn_close(c);
		}
	}
}
