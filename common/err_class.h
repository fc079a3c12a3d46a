/*
 * err_class.h - what an error means for the sync engine, decided in one
 * place: is it transient (retry the pass after a backoff) or permanent (the
 * user fails now), and which class of problem it is (for the ErrorSummary a
 * user's statistics show).
 *
 * The verdict goes by the error id, which names the event: its code
 * (mg_err.code), given when the error is raised from the one list of ids
 * with their verdicts (err_ids.h); the category only decides for ids the
 * list does not name.  The rule:
 *   transient  every end of stream, reset and timeout on a socket or a TLS
 *              session (including OpenSSL 3's "unexpected eof while
 *              reading"), a connection that cannot be opened right now, and
 *              a garbled response (a cut connection can leave half a line);
 *   permanent  authentication, certificates and other TLS policy refusals,
 *              a server that refuses a command (NO/BAD) or says BYE at the
 *              greeting, limits, local storage and configuration errors.
 */
#ifndef MIGSH_ERR_CLASS_H
#define MIGSH_ERR_CLASS_H

#include <stdbool.h>
#include <stddef.h>
#include "common/err.h"

typedef enum mg_err_class {
	MG_EC_OTHER = 0,      /* anything else: the message is shown as is */
	MG_EC_UNREACHABLE,    /* could not connect (DNS, refused, unreachable, connect timeout) */
	MG_EC_DISCONNECTED,   /* the connection was lost after it was established */
	MG_EC_TIMEOUT,        /* the server stopped answering */
	MG_EC_AUTH,           /* the login was refused */
	MG_EC_SECURITY,       /* certificate or TLS policy */
	MG_EC_REFUSED,        /* the server refused a command or the connection (NO, BAD, BYE) */
	MG_EC_PROTOCOL,       /* the server's answer could not be understood */
	MG_EC_BAD_LIMIT,      /* BadItemLimit exceeded */
	MG_EC_LARGE_LIMIT,    /* LargeItemLimit exceeded */
	MG_EC_LIMIT,          /* another size or count limit */
	MG_EC_STORAGE,        /* local files: state, journal, Maildir */
	MG_EC_STOPPED,        /* stopped on request */
	MG_EC_CONFIG          /* invalid job or endpoint settings */
} mg_err_class;

typedef struct mg_err_rule {
	const char  *id;
	bool         retry;
	mg_err_class cls;
} mg_err_rule;

/* Transient: the sync pass is retried after a backoff. */
bool mg_err_retryable(const mg_err *e);

/* The class of a filled error (MG_EC_OTHER for an empty one). */
mg_err_class mg_err_classify(const mg_err *e);

/* The table itself (for tests and the documentation of every id). */
const mg_err_rule *mg_err_rules(size_t *n);

#endif
