/*
 * err.h - the one error convention of migsh.
 *
 * Every fallible function returns 0 (or a non-negative result) on success and
 * -1 on failure, and fills the caller's `mg_err *` (which may be NULL when the
 * caller does not care).  The record carries what the shell needs to print a
 * PowerShell-style error: a category (PowerShell's ErrorCategory, an enum),
 * an error id (FullyQualifiedErrorId stem) with its code when err_ids.h lists
 * it, and a message that says what is wrong and what to do.  Decisions compare
 * the category or the code, never text.  Messages never contain passwords.
 */
#ifndef MIGSH_ERR_H
#define MIGSH_ERR_H

#include <stddef.h>
#include "common/err_ids.h"

/* PowerShell's ErrorCategory (System.Management.Automation.ErrorCategory),
 * with its numbering.  The text a user sees (CategoryInfo) comes from one
 * table: mg_err_category_name(). */
typedef enum mg_err_cat {
	MGC_NOTSPECIFIED = 0,   /* NotSpecified */
	MGC_OPEN,               /* OpenError */
	MGC_CLOSE,              /* CloseError */
	MGC_DEVICE,             /* DeviceError */
	MGC_DEADLOCK,           /* DeadlockDetected */
	MGC_INVALIDARG,         /* InvalidArgument */
	MGC_INVALIDDATA,        /* InvalidData */
	MGC_INVALIDOP,          /* InvalidOperation */
	MGC_INVALIDRESULT,      /* InvalidResult */
	MGC_INVALIDTYPE,        /* InvalidType */
	MGC_METADATA,           /* MetadataError */
	MGC_NOTIMPLEMENTED,     /* NotImplemented */
	MGC_NOTINSTALLED,       /* NotInstalled */
	MGC_NOTFOUND,           /* ObjectNotFound */
	MGC_STOPPED,            /* OperationStopped */
	MGC_TIMEOUT,            /* OperationTimeout */
	MGC_SYNTAX,             /* SyntaxError */
	MGC_PARSER,             /* ParserError */
	MGC_PERMISSION,         /* PermissionDenied */
	MGC_BUSY,               /* ResourceBusy */
	MGC_EXISTS,             /* ResourceExists */
	MGC_RESOURCE,           /* ResourceUnavailable */
	MGC_READ,               /* ReadError */
	MGC_WRITE,              /* WriteError */
	MGC_FROMSTDERR,         /* FromStdErr */
	MGC_SECURITY,           /* SecurityError */
	MGC_PROTOCOL,           /* ProtocolError */
	MGC_CONNECTION,         /* ConnectionError */
	MGC_AUTH,               /* AuthenticationError */
	MGC_LIMIT,              /* LimitsExceeded */
	MGC_QUOTA,              /* QuotaExceeded */
	MGC_NOTENABLED,         /* NotEnabled */
	MGC__COUNT
} mg_err_cat;

/* The PowerShell name of a category ("ObjectNotFound"); "NotSpecified" for a
 * value out of range. */
const char *mg_err_category_name(mg_err_cat c);
/* Every name, indexed by mg_err_cat, NULL-terminated (a parameter's allowed
 * values: Write-Error -Category). */
extern const char *const mg_err_category_names[];
/* A name (case-insensitive) to its category: 0, or -1 when it names none. */
int mg_err_category_parse(const char *name, mg_err_cat *out);

typedef struct mg_err {
	int  set;            /* non-zero once filled */
	int  sys_errno;      /* errno at the time, or 0 */
	mg_err_cat  category;
	mg_err_code code;    /* id's entry in err_ids.h, looked up when raised; MGE_NONE for another id */
	char id[96];         /* FullyQualifiedErrorId stem, e.g. "ConnectionRefused" */
	char msg[1024];      /* human message: what failed, which input, what to do */
	int  side;           /* MG_SIDE_*: which server it came from, when the caller knows */
} mg_err;

#define MG_SIDE_UNKNOWN 0
#define MG_SIDE_SOURCE  1
#define MG_SIDE_TARGET  2

/* Fill *e (if e != NULL) and return -1.  printf-style message. */
int mg_err_set(mg_err *e, mg_err_cat category, const char *id,
               const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Same, appending ": strerror(errno)" and recording errno. */
int mg_err_sys(mg_err *e, mg_err_cat category, const char *id,
               const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Prefix an existing message ("context: old message"); returns -1. */
int mg_err_prefix(mg_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Set the category and the id (and so the code) of *e, nothing else: for
 * code that writes the message itself. */
void mg_err_name(mg_err *e, mg_err_cat category, const char *id);

/* The code of an id (MGE_NONE when err_ids.h does not list it), and the id
 * of a code. */
mg_err_code mg_err_code_of(const char *id);
const char *mg_err_code_id(mg_err_code c);

void mg_err_clear(mg_err *e);
void mg_err_copy(mg_err *dst, const mg_err *src);

#endif
