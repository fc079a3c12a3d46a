/*
 * test_imap_throttle.c - replies that ask the client to slow down
 * (net/imap_throttle.c): which replies are recognised and how long they ask
 * to wait (a table), and against a scripted loopback server: the command is
 * sent again under a new tag after the wait asked for, and succeeds; a
 * server that keeps asking ends in a retryable ServerThrottled error (not a
 * refused command, not a failed login); a stop request ends the wait at once.
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
#include <time.h>
#include <unistd.h>

#include "net/imap_client.h"
#include "net/imap_throttle.h"

/* ---------------- which replies, how long ---------------- */

static void test_recognise(void **st)
{
	(void)st;
	static const struct { const char *text; int attempt; long ms; } t[] = {
		/* Exchange Online */
		{ "Request is throttled. Suggested Backoff Time: 1500 milliseconds", 0, 1500 },
		{ "Request is throttled. Suggested Backoff Time: 1500 milliseconds", 3, 1500 },
		{ "User is throttled. suggested backoff time: 20 milliseconds", 0, MG_THROTTLE_MIN_MS },
		{ "Request is throttled. Suggested Backoff Time: 299999 milliseconds", 0, MG_THROTTLE_MAX_MS },
		{ "Request is throttled. Suggested Backoff Time: 99999999999999999 milliseconds", 0, MG_THROTTLE_MAX_MS },
		{ "[THROTTLED] Try later. Suggested Backoff Time: 3 seconds", 0, 3000 },
		{ "Request is throttled.", 0, 2000 },
		/* response codes, no time suggested: 2 s doubling, bounded */
		{ "[THROTTLED] Account exceeded command or bandwidth limits", 0, 2000 },
		{ "[THROTTLED] Account exceeded command or bandwidth limits", 2, 8000 },
		{ "[THROTTLED] Account exceeded command or bandwidth limits", 9, MG_THROTTLE_MAX_MS },
		{ "[UNAVAILABLE] Temporary authentication failure", 0, 2000 },
		{ "[unavailable] lowercase code", 1, 4000 },
		/* connection limits: 10 s doubling */
		{ "[LIMIT] Too many connections for this user", 0, 10000 },
		{ "[LIMIT] session limit reached", 1, 20000 },
		{ "[ALERT] Too many simultaneous connections. (Failure)", 0, 10000 },
		{ "Maximum number of connections from user+IP exceeded (mail_max_userip_connections=10)", 0, 10000 },
		/* not asking to slow down */
		{ "[LIMIT] Too many keywords in this mailbox", 0, 0 },
		{ "[TRYCREATE] Mailbox doesn't exist: X", 0, 0 },
		{ "[OVERQUOTA] Quota exceeded (mailbox for user is full)", 0, 0 },
		{ "[AUTHENTICATIONFAILED] Authentication failed.", 0, 0 },
		{ "[NONEXISTENT] Unknown Mailbox: X", 0, 0 },
		{ "Error in IMAP command UID: Invalid uidset", 0, 0 },
		{ "Suggested Backoff Time: soon", 0, 0 },
		{ "", 0, 0 },
		{ "[LIMITED] not the LIMIT code", 0, 0 },
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		long ms = mg_imap_throttle_ms(t[i].text, t[i].attempt);
		if (ms != t[i].ms)
			fail_msg("\"%s\" (attempt %d): %ld ms, expected %ld", t[i].text, t[i].attempt, ms, t[i].ms);
	}
	assert_int_equal(mg_imap_throttle_ms(NULL, 0), 0);
}

/* ---------------- scripted server ---------------- */

/* Replies in order, one per command received ("$T" = the command's tag);
 * a reply NULL ends the script (the server then just closes). */
typedef struct server {
	int lfd, port;
	const char *const *replies;
	char seen[16][256];   /* commands received */
	int n_seen;
	pthread_t th;
} server;

static void *server_main(void *arg)
{
	server *s = arg;
	int fd = accept(s->lfd, NULL, NULL);
	if (fd < 0)
		return NULL;
	const char *greet = "* OK [CAPABILITY IMAP4rev1] scripted ready\r\n";
	if (write(fd, greet, strlen(greet)) < 0)
		goto out;
	char buf[4096];
	size_t have = 0;
	for (int r = 0; s->replies[r]; r++) {
		char *nl;
		while (!(nl = memchr(buf, '\n', have))) {
			ssize_t n = read(fd, buf + have, sizeof buf - 1 - have);
			if (n <= 0)
				goto out;
			have += (size_t)n;
		}
		size_t len = (size_t)(nl - buf) + 1;
		char line[256];
		snprintf(line, sizeof line, "%.*s", (int)(len > 2 ? len - 2 : 0), buf);
		memmove(buf, buf + len, have - len);
		have -= len;
		if (s->n_seen < 16)
			snprintf(s->seen[s->n_seen++], sizeof s->seen[0], "%s", line);
		char tag[32];
		snprintf(tag, sizeof tag, "%.*s", (int)strcspn(line, " "), line);
		char out[1024];
		size_t o = 0;
		for (const char *p = s->replies[r]; *p && o + 40 < sizeof out; p++) {
			if (p[0] == '$' && p[1] == 'T') {
				o += (size_t)snprintf(out + o, sizeof out - o, "%s", tag);
				p++;
			} else {
				out[o++] = *p;
			}
		}
		if (write(fd, out, o) < 0)
			goto out;
	}
out:
	close(fd);
	return NULL;
}

