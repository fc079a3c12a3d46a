/*
 * store.h - the state store: one data directory ($MIGSH_HOME) holding the
 * records (endpoints, batches, users, skipped items, per-user reports) in a
 * SQLite database, and beside it the config, per-user sync state, mail
 * (local store), logs and reports as files.
 *
 * Layout (every file 0600, every directory 0700):
 *   <home>/schema                         schema version ("migsh-store 3")
 *   <home>/migsh.db (+ -wal, -shm)        the records (SQLite, WAL mode; store.c) and
 *                                         the service's bookkeeping (store_service.c)
 *   <home>/store.lock                     held while a process opens (or converts) the store
 *   <home>/config.yaml                    mg_config (defaults when absent; a person edits it)
 *   <home>/batches/<key>/reports/         MigrationErrors.csv, summary, notifications
 *   <home>/mail/<key>/                    local store: the user's Maildir++ (never deleted by us)
 *   <home>/state/<dest>/<key>/            per-user sync state and journals (engine/sync.h);
 *                                         <dest> = "local" or "ep-<endpoint key>"
 *   <home>/logs/service.log               service log
 *   <home>/service.pid, service.lock      the background service (service.h)
 * <key> = mg_safe_name() of the lower-cased name or email address: names and
 * addresses are never used as paths as typed.  A data directory of schema 1
 * (one YAML file per record under endpoints/ and batches/) is converted on
 * first open, once (store.c says how a crash during it is survived); the
 * service.yaml of schema 2 moves into the database at the first open of
 * schema 3.
 *
 * Transactions: every change function is atomic on its own.  Wrap a
 * read-modify-write in mg_store_lock()/mg_store_unlock() (or
 * mg_store_commit(), which reports a failed commit): one write transaction,
 * so changes by other processes wait (busy timeout, then a clear error) and
 * nothing is lost or half-done.  Hold it briefly (never across network I/O).
 * Readers never wait for a writer.
 *
 * Errors: a missing record is MGC_NOTFOUND; an unreadable record is
 * MGC_INVALIDDATA naming it; never a crash.
 */
#ifndef MIGSH_ENGINE_STORE_H
#define MIGSH_ENGINE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include "common/err.h"
#include "engine/records.h"

#define MG_STORE_SCHEMA 3

typedef struct mg_store mg_store;

/* The default data directory: $MIGSH_HOME, else $XDG_DATA_HOME/migsh, else
 * $HOME/.local/share/migsh.  Caller frees. */
char *mg_store_default_home(void);

/* Set SQLite up for migsh: call once, first thing in main(), before any
 * store is opened (SQLite takes these settings only before its first use;
 * later calls change nothing). */
void mg_store_setup_library(void);

/* Open (creating the layout when missing) the store at home.  Refuses a
 * store written by a newer schema with a clear error; migrates older ones. */
int  mg_store_open(const char *home, mg_store **out, mg_err *err);
void mg_store_close(mg_store *st);
const char *mg_store_home(const mg_store *st);

/* Recursive, thread-safe and process-safe write transaction around a
 * read-modify-write; the outermost unlock commits. */
int  mg_store_lock(mg_store *st, mg_err *err);
void mg_store_unlock(mg_store *st);
/* mg_store_unlock() that says whether the outermost commit worked
 * (-1: nothing of the transaction was kept). */
int  mg_store_commit(mg_store *st, mg_err *err);
/* How long a change waits for another process's transaction (default 30 s). */
void mg_store_set_busy_timeout(mg_store *st, int ms);
/* Commits of this handle reach the operating system at once (a kill -9
 * loses nothing, every change stays all or nothing) but are flushed to disk
 * at the WAL checkpoints, not one by one: a power failure may roll back the
 * last second of them.  For the service's status and progress writes only
 * (service_daemon.c says why that is safe); the cmdlets keep every commit
 * durable. */
int mg_store_flush_at_checkpoints(mg_store *st, mg_err *err);

/* Exchange Online's "couldn't be found" error for a migration endpoint,
 * batch or user (what), filed under category (the store says ObjectNotFound,
 * the cmdlets NotSpecified, as Exchange does). */
int mg_err_migration_not_found(mg_err *err, mg_err_cat category, const char *what,
                               const char *identity);

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
/* Create the batch with its users (one transaction: all or nothing;
 * MGC_EXISTS when the name is taken).  Does not check limits (lifecycle.h's mg_batch_create does). */
int mg_store_batch_create(mg_store *st, const mg_batch *b, mg_user *const *users, size_t n, mg_err *err);
int mg_store_batch_save(mg_store *st, const mg_batch *b, mg_err *err);
/* Delete the batch's records (batch, users, skipped items, user reports) in
 * one transaction; never mail.  The users' sync state directories are left
 * for the service to remove (mg_store_cleanup_take); the reports directory
 * is removed afterwards (files). */
int mg_store_batch_delete(mg_store *st, const char *name, mg_err *err);
/* All batches sorted by creation time.  A batch whose record is unreadable
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
/* Users of one batch, sorted by CSV line then email.  An unreadable user
 * record is listed as a user with status MG_US_CORRUPTED and error = the message. */
int mg_store_user_list(mg_store *st, const char *batch, mg_user ***out, size_t *n, mg_err *err);
/* Users of every batch. */
int mg_store_user_list_all(mg_store *st, mg_user ***out, size_t *n, mg_err *err);
void mg_user_list_free(mg_user **v, size_t n);

