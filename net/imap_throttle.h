/*
 * imap_throttle.h - server replies that ask the client to slow down, and the
 * wait they ask for.
 *
 * Recognised (in a NO/BAD/BYE reply's text, response code included as the
 * client saves it: "[CODE args] text"):
 *   [THROTTLED]                         (Gmail and others)
 *   [UNAVAILABLE]                       (RFC 5530: temporary failure, try later)
 *   [LIMIT] about connections or sessions, "too many connections",
 *   "too many simultaneous connections", "maximum number of connections"
 *                                       (a per-user connection limit; a bare
 *                                       [LIMIT], e.g. too many flags, is not)
 *   "Suggested Backoff Time: N milliseconds"   (Exchange: "Request is throttled.")
 * The suggested time is used when given; otherwise a default that doubles with
 * each consecutive throttled reply.  Every wait is bounded (THROTTLE_MIN_MS ..
 * THROTTLE_MAX_MS) and a command is re-sent at most THROTTLE_TRIES times.
 * Such a wait is not a failure: the command is simply sent again.
 */
#ifndef MIGSH_NET_IMAP_THROTTLE_H
#define MIGSH_NET_IMAP_THROTTLE_H

#include <signal.h>
#include <stdbool.h>
#include "common/err.h"

#define MG_THROTTLE_MIN_MS   100
#define MG_THROTTLE_MAX_MS   60000
#define MG_THROTTLE_TRIES    6

typedef struct mg_imap mg_imap;

/* Milliseconds to wait before sending again, when text is a reply asking to
 * slow down; 0 when it is not.  attempt: consecutive throttled replies so far
 * (0 for the first), for the default wait. */
long mg_imap_throttle_ms(const char *text, int attempt);

/* Make waits on this connection stop early when *flag becomes non-zero
 * (NULL: never).  The flag must outlive the connection. */
void mg_imap_set_cancel(mg_imap *c, volatile sig_atomic_t *flag);

#endif