static server *server_start(const char *const *replies)
{
	server *s = calloc(1, sizeof *s);
	assert_non_null(s);
	s->replies = replies;
	s->lfd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof a;
	assert_int_equal(bind(s->lfd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(listen(s->lfd, 1), 0);
	assert_int_equal(getsockname(s->lfd, (struct sockaddr *)&a, &al), 0);
	s->port = ntohs(a.sin_port);
	assert_int_equal(pthread_create(&s->th, NULL, server_main, s), 0);
	return s;
}

static void server_stop(server *s, mg_imap *c)
{
	mg_imap_close(c);
	pthread_join(s->th, NULL);
	close(s->lfd);
	free(s);
}

static mg_imap *client(server *s)
{
	mg_conn_params p = { .host = "127.0.0.1", .port = s->port, .security = MG_SEC_NONE,
	                     .io_timeout_ms = 5000 };
	mg_err e = { 0 };
	mg_imap *c = mg_imap_connect(&p, &e);
	if (!c)
		fail_msg("connect: %s", e.msg);
	return c;
}

static long ms_since(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/* The command is sent again, under a new tag, after the time asked. */
static void test_wait_and_resend(void **st)
{
	(void)st;
	static const char *const replies[] = {
		"$T BAD Request is throttled. Suggested Backoff Time: 300 milliseconds\r\n",
		"$T NO [THROTTLED] still busy. Suggested Backoff Time: 200 milliseconds\r\n",
		"* 3 EXISTS\r\n$T OK done\r\n",
		NULL
	};
	server *s = server_start(replies);
	mg_imap *c = client(s);
	mg_err e = { 0 };
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (mg_imap_noop(c, &e) < 0)
		fail_msg("NOOP after throttling: %s", e.msg);
	long took = ms_since(&t0);
	int n = s->n_seen;
	char tags[3][32];
	for (int i = 0; i < 3 && i < n; i++)
		snprintf(tags[i], sizeof tags[i], "%.*s", (int)strcspn(s->seen[i], " "), s->seen[i]);
	assert_non_null(strstr(s->seen[2], "NOOP"));
	server_stop(s, c);
	assert_int_equal(n, 3);
	assert_true(took >= 500);
	assert_true(took < 5000);
	assert_string_not_equal(tags[0], tags[1]);
	assert_string_not_equal(tags[1], tags[2]);
}

/* A server that keeps asking: bounded number of tries, then a retryable
 * ServerThrottled error; at LOGIN it is not "authentication failed". */
static void test_keeps_asking(void **st)
{
	(void)st;
	const char *r = "$T NO [UNAVAILABLE] busy. Suggested Backoff Time: 100 milliseconds\r\n";
	const char *replies[MG_THROTTLE_TRIES + 2];
	for (int i = 0; i <= MG_THROTTLE_TRIES; i++)
		replies[i] = r;
	replies[MG_THROTTLE_TRIES + 1] = NULL;
	server *s = server_start(replies);
	mg_imap *c = client(s);
	mg_err e = { 0 };
	assert_int_equal(mg_imap_login(c, "user1", "secret", NULL, &e), -1);
	assert_int_equal(e.category, MGC_TIMEOUT);
	assert_string_equal(e.id, "ServerThrottled");
	assert_null(strstr(e.msg, "secret"));
	int n = s->n_seen;
	char first[256], last[256];
	snprintf(first, sizeof first, "%s", s->seen[0]);
	snprintf(last, sizeof last, "%s", s->seen[n - 1]);
	server_stop(s, c);
	assert_int_equal(n, MG_THROTTLE_TRIES + 1);      /* the first try and 6 more */
	assert_non_null(strstr(first, "LOGIN"));
	assert_non_null(strstr(last, "LOGIN"));
	assert_string_not_equal(strtok(first, " "), strtok(last, " "));   /* new tags */
}

/* A stop request ends the wait at once. */
static void test_cancel(void **st)
{
	(void)st;
	static const char *const replies[] = {
		"$T NO [THROTTLED] Suggested Backoff Time: 60000 milliseconds\r\n",
		NULL
	};
	server *s = server_start(replies);
	mg_imap *c = client(s);
	volatile sig_atomic_t stop = 1;
	mg_imap_set_cancel(c, &stop);
	mg_err e = { 0 };
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(mg_imap_noop(c, &e), -1);
	assert_true(ms_since(&t0) < 2000);
	assert_int_equal(e.category, MGC_STOPPED);
	server_stop(s, c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_recognise),
		cmocka_unit_test(test_wait_and_resend),
		cmocka_unit_test(test_keeps_asking),
		cmocka_unit_test(test_cancel),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
