/*
 * scripted_peer.c - the scripted IMAP server of the unit tests (scripted_peer.h).
 */
#include "config.h"
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/unit/scripted_peer.h"

static int read_line(int fd, strbuf *line, strbuf *all)
{
	char ch;
	strbuf_reset(line);
	for (;;) {
		ssize_t n = recv(fd, &ch, 1, 0);
		if (n <= 0)
			return -1;
		strbuf_addc(line, ch);
		strbuf_addc(all, ch);
		if (ch == '\n')
			return 0;
	}
}

/* read a whole command including literals */
static int read_command(int fd, strbuf *cmd, strbuf *all)
{
	strbuf line = STRBUF_INIT;
	strbuf_reset(cmd);
	for (;;) {
		if (read_line(fd, &line, all) < 0) {
			strbuf_free(&line);
			return -1;
		}
		strbuf_add(cmd, line.buf, line.len);
		char *brace = line.len >= 4 ? strrchr(line.buf, '{') : NULL;
		if (!brace || line.buf[line.len - 3] != '}') {
			strbuf_free(&line);
			return 0;
		}
		bool sync = line.buf[line.len - 4] != '+';
		unsigned long n = strtoul(brace + 1, NULL, 10);
		if (sync && send(fd, "+ go on\r\n", 9, MSG_NOSIGNAL) < 0)
			return -1;
		for (unsigned long i = 0; i < n; i++) {
			char ch;
			if (recv(fd, &ch, 1, 0) != 1)
				return -1;
			strbuf_addc(cmd, ch);
			strbuf_addc(all, ch);
		}
	}
}

static void *server_main(void *arg)
{
	server *s = arg;
	int fd = accept(s->lfd, NULL, NULL);
	if (fd < 0) {
		snprintf(s->error, sizeof s->error, "accept failed");
		return NULL;
	}
	strbuf cmd = STRBUF_INIT;
	for (const step *st = s->steps; st->reply || st->expect; st++) {
		char tag[64] = "";
		if (st->expect) {
			if (read_command(fd, &cmd, &s->got) < 0) {
				snprintf(s->error, sizeof s->error, "client closed before sending \"%s\"", st->expect);
				break;
			}
			if (!strstr(cmd.buf, st->expect)) {
				snprintf(s->error, sizeof s->error, "expected \"%s\", got \"%s\"", st->expect, cmd.buf);
				break;
			}
			sscanf(cmd.buf, "%63s", tag);
		}
		if (!st->reply)
			continue;
		if (!strcmp(st->reply, "CLOSE"))
			break;
		if (!strcmp(st->reply, "SLEEP")) {
			char b[256];
			while (recv(fd, b, sizeof b, 0) > 0)
				;
			break;
		}
		strbuf out = STRBUF_INIT;
		for (const char *p = st->reply; *p; p++) {
			if (p[0] == '$' && p[1] == 'T') {
				strbuf_adds(&out, tag);
				p++;
			} else {
				strbuf_addc(&out, *p);
			}
		}
		send(fd, out.buf, out.len, MSG_NOSIGNAL);
		strbuf_free(&out);
	}
	strbuf_free(&cmd);
	close(fd);
	return NULL;
}

server *server_start(const step *steps)
{
	server *s = xcalloc(1, sizeof *s);
	s->steps = steps;
	s->lfd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof a;
	assert_int_equal(bind(s->lfd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(listen(s->lfd, 4), 0);
	getsockname(s->lfd, (struct sockaddr *)&a, &al);
	s->port = ntohs(a.sin_port);
	strbuf_adds(&s->got, "");
	pthread_create(&s->th, NULL, server_main, s);
	return s;
}

void server_finish(server *s, mg_imap *c)
{
	mg_imap_close(c);   /* unblocks a SLEEPing server */
	pthread_join(s->th, NULL);
	close(s->lfd);
	if (s->error[0])
		fail_msg("scripted server: %s", s->error);
	strbuf_free(&s->got);
	free(s);
}

