/* test_program_feed.c - the writer thread that feeds a program in a
 * pipeline (shell/program_feed.h), against the other end of a socket pair
 * played by the test: every byte arrives, in order; text held back for a
 * big write still arrives while the shell pauses; the shell is told to
 * wait (FEED_FULL) when the program does not read, with a bounded amount
 * taken, and is woken when there is room; a program that closed its input
 * makes the input dropped (FEED_GONE) without SIGPIPE; and the thread can
 * be stopped while its write blocks.  Time limits are wide (seconds): they
 * only tell "arrives" from "never arrives". */
#include "config.h"
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "shell/program_feed.h"
#include "common/mem.h"

/* sv[0]: the shell's end (non-blocking, as external.c makes it); sv[1]:
 * the program's */
static void pair(int sv[2])
{
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK);
}

/* Wait up to ms for the feed's fd to become readable. */
static bool feed_wait(prog_feed *f, int ms)
{
	struct pollfd pf = { prog_feed_fd(f), POLLIN, 0 };
	return poll(&pf, 1, ms) > 0;
}

/* Put all of data, waiting (as external.c does) while the feed is full. */
static int put_all(prog_feed *f, const char *data, size_t len)
{
	int r;
	while ((r = prog_feed_put(f, data, len)) == FEED_FULL)
		assert_true(feed_wait(f, 10000));
	return r;
}

/* The program: reads everything until end of input. */
typedef struct reader {
	int fd;
	strbuf got;
} reader;

static void *read_all(void *arg)
{
	reader *r = arg;
	char buf[65536];
	ssize_t n;
	while ((n = read(r->fd, buf, sizeof buf)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		strbuf_add(&r->got, buf, (size_t)n);
	}
	return NULL;
}

/* 4 MB in pieces of every size from 1 byte to ~5 KB arrive whole and in
 * order, and the close writes what was still held */
static void test_every_byte_in_order(void **st)
{
	(void)st;
	int sv[2];
	pair(sv);
	reader r = { sv[1], STRBUF_INIT };
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, read_all, &r), 0);
	prog_feed *f = prog_feed_start(sv[0]);
	assert_non_null(f);
	strbuf want = STRBUF_INIT;
	char piece[5000];
	for (size_t i = 0; want.len < 4 * 1024 * 1024; i++) {
		size_t n = 1 + (i * 7919) % sizeof piece;
		for (size_t k = 0; k < n; k++)
			piece[k] = (char)('a' + (i + k) % 26);
		strbuf_add(&want, piece, n);
		assert_int_equal(put_all(f, piece, n), FEED_TAKEN);
	}
	prog_feed_close(f);
	while (!prog_feed_done(f))
		assert_true(feed_wait(f, 10000));
	prog_feed_stop(f);
	close(sv[0]);   /* the end of the program's input */
	pthread_join(t, NULL);
	assert_int_equal(r.got.len, want.len);
	assert_memory_equal(r.got.buf, want.buf, want.len);
	strbuf_free(&want);
	strbuf_free(&r.got);
	close(sv[1]);
}

/* a few lines, then the shell does nothing (a producer that pauses): the
 * lines reach the program anyway (a feed that waited for a full 64 KiB
 * piece, or for the next object, would hold them for ever) */
static void test_held_text_goes_during_a_pause(void **st)
{
	(void)st;
	int sv[2];
	pair(sv);
	prog_feed *f = prog_feed_start(sv[0]);
	assert_non_null(f);
	static const char lines[] = "1\n2\n3\n";
	assert_int_equal(prog_feed_put(f, lines, 6), FEED_TAKEN);
	char buf[16];
	size_t got = 0;
	while (got < 6) {
		struct pollfd pf = { sv[1], POLLIN, 0 };
		assert_int_equal(poll(&pf, 1, 5000), 1);
		ssize_t n = read(sv[1], buf + got, sizeof buf - got);
		assert_true(n > 0);
		got += (size_t)n;
	}
	assert_int_equal(got, 6);
	assert_memory_equal(buf, lines, 6);
	prog_feed_stop(f);
	close(sv[0]);
	close(sv[1]);
}

