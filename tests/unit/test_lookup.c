/*
 * test_lookup.c - the name lookup of net/lookup.c and its use by
 * mg_sock_connect, without a network: a name from /etc/hosts ("localhost")
 * is looked up in the helper thread and its addresses come back; a lookup
 * walked away from at once frees itself when it ends (the sanitizer build
 * reports a leak otherwise); mg_sock_connect reaches a closed port of
 * "localhost" (ConnectionRefused: the lookup worked) and a set cancel flag
 * stops it at the lookup (OperationStopped).  A resolver that never answers
 * is tested for real in tests/integration/net_resolve.sh and shell_interrupt.sh.
 */
#include "config.h"
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/lookup.h"
#include "net/sock.h"

static void test_localhost(void **st)
{
	(void)st;
	mg_err e = { 0 };
	mg_lookup *l = mg_lookup_start("localhost", "143", &e);
	assert_non_null(l);
	struct pollfd p = { .fd = mg_lookup_fd(l), .events = POLLIN };
	assert_int_equal(poll(&p, 1, 10000), 1);
	struct addrinfo *res = NULL;
	int sys_errno = 0;
	assert_int_equal(mg_lookup_finish(l, &res, &sys_errno), 0);
	assert_non_null(res);
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		assert_true(ai->ai_family == AF_INET || ai->ai_family == AF_INET6);
		assert_int_equal(ai->ai_socktype, SOCK_STREAM);
		int port = ai->ai_family == AF_INET ? ntohs(((struct sockaddr_in *)ai->ai_addr)->sin_port)
		                                    : ntohs(((struct sockaddr_in6 *)ai->ai_addr)->sin6_port);
		assert_int_equal(port, 143);
	}
	freeaddrinfo(res);
}

static void test_abandoned(void **st)
{
	(void)st;
	for (int i = 0; i < 20; i++) {
		mg_lookup *l = mg_lookup_start("localhost", "993", NULL);
		assert_non_null(l);
		mg_lookup_abandon(l);
	}
	/* the threads end on their own (quickly: /etc/hosts answers); let them,
	 * so that the leak check at exit sees what they freed */
	usleep(500 * 1000);
}

/* A TCP port on 127.0.0.1 where nothing listens. */
static int closed_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t sl = sizeof sa;
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	close(fd);
	return ntohs(sa.sin_port);
}

static void test_connect_by_name(void **st)
{
	(void)st;
	mg_err e = { 0 };
	volatile sig_atomic_t stop = 0;
	mg_sock *s = mg_sock_connect("localhost", closed_port(), 5000, 5000, &stop, &e);
	assert_null(s);
	/* localhost may also be ::1, where nothing listens either */
	assert_int_equal(e.code, MGE_ConnectionRefused);
}

static void test_cancelled_lookup(void **st)
{
	(void)st;
	mg_err e = { 0 };
	volatile sig_atomic_t stop = 1;
	mg_sock *s = mg_sock_connect("localhost", 993, 5000, 5000, &stop, &e);
	assert_null(s);
	assert_int_equal(e.category, MGC_STOPPED);
	assert_int_equal(e.code, MGE_OperationStopped);
	/* stopped at the lookup, before any connection was tried */
	assert_non_null(strstr(e.msg, "looking up localhost"));
	usleep(200 * 1000);   /* the abandoned lookup ends and frees itself */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_localhost),
		cmocka_unit_test(test_abandoned),
		cmocka_unit_test(test_connect_by_name),
		cmocka_unit_test(test_cancelled_lookup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
