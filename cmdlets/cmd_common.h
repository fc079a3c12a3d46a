/*
 * cmd_common.h - pieces shared by the migration cmdlet declarations and
 * implementations: allowed-value lists, the accepted-and-ignored Exchange
 * parameters, the "couldn't be found" errors, typed parameter readers
 * (bytes, time spans, dates, the batch's time zone, Unlimited, credentials), the session's
 * state store and background service, and the steps most cmdlets share:
 * loading a batch, endpoint or user by -Identity, ShouldProcess, reporting
 * non-terminating errors and -ResultSize (the 1 / 0 / -1 contract below).
 */
#ifndef MIGSH_CMDLETS_COMMON_H
#define MIGSH_CMDLETS_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "common/err.h"
#include "shell/cmdlet.h"

/* The allowed values of -Security, -Authentication and the statuses are the
 * name tables of their enums (net/conn.h mg_security_names, mg_auth_names;
 * engine/records.h mg_batch_status_names, mg_user_status_names,
 * mg_status_summary_names), so the binder's index (mg_arg_enum) is the enum. */
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

/* A credential parameter (MPT_CREDENTIAL), which the binder delivers as a
 * PSCredential (it turns a user,password list, an object or hashtable with
 * UserName and Password, or "user,password" into one, and refuses anything
 * else).  Returns 1 and fills malloc'd *user / *password (wipe and free the
 * password with mg_secret_free) when given, 0 when absent. */
int mg_arg_credential(mg_ctx *c, const char *name, char **user, char **password);
void mg_secret_free(char *s);

/* Typed parameter values, as the binder delivered them for the declared
 * type (it converted them once; these only check ranges and copy out).  Each
 * returns 1 when given (value stored), 0 when absent, -1 with c->err filled
 * when the value cannot be used. */
/* Byte[] (MPT_BYTES): malloc'd copy. */
int mg_arg_bytes(mg_ctx *c, const char *name, unsigned char **out, size_t *len);
/* TimeSpan (MPT_TIMESPAN) in whole seconds; a negative one is refused. */
int mg_arg_seconds(mg_ctx *c, const char *name, long long *secs);
/* DateTime (MPT_DATETIME) as epoch seconds. */
int mg_arg_epoch(mg_ctx *c, const char *name, int64_t *t);
/* The batch's time zone (-TimeZone, engine/tz.h; NULL or "" = UTC), resolved
 * once per command: 0 with *tz set (mg_tz_free), -1 with c->err filled. */
struct mg_tz;
int mg_cmd_open_zone(mg_ctx *c, const char *time_zone, struct mg_tz **tz);
/* A DateTime, a time typed without a zone read in the batch's zone tz instead
 * of the machine's: "3/14/2025 10:00 PM" with "Pacific Standard Time" is 06:00
 * UTC the next day.  An instant ((Get-Date), "2025-03-15T06:00:00Z") is kept
 * as it is. */
int mg_arg_epoch_in_zone(mg_ctx *c, const char *name, const struct mg_tz *tz, int64_t *t);
/* Unlimited (MPT_UNLIMITED, -1 = Unlimited) or Int32: -1 or more. */
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

/* ---- the 1 / 0 / -1 contract ------------------------------------------
 * The helpers below that take an mg_ctx and may report an error return
 *    1  done / go ahead (out parameters are set),
 *    0  not done, and nothing is wrong with the command: either an error
 *       record was reported non-terminating (mg_error) or the user declined
 *       (-WhatIf, "No" at the prompt); the cmdlet returns 0 and goes on with
 *       its next input,
 *   -1  terminating: c->err is filled (or -ErrorAction Stop made the error
 *       record terminating); the cmdlet returns -1.
 * so a caller writes   int r = mg_cmd_...(...); if (r <= 0) return r;   */

/* Report e non-terminating on target (mg_error): 0 to go on, -1 when
 * -ErrorAction Stop made it terminating.  For `rc = mg_cmd_report(...)`. */
int mg_cmd_report(mg_ctx *c, const mg_err *e, const char *target);

/* ShouldProcess (-WhatIf / -Confirm) for `action` on `target` as 1 / 0 / -1. */
int mg_cmd_confirm(mg_ctx *c, const char *target, const char *action);

struct mg_batch;
struct mg_endpoint;
struct mg_user;

/* Load the record named `id` (name or Guid) with Exchange's wording when it does not exist (mg_err_*_not_found).
 * 0 with *out set (free it with mg_*_free), -1 with err filled (err may be
 * NULL).  Nothing is reported. */
int mg_cmd_get_batch(struct mg_store *st, const char *id, struct mg_batch **out, mg_err *err);
int mg_cmd_get_endpoint(struct mg_store *st, const char *id, struct mg_endpoint **out,
                        mg_err *err);

/* The same (users: email address or Guid), reporting a failure as a
 * non-terminating error record on `id`: 1 loaded (*out set; free it), 0 reported, -1 terminating. */
int mg_cmd_find_batch(mg_ctx *c, struct mg_store *st, const char *id, struct mg_batch **out);
int mg_cmd_find_endpoint(mg_ctx *c, struct mg_store *st, const char *id,
                         struct mg_endpoint **out);
int mg_cmd_find_user(mg_ctx *c, struct mg_store *st, const char *id, struct mg_user **out);

/* How a cmdlet that works on one existing record starts: open the session's
 * store (*st), read the mandatory -Identity (empty: terminating
 * InvalidIdentity error "-Identity is empty: <hint>."), then mg_cmd_find_*.
 * 1 loaded (*st and *out set; free *out), 0 reported, -1 terminating. */
int mg_cmd_load_batch(mg_ctx *c, const char *hint, struct mg_store **st,
                      struct mg_batch **out);
int mg_cmd_load_endpoint(mg_ctx *c, const char *hint, struct mg_store **st,
                         struct mg_endpoint **out);
int mg_cmd_load_user(mg_ctx *c, const char *hint, struct mg_store **st, struct mg_user **out);

/* -ResultSize: true while fewer than `limit` objects (-1 = Unlimited) were
 * emitted; once the limit is reached, warns that there are more results and
 * returns false (the caller stops emitting). */
bool mg_cmd_within_result_size(mg_ctx *c, long long limit, long long emitted);

/* Make sure the migration service runs when the batch `name` is being
 * processed (an active status); nothing when it is not, or cannot be read.
 * 0 ok, -1 with c->err filled. */
int mg_cmd_ensure_service_for_batch(mg_ctx *c, struct mg_store *st, const char *name);

#endif