/* a program that reads nothing: the shell is told to wait once a bounded
 * amount is taken (what the feed holds plus what the socket holds), and
 * its fd wakes it when the program has read and there is room again */
static void test_full_then_room(void **st)
{
	(void)st;
	int sv[2];
	pair(sv);
	int sndbuf = 0;
	socklen_t sl = sizeof sndbuf;
	getsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sndbuf, &sl);
	prog_feed *f = prog_feed_start(sv[0]);
	assert_non_null(f);
	char piece[1000];
	memset(piece, 'x', sizeof piece);
	size_t taken = 0;
	int r;
	while ((r = prog_feed_put(f, piece, sizeof piece)) == FEED_TAKEN) {
		taken += sizeof piece;
		/* held + the piece being written + the socket's buffers (its
		 * send and receive buffers, each at most twice SO_SNDBUF) */
		assert_true(taken <= 2 * (size_t)FEED_CAP + 4 * (size_t)sndbuf + sizeof piece);
		if (taken % (64 * sizeof piece) == 0)
			usleep(1000);   /* let the thread move what it can */
	}
	assert_int_equal(r, FEED_FULL);
	assert_false(feed_wait(f, 200));   /* nothing moves while the program does not read */
	/* the program reads what there is until the shell is woken */
	char buf[65536];
	size_t drained = 0;
	bool woken = false;
	while (!woken) {
		struct pollfd pf[2] = { { sv[1], POLLIN, 0 }, { prog_feed_fd(f), POLLIN, 0 } };
		if (poll(pf, 2, 5000) <= 0)
			break;
		woken = pf[1].revents != 0;
		ssize_t n = pf[0].revents ? read(sv[1], buf, sizeof buf) : 0;
		if (n > 0)
			drained += (size_t)n;
	}
	assert_true(woken);
	assert_true(drained > 0);
	assert_int_equal(prog_feed_put(f, piece, sizeof piece), FEED_TAKEN);
	prog_feed_stop(f);
	close(sv[0]);
	close(sv[1]);
}

/* the program closed its input (head -1 exited): the feed says FEED_GONE
 * and drops the rest; no SIGPIPE (it would kill this test) */
static void test_gone_without_sigpipe(void **st)
{
	(void)st;
	signal(SIGPIPE, SIG_DFL);
	int sv[2];
	pair(sv);
	prog_feed *f = prog_feed_start(sv[0]);
	assert_non_null(f);
	close(sv[1]);
	char piece[4096];
	memset(piece, 'y', sizeof piece);
	int r = FEED_TAKEN;
	for (int i = 0; i < 100000 && r != FEED_GONE; i++) {
		r = prog_feed_put(f, piece, sizeof piece);
		if (r == FEED_FULL)
			feed_wait(f, 100);
		else
			usleep(100);
	}
	assert_int_equal(r, FEED_GONE);
	prog_feed_close(f);
	assert_true(prog_feed_done(f));
	prog_feed_stop(f);
	close(sv[0]);
}

/* stopped while its write blocks on a program that reads nothing (Ctrl-C):
 * prog_feed_stop returns (a thread stuck in its write would hang here) */
static void test_stop_while_blocked(void **st)
{
	(void)st;
	int sv[2];
	pair(sv);
	prog_feed *f = prog_feed_start(sv[0]);
	assert_non_null(f);
	char piece[4096];
	memset(piece, 'z', sizeof piece);
	while (prog_feed_put(f, piece, sizeof piece) == FEED_TAKEN)
		;
	usleep(20000);   /* the thread is in its blocked write by now */
	prog_feed_stop(f);
	/* and at the end of the input, with the write still blocked */
	f = prog_feed_start(sv[0]);
	assert_non_null(f);
	assert_int_equal(prog_feed_put(f, piece, sizeof piece), FEED_TAKEN);
	prog_feed_close(f);
	prog_feed_stop(f);
	close(sv[0]);
	close(sv[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_byte_in_order),
		cmocka_unit_test(test_held_text_goes_during_a_pause),
		cmocka_unit_test(test_full_then_room),
		cmocka_unit_test(test_gone_without_sigpipe),
		cmocka_unit_test(test_stop_while_blocked),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
