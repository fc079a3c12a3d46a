/*
 * cmd_common.h - pieces shared by the migration cmdlet declarations and
 * implementations: allowed-value lists, the accepted-and-ignored Exchange
 * parameters, the "couldn't be found" errors, typed parameter readers
 * (bytes, time spans, dates, Unlimited, credentials), and the session's
 * state store and background service.
 */
#ifndef MIGSH_CMDLETS_COMMON_H
#define MIGSH_CMDLETS_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "common/err.h"
#include "shell/cmdlet.h"

extern const char *const mg_vals_security[];      /* None Ssl Tls */
extern const char *const mg_vals_auth[];          /* Basic Ntlm CramMd5 XOAuth2 */
extern const char *const mg_vals_batch_status[];  /* section 9.1 */
extern const char *const mg_vals_user_status[];   /* section 9.2 */
extern const char *const mg_vals_status_summary[];/* Active Completed Failed Stopped Synced */
extern const char *const mg_vals_endpoint_type[]; /* IMAP ExchangeOutlookAnywhere ... */

/* Parameters that exist in Exchange's syntax but have no effect in the
 * cloud: accepted, ignored, declared so abbreviations resolve like Exchange. */
#define MG_P_DOMAINCONTROLLER \
	{ "DomainController", MPT_STRING, MPF_IGNORED, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE, \
	  "Accepted for compatibility with Exchange; has no effect in migsh (there is no domain controller)." }
#define MG_P_PARTITION \
	{ "Partition", MPT_STRING, MPF_IGNORED, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE, \
	  "Reserved for internal Microsoft use; accepted and ignored." }
#define MG_P_DIAGNOSTICINFO \
	{ "DiagnosticInfo", MPT_STRING, MPF_IGNORED, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE, \
	  "Typically used only at the request of Microsoft support; accepted and ignored." }
#define MG_P_END { NULL, 0, 0, 0, NULL, NULL, NULL, NULL, MGCOMP_NONE, NULL }

/* Errors with Exchange's wording (reference section 11). */
int mg_err_endpoint_not_found(mg_err *e, const char *name);
int mg_err_batch_not_found(mg_err *e, const char *name);
int mg_err_user_not_found(mg_err *e, const char *name);

/* The string value of a parameter, or NULL; never an empty string. */
const char *mg_arg_nonempty(mg_ctx *c, const char *name);

/* Collect a String[] parameter (one value or a list) into a NULL-terminated
 * malloc'd array of malloc'd strings (mg_arg_strv_free).  NULL when absent. */
char **mg_arg_strv(mg_ctx *c, const char *name, size_t *count);
void mg_arg_strv_free(char **v);

/* A credential parameter (MPT_CREDENTIAL): a user,password array, a
 * PSCredential-like object or hashtable (UserName, Password), or a string
 * "user,password".  Returns 1 and fills malloc'd *user / *password (wipe and
 * free the password with mg_secret_free) when given, 0 when absent, -1 with
 * c->err filled when malformed. */
int mg_arg_credential(mg_ctx *c, const char *name, char **user, char **password);
void mg_secret_free(char *s);

/* Typed parameter values, tolerant of how the binder delivered them.  Each
 * returns 1 when given (value stored), 0 when absent, -1 with c->err filled
 * when the value cannot be used. */
/* Byte[] (MV_BYTES, a string, an array of numbers or of lines): malloc'd copy. */
int mg_arg_bytes(mg_ctx *c, const char *name, unsigned char **out, size_t *len);
/* TimeSpan in seconds (MV_TIMESPAN, "d.hh:mm:ss", "hh:mm:ss", or a number of seconds). */
int mg_arg_seconds(mg_ctx *c, const char *name, long long *secs);
/* DateTime as epoch seconds. */
int mg_arg_epoch(mg_ctx *c, const char *name, int64_t *t);
/* Unlimited: non-negative number or the word Unlimited (-1). */
int mg_arg_limit(mg_ctx *c, const char *name, long long *v);

struct mg_store;
/* The session's state store (opened on first use at mg_home(), kept in the
 * session slot "migration.store").  NULL with c->err filled on failure. */
struct mg_store *mg_cmd_store(mg_ctx *c);

/* Make sure the background migration service runs for this data directory
 * (it does the actual copying).  0 ok, -1 with c->err filled. */
int mg_cmd_ensure_service(mg_ctx *c);

/* Copy an engine error into c->err and return -1. */
int mg_cmd_fail(mg_ctx *c, const mg_err *e);

#endif
