/*
 * lookup.h - a host name lookup that the caller can stop waiting for.
 *
 * getaddrinfo() blocks until the resolver answers or gives up (glibc: tens of
 * seconds with a DNS server that never answers), and nothing interrupts it:
 * Ctrl-C and the connect timeout would have to wait.  mg_lookup_start runs
 * getaddrinfo in a short-lived detached thread of its own; the caller polls
 * mg_lookup_fd (readable once the answer is in) alongside its cancel flag and
 * its deadline, then takes the answer (mg_lookup_finish) or walks away
 * (mg_lookup_abandon): an abandoned lookup frees itself, result included,
 * when getaddrinfo returns.  Nothing is shared between lookups.
 *
 * Only names belong here: a literal address needs no lookup (sock.c converts
 * it with AI_NUMERICHOST, no thread).
 */
#ifndef MIGSH_NET_LOOKUP_H
#define MIGSH_NET_LOOKUP_H

#include <netdb.h>
#include "common/err.h"

typedef struct mg_lookup mg_lookup;

/* Start looking up host for a TCP connection to port (getaddrinfo's
 * AF_UNSPEC, SOCK_STREAM).  NULL with err (MGC_CONNECTION, ConnectFailed) when
 * no pipe can be made.  When no thread can be started the lookup runs here, blocking, and
 * the handle is ready on return. */
mg_lookup *mg_lookup_start(const char *host, const char *port, mg_err *err);

/* Readable once the answer is in (poll for POLLIN). */
int mg_lookup_fd(const mg_lookup *l);

/* After mg_lookup_fd became readable: getaddrinfo's result (0 with *res to
 * free with freeaddrinfo, or an EAI_* code; *sys_errno holds errno for
 * EAI_SYSTEM).  Frees l. */
int mg_lookup_finish(mg_lookup *l, struct addrinfo **res, int *sys_errno);

/* Stop waiting: frees l now when the lookup is over, else when it ends
 * (its result with it). */
void mg_lookup_abandon(mg_lookup *l);

#endif