/* Stream users row by row (a few hundred in memory at a time; no
 * transaction is held while cb runs, so cb may change the store).
 * batch NULL = every batch (by batch creation, then CSV line).  status_mask:
 * bit (1u << mg_user_status) per wanted status, 0 = all.  limit < 0 = all.
 * cb gets a user it owns (free with mg_user_free); returns 0 to go on, 1 to
 * stop, -1 to fail (err filled by cb).  Returns 0 or -1. */
typedef int (*mg_user_cb)(mg_user *u, void *arg, mg_err *err);
int mg_store_user_each(mg_store *st, const char *batch, unsigned long status_mask, long long limit,
                       mg_user_cb cb, void *arg, mg_err *err);
/* Users of a batch whose status is in status_mask (index on batch+status),
 * in CSV order, at most limit (< 0 = all). */
int mg_store_user_list_status(mg_store *st, const char *batch, unsigned long status_mask,
                              long long limit, mg_user ***out, size_t *n, mg_err *err);
/* Users of a batch that failed CSV validation (ValidationWarnings), and those
 * that lost items (bad, large, over the item limit: DataConsistencyScore). */
int mg_store_user_list_invalid(mg_store *st, const char *batch, mg_user ***out, size_t *n, mg_err *err);
int mg_store_user_list_lossy(mg_store *st, const char *batch, mg_user ***out, size_t *n, mg_err *err);
/* The users of a batch the service has to look at (index on batch+status):
 * every user in a working status (Validating, Starting, Provisioning,
 * ProvisionUpdating, Syncing, IncrementalSyncing, Completing, Stopping),
 * the Synced/IncrementalSynced users whose incremental sync is due at now
 * (NextSyncDue reached, or interval seconds after the last sync; sync_now:
 * all of them), and at most queued_max (< 0: all) Queued users whose own
 * StartAfter has come (those the service can start now).  In CSV order.
 * A batch at rest costs nothing per user, and one with thousands queued
 * costs only the places free. */
int mg_store_user_list_runnable(mg_store *st, const char *batch, int64_t now, long long interval,
                                bool sync_now, long long queued_max, mg_user ***out, size_t *n, mg_err *err);
/* Counts of a batch (NULL = every batch) by SQL aggregates (the same figures
 * as mg_batch_counts_compute over its users). */
int mg_store_batch_counts(mg_store *st, const char *batch, mg_batch_counts *out, mg_err *err);
/* Users per status of a batch (NULL = all batches): out[mg_user_status]. */
int mg_store_user_status_counts(mg_store *st, const char *batch, long long out[MG_US__COUNT], mg_err *err);
/* Number of users of a batch (NULL = all). */
long long mg_store_user_count(mg_store *st, const char *batch);

/* ---- background clean-up (Remove-MigrationBatch) ----
 * mg_store_batch_delete records the per-user sync state directories of the
 * batch's users in the same transaction; the service removes them later, a
 * few at a time: take = the oldest max paths (NULL-terminated, caller frees
 * with mg_strv_free_all; NULL when none) and *upto, done = forget every one
 * up to *upto.  A user added to a batch again keeps its sync state (dropped
 * from the list). */
char **mg_store_cleanup_take(mg_store *st, size_t max, long long *upto);
int    mg_store_cleanup_done(mg_store *st, long long upto, mg_err *err);

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

/* ---- tab completion ----
 * Names of one kind that start with prefix (ignoring case; NULL or "" =
 * all), in key order, from the kind's index: at most max, and when more
 * match, the last match after them (so that the common prefix of the
 * answer is that of every match).  NULL-terminated; free with
 * mg_strv_free_all.  NULL on error (err filled). */
typedef enum mg_store_name_kind { MG_NAMES_ENDPOINT, MG_NAMES_BATCH, MG_NAMES_USER } mg_store_name_kind;
char **mg_store_names(mg_store *st, mg_store_name_kind kind, const char *prefix, size_t max, mg_err *err);

/* ---- the background service's bookkeeping (service.h) ----
 * What the running service does: its pid, start time, last heartbeat and
 * the copies it runs (batch, user, source endpoint, kind "Initial",
 * "Incremental" or "Final").  The service saves it (one transaction,
 * replacing what was there) every few seconds and whenever its copies
 * change; mg_store_service_read reads it given the data directory alone,
 * without opening the store (no lock, no conversion; all zero when there
 * is no database).  With endpoint non-NULL it also counts that endpoint's
 * copies (name ignoring case): initial ones, and incremental or final ones.
 * mg_store_service_convert moves a service.yaml of schema 2 into the
 * database and removes the file (store.c calls it when it upgrades). */
typedef struct mg_service_rec {
	long long pid;
	int64_t   started, heartbeat;
	long      active_initial, active_incremental;
} mg_service_rec;
typedef struct mg_service_job_rec {
	const char *batch, *email, *endpoint, *kind;
} mg_service_job_rec;
int mg_store_service_save(mg_store *st, const mg_service_rec *r, const mg_service_job_rec *jobs, size_t n,
                          mg_err *err);
int mg_store_service_read(const char *home, const char *endpoint, mg_service_rec *out, long *ep_initial,
                          long *ep_incremental, mg_err *err);
int mg_store_service_convert(mg_store *st, mg_err *err);

/* ---- dump and restore (a readable copy of the whole state) ----
 * dump: write every record into dir (created; must not exist) in the YAML
 * layout of schema 1 (endpoints/<key>.yaml, batches/<key>/batch.yaml,
 * batches/<key>/users/<key>.yaml, .skipped.yaml, .log), plus config.yaml.
 * restore: read such a directory into the store, replacing its records
 * (one transaction); refused while the store holds records unless replace. */
int mg_store_dump(mg_store *st, const char *dir, mg_err *err);
int mg_store_restore(mg_store *st, const char *dir, bool replace, mg_err *err);

#endif
