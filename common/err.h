/*
 * err.h - the one error convention of migsh.
 *
 * Every fallible function returns 0 (or a non-negative result) on success and
 * -1 on failure, and fills the caller's `mg_err *` (which may be NULL when the
 * caller does not care).  The record carries what the shell needs to print a
 * PowerShell-style error: a category (PowerShell's ErrorCategory names), an
 * error id (FullyQualifiedErrorId stem), and a message that says what is wrong
 * and what to do.  Messages never contain passwords.
 */
#ifndef MIGSH_ERR_H
#define MIGSH_ERR_H

#include <stddef.h>

/* PowerShell ErrorCategory names used across the code base. */
#define MGC_NOTSPECIFIED   "NotSpecified"
#define MGC_INVALIDARG     "InvalidArgument"
#define MGC_INVALIDDATA    "InvalidData"
#define MGC_INVALIDOP      "InvalidOperation"
#define MGC_NOTFOUND       "ObjectNotFound"
#define MGC_EXISTS         "ResourceExists"
#define MGC_CONNECTION     "ConnectionError"
#define MGC_AUTH           "AuthenticationError"
#define MGC_SECURITY       "SecurityError"
#define MGC_PROTOCOL       "ProtocolError"
#define MGC_TIMEOUT        "OperationTimeout"
#define MGC_READ           "ReadError"
#define MGC_WRITE          "WriteError"
#define MGC_PERMISSION     "PermissionDenied"
#define MGC_PARSER         "ParserError"
#define MGC_LIMIT          "LimitsExceeded"
#define MGC_STOPPED        "OperationStopped"
#define MGC_RESOURCE       "ResourceUnavailable"

typedef struct mg_err {
	int  set;            /* non-zero once filled */
	int  sys_errno;      /* errno at the time, or 0 */
	char category[32];   /* one of MGC_* */
	char id[96];         /* FullyQualifiedErrorId stem, e.g. "ConnectionRefused" */
	char msg[1024];      /* human message: what failed, which input, what to do */
	int  side;           /* MG_SIDE_*: which server it came from, when the caller knows */
} mg_err;

#define MG_SIDE_UNKNOWN 0
#define MG_SIDE_SOURCE  1
#define MG_SIDE_TARGET  2

/* Fill *e (if e != NULL) and return -1.  printf-style message. */
int mg_err_set(mg_err *e, const char *category, const char *id,
               const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Same, appending ": strerror(errno)" and recording errno. */
int mg_err_sys(mg_err *e, const char *category, const char *id,
               const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Prefix an existing message ("context: old message"); returns -1. */
int mg_err_prefix(mg_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void mg_err_clear(mg_err *e);
void mg_err_copy(mg_err *dst, const mg_err *src);

#endif
