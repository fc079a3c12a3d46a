/*
 * store.h - the state store: one data directory ($MIGSH_HOME) holding the
 * endpoints, batches, users, config, per-user sync state, mail (local store),
 * logs and reports.  Human-readable YAML records (libyaml).
 *
 * Layout (every file 0600, every directory 0700, every write atomic):
 *   <home>/schema                         schema version ("migsh-store 1")
 *   <home>/store.lock                     lock held briefly around each read-modify-write
 *   <home>/config.yaml                    mg_config (defaults when absent)
 *   <home>/endpoints/<key>.yaml           mg_endpoint
 *   <home>/batches/<key>/batch.yaml       mg_batch
 *   <home>/batches/<key>/users/<key>.yaml          mg_user
 *   <home>/batches/<key>/users/<key>.skipped.yaml  skipped items of that user
 *   <home>/batches/<key>/users/<key>.log           per-user report (-IncludeReport)
 *   <home>/batches/<key>/reports/         MigrationErrors.csv, summary, notifications
 *   <home>/mail/<key>/                    local store: the user's Maildir++ (never deleted by us)
 *   <home>/state/<dest>/<key>/            per-user sync state (engine/sync.h); <dest> =
 *                                         "local" or "ep-<endpoint key>" (the destination)
 *   <home>/logs/service.log               service log
 *   <home>/service.pid, service.lock      the background service (service.h)
 * <key> = mg_safe_name() of the lower-cased name or email address: names and
 * addresses are never used as paths as typed.
 *
 * Locking: every function below locks the store itself (process-wide flock on
 * store.lock plus a mutex for threads; recursive).  Wrap a read-modify-write
 * in mg_store_lock()/mg_store_unlock() so nobody writes in between; hold it
 * briefly (never across network I/O).
 *
 * Errors: a missing record is MGC_NOTFOUND; a corrupt or truncated file is
 * MGC_INVALIDDATA with the file's path in the message; never a crash.
 */
#ifndef MIGSH_ENGINE_STORE_H
#define MIGSH_ENGINE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include "common/err.h"
#include "engine/records.h"

#define MG_STORE_SCHEMA 1

typedef struct mg_store mg_store;

/* The default data directory: $MIGSH_HOME, else $XDG_DATA_HOME/migsh, else
 * $HOME/.local/share/migsh.  Caller frees. */
char *mg_store_default_home(void);

/* Open (creating the layout when missing) the store at home.  Refuses a
 * store written by a newer schema with a clear error; migrates older ones. */
int  mg_store_open(const char *home, mg_store **out, mg_err *err);
void mg_store_close(mg_store *st);
const char *mg_store_home(const mg_store *st);

/* Recursive, thread-safe and process-safe lock around a read-modify-write. */
int  mg_store_lock(mg_store *st, mg_err *err);
void mg_store_unlock(mg_store *st);

/* ---- safe names ---- */
/* Encode any name/address into a file name: lower-cased, [a-z0-9_+@-] and '.'
 * (not leading) kept, everything else %XX.  Never empty, never contains '/',
 * never starts with '.'.  Caller frees. */
char *mg_safe_name(const char *name);

/* ---- config ---- */
int mg_store_config_load(mg_store *st, mg_config *out, mg_err *err);   /* defaults when absent */
int mg_store_config_save(mg_store *st, const mg_config *c, mg_err *err);

/* ---- endpoints ---- */
/* identity: name (case-insensitive) or Guid.  Not found: MGC_NOTFOUND with
 * Exchange's text "The migration endpoint 'X' couldn't be found." */
int mg_store_endpoint_load(mg_store *st, const char *identity, mg_endpoint **out, mg_err *err);
/* Create: fails with MGC_EXISTS when the name exists. */
int mg_store_endpoint_create(mg_store *st, const mg_endpoint *e, mg_err *err);
/* Replace an existing endpoint (same name). */
int mg_store_endpoint_save(mg_store *st, const mg_endpoint *e, mg_err *err);
/* Remove; refused (MGC_INVALIDOP) while a batch uses it. */
int mg_store_endpoint_remove(mg_store *st, const char *identity, mg_err *err);
/* All endpoints, sorted by name.  A corrupt file fails the call naming it. */
int mg_store_endpoint_list(mg_store *st, mg_endpoint ***out, size_t *n, mg_err *err);
void mg_endpoint_list_free(mg_endpoint **v, size_t n);

