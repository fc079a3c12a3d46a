/*
 * lookup.c - getaddrinfo in a detached helper thread, so that a lookup the
 * resolver never answers can be walked away from (Ctrl-C, the connect
 * timeout).  See lookup.h.
 *
 * Why a thread of our own and not glibc's getaddrinfo_a: a request that is
 * already running cannot be cancelled there either (gai_cancel answers
 * EAI_NOTCANCELED), so its gaicb and result would have to be waited for
 * anyway; getaddrinfo_a is glibc-only, needs -lanl before glibc 2.34, and
 * reports completion by signal or by its own thread, not by a descriptor
 * poll() can watch next to the cancel flag.  Here the handle is shared by
 * exactly two owners, the caller and the thread, counted under a mutex:
 * whichever lets go last frees it, with the result if nobody took it.
 */
#include "config.h"
#include "net/lookup.h"
#include "common/mem.h"
#include "common/thread.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct mg_lookup {
	pthread_mutex_t lock;
	int refs;                 /* 2 while the thread runs and the caller waits */
	int rfd, wfd;             /* the thread writes one byte to wfd when done */
	char *host, *port;
	int rc;                   /* getaddrinfo's result ... */
	int sys_errno;            /* ... errno for EAI_SYSTEM */
	struct addrinfo *res;     /* owned until mg_lookup_finish takes it */
};

static void lookup_free(mg_lookup *l)
{
	if (l->res)
		freeaddrinfo(l->res);
	close(l->rfd);
	close(l->wfd);
	free(l->host);
	free(l->port);
	pthread_mutex_destroy(&l->lock);
	free(l);
}

static void lookup_release(mg_lookup *l)
{
	pthread_mutex_lock(&l->lock);
	int left = --l->refs;
	pthread_mutex_unlock(&l->lock);
	if (left == 0)
		lookup_free(l);
}

static void lookup_run(mg_lookup *l)
{
	struct addrinfo hints;
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	struct addrinfo *res = NULL;
	int rc = getaddrinfo(l->host, l->port, &hints, &res);
	int e = errno;
	pthread_mutex_lock(&l->lock);
	l->rc = rc;
	l->sys_errno = e;
	l->res = rc == 0 ? res : NULL;
	pthread_mutex_unlock(&l->lock);
	/* the read end stays open while this side holds its reference: no SIGPIPE */
	char done = 1;
	while (write(l->wfd, &done, 1) < 0 && errno == EINTR)
		;
}

static void *lookup_thread(void *arg)
{
	mg_lookup *l = arg;
	lookup_run(l);
	lookup_release(l);
	return NULL;
}

mg_lookup *mg_lookup_start(const char *host, const char *port, mg_err *err)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0) {   /* never inherited by a program the shell runs */
		mg_err_sys(err, MGC_CONNECTION, "ConnectFailed", "cannot start looking up the server name \"%s\"", host);
		return NULL;
	}
	mg_lookup *l = xcalloc(1, sizeof *l);
	pthread_mutex_init(&l->lock, NULL);
	l->rfd = fds[0];
	l->wfd = fds[1];
	l->host = xstrdup(host);
	l->port = xstrdup(port);
	l->refs = 2;
	/* every signal blocked in it: SIGINT (Ctrl-C) must reach the thread that
	 * waits, and no handler may run on the helper */
	if (mg_thread_start_quiet(NULL, true, 0, lookup_thread, l) != 0) {
		/* no thread to be had (a process at its thread limit): look up here,
		 * blocking, rather than not at all */
		l->refs = 1;
		lookup_run(l);
	}
	return l;
}

int mg_lookup_fd(const mg_lookup *l)
{
	return l->rfd;
}

int mg_lookup_finish(mg_lookup *l, struct addrinfo **res, int *sys_errno)
{
	pthread_mutex_lock(&l->lock);
	int rc = l->rc;
	*res = l->res;
	l->res = NULL;
	if (sys_errno)
		*sys_errno = l->sys_errno;
	pthread_mutex_unlock(&l->lock);
	lookup_release(l);
	return rc;
}

void mg_lookup_abandon(mg_lookup *l)
{
	if (l)
		lookup_release(l);
}