/* ---- batches ---- */
/* identity: name (case-insensitive) or BatchGuid.  A corrupt batch.yaml is
 * MGC_INVALIDDATA naming the file. */
int mg_store_batch_load(mg_store *st, const char *identity, mg_batch **out, mg_err *err);
/* Create the batch directory with its users (all or nothing; MGC_EXISTS when
 * the name is taken).  Does not check limits (lifecycle.h's mg_batch_create does). */
int mg_store_batch_create(mg_store *st, const mg_batch *b, mg_user *const *users, size_t n, mg_err *err);
int mg_store_batch_save(mg_store *st, const mg_batch *b, mg_err *err);
/* Delete the batch's records (batch, users, reports); never mail or sync state. */
int mg_store_batch_delete(mg_store *st, const char *name, mg_err *err);
/* All batches sorted by creation time.  A batch whose batch.yaml is corrupt
 * is listed with status MG_BS_CORRUPTED and message = the error (never dropped). */
int mg_store_batch_list(mg_store *st, mg_batch ***out, size_t *n, mg_err *err);
void mg_batch_list_free(mg_batch **v, size_t n);
size_t mg_store_batch_count(mg_store *st);

/* ---- users ---- */
int mg_store_user_load(mg_store *st, const char *batch, const char *email, mg_user **out, mg_err *err);
/* Find a user by email address (or Guid) in any batch. */
int mg_store_user_find(mg_store *st, const char *identity, mg_user **out, mg_err *err);
int mg_store_user_save(mg_store *st, const mg_user *u, mg_err *err);        /* into u->batch */
int mg_store_user_delete(mg_store *st, const char *batch, const char *email, mg_err *err);
/* Users of one batch, sorted by CSV line then email.  A corrupt user file is
 * listed as a user with status MG_US_CORRUPTED and error = the message. */
int mg_store_user_list(mg_store *st, const char *batch, mg_user ***out, size_t *n, mg_err *err);
/* Users of every batch. */
int mg_store_user_list_all(mg_store *st, mg_user ***out, size_t *n, mg_err *err);
void mg_user_list_free(mg_user **v, size_t n);
/* Is this address already a user of some batch other than except_batch (may be NULL)?
 * Fills *batch_out (caller frees) when non-NULL. */
bool mg_store_email_in_use(mg_store *st, const char *email, const char *except_batch, char **batch_out);

/* Skipped items of a user (kept apart: can be long). */
int mg_store_skipped_load(mg_store *st, const char *batch, const char *email,
                          mg_skipped_rec **out, size_t *n, mg_err *err);
int mg_store_skipped_save(mg_store *st, const char *batch, const char *email,
                          const mg_skipped_rec *v, size_t n, mg_err *err);

/* Per-user report (log lines, no secrets): append one line with a timestamp,
 * read it whole (empty string when none). */
int mg_store_user_report_append(mg_store *st, const char *batch, const char *email,
                                const char *line, mg_err *err);
int mg_store_user_report_read(mg_store *st, const char *batch, const char *email,
                              char **out, mg_err *err);

/* ---- paths (caller frees) ---- */
char *mg_store_path(const mg_store *st, const char *rel);        /* <home>/<rel> */
char *mg_store_batch_dir(const mg_store *st, const char *batch);
char *mg_store_reports_dir(const mg_store *st, const char *batch);
char *mg_store_user_mail_dir(const mg_store *st, const char *email);  /* <home>/mail/<key> */
/* <home>/state/<dest>/<key>; target_endpoint NULL = local store. */
char *mg_store_user_state_dir(const mg_store *st, const char *email, const char *target_endpoint);
char *mg_store_user_report_path(const mg_store *st, const char *batch, const char *email);

#endif
