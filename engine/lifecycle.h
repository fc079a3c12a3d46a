/*
 * lifecycle.h - the batch/user life cycle (Exchange Online's batch cmdlets
 * and batch/user statuses, as their man pages describe them): which admin action is allowed in which batch status and what it
 * changes, and the store-level operations the cmdlets call.
 *
 * Batch status machine (IMAP, following the seed documents).  Actions allowed:
 *   Created               Start Remove Set AddUsers
 *   Starting, Syncing,
 *   Waiting               Stop Remove Set
 *   Stopping              Remove
 *   Stopped               Start Remove Set AddUsers
 *   Synced,
 *   SyncedWithErrors      Start(retry failed users) Stop Complete Remove Set SyncNow AddUsers
 *   IncrementalSyncing    Stop Complete Remove Set SyncNow
 *   Completing            Remove Set
 *   Completed             Remove
 *   CompletedWithErrors,
 *   Failed                Start(retry failed users) Remove Set AddUsers
 *   Removing              Remove (already under way)
 *   Corrupted             Remove
 * What they change:
 *   New       -> Created (users Stopped; CSV-invalid users Failed); -AutoStart: Start.
 *   Start     -> Starting; stopped/failed users (not CSV-invalid ones) -> Queued.
 *             Service: Starting -> Waiting (StartAfter in the future) -> Syncing.
 *   (service) Syncing -> Synced | SyncedWithErrors (some users failed) |
 *             Failed (every user failed) once every user finished its initial sync.
 *   (service) Synced* -> IncrementalSyncing -> Synced* every IncrementalSyncInterval.
 *   SyncNow   -> IncrementalSyncing at once (synced users only; failed not retried).
 *   Stop      -> Stopping (queued users Stopped at once); service cancels running
 *             copies within seconds -> Stopped.  Synced users stay Synced.
 *   Complete  -> Completing (synced users Completing): a final incremental sync of
 *             each, then Completed | CompletedWithErrors; no more syncs.
 *   Remove    -> Removing; running work stopped first, then the records are
 *             deleted (never migrated mail).
 * A refusal is MGC_INVALIDOP, id "InvalidBatchStatus", and says the current
 * status and what is allowed in it, e.g.
 *   "The migration batch 'B1' can't be stopped because its status is Stopped.
 *    Allowed in status Stopped: Start, Remove, Set, AddUsers."
 */
#ifndef MIGSH_ENGINE_LIFECYCLE_H
#define MIGSH_ENGINE_LIFECYCLE_H

#include <stdbool.h>
#include <stddef.h>
#include "common/err.h"
#include "engine/records.h"
#include "engine/sync.h"

struct mg_store;

typedef enum mg_batch_action {
	MG_ACT_START = 0,
	MG_ACT_STOP,
	MG_ACT_COMPLETE,
	MG_ACT_REMOVE,
	MG_ACT_SET,
	MG_ACT_SYNCNOW,
	MG_ACT_ADDUSERS,
	MG_ACT__COUNT
} mg_batch_action;

const char *mg_batch_action_name(mg_batch_action a);   /* "Start" ... */

/* ---- pure status machine (no I/O) ---- */

/* Is action a allowed in status s? */
bool mg_lifecycle_allowed(mg_batch_status s, mg_batch_action a);
/* "Start, Remove, Set" - the actions allowed in s written into buf. */
void mg_lifecycle_allowed_list(mg_batch_status s, char *buf, size_t size);
/* 0 when allowed; else -1 with the refusal message (batch name, status, allowed actions). */
int  mg_lifecycle_check(const mg_batch *b, mg_batch_action a, mg_err *err);
/* Check and apply a to the batch and its users in memory (status changes,
 * requeueing failed users on Start, timestamps).  Remove only sets Removing.
 * Set/AddUsers change nothing here (the caller edits fields). */
int  mg_lifecycle_apply(mg_batch *b, mg_user **users, size_t n, mg_batch_action a,
                        int64_t now, mg_err *err);
/* Finish a stop with nothing running any more: users in progress or waiting
 * -> Stopped (IncrementalStopped when their initial sync was done), batch
 * -> Stopped.  Used by the service, and by mg_batch_stop when no service runs. */
void mg_lifecycle_finish_stop(mg_batch *b, mg_user **users, size_t n, int64_t now);
/* Batch statuses in which the service has work to do. */
bool mg_batch_status_active(mg_batch_status s);
/* User is "running" (Syncing, IncrementalSyncing, Completing, Stopping, Queued...) */
bool mg_user_status_active(mg_user_status s);

/* ---- store-level operations for the cmdlets (lock, load, check, apply, save) ---- */

/* New-MigrationBatch: validates the CSV (csv_batch.h), the name (unique,
 * 1..64 chars, MaxNumberOfBatches with Exchange's text), the endpoints
 * (source must exist; target endpoint, when given, must exist), the
 * ContentFilter; creates the batch and its users.  b is the caller's
 * template (name, endpoints, options); with b->auto_start the batch is
 * started (Starting).  *out (when non-NULL) receives the created batch. */
int mg_batch_create_from_csv(struct mg_store *st, const mg_batch *b,
                             const void *csv, size_t csv_len,
                             mg_batch **out, mg_err *err);
/* The same with b->time_zone already resolved into tz by the caller (who read
 * -StartAfter/-CompleteAfter in it), so the zone is looked up once per command. */
struct mg_tz;
int mg_batch_create_in_zone(struct mg_store *st, const mg_batch *b, const struct mg_tz *tz,
                            const void *csv, size_t csv_len, mg_batch **out, mg_err *err);

/* Set-MigrationBatch -AddUsers -CSVData: rows for addresses already in this
 * batch are skipped; new users are Queued when the batch is running, else Stopped.
 * *added (may be NULL) receives how many users were added. */
int mg_batch_add_users(struct mg_store *st, const char *identity,
                       const void *csv, size_t csv_len, bool allow_unknown_columns,
                       size_t *added, mg_err *err);

int mg_batch_start(struct mg_store *st, const char *identity, mg_err *err);
int mg_batch_stop(struct mg_store *st, const char *identity, mg_err *err);
int mg_batch_complete(struct mg_store *st, const char *identity, mg_err *err);
int mg_batch_sync_now(struct mg_store *st, const char *identity, mg_err *err);
/* Set-MigrationBatch -ApproveSkippedItems: every user's skipped items so far approved. */
int mg_batch_approve_skipped(struct mg_store *st, const char *identity, mg_err *err);
/* Generic Set: load under the lock, check MG_ACT_SET, call edit(b, arg)
 * (which may fail with -1 and err), save.  -Update sets b->req_update. */
int mg_batch_update(struct mg_store *st, const char *identity,
                    int (*edit)(mg_batch *b, void *arg, mg_err *err), void *arg, mg_err *err);
/* Remove-MigrationBatch: a batch with no running work (Created, Stopped,
 * Synced*, Completed*, Failed, Corrupted) is deleted at once; a running one is
 * set to Removing and the service stops it and deletes it - this call then
 * waits up to wait_seconds for that (0 = don't wait).  *removed_now tells
 * whether it is already gone. */
int mg_batch_remove(struct mg_store *st, const char *identity, int wait_seconds,
                    bool *removed_now, mg_err *err);
/* Remove-MigrationUser: refused while the user is being synced. */
int mg_user_remove(struct mg_store *st, const char *identity, mg_err *err);

/* ---- one user of a batch (user_ops.c): Start-, Stop-, Set-MigrationUser ----
 * Allowed when both the user's status and its batch's status allow it (the
 * tables in lifecycle.c); only that user changes, the rest of the batch goes on:
 *   Start  stopped/failed user -> Queued (not CSV-invalid ones); a batch at rest
 *          (Created, Stopped, Failed, CompletedWithErrors) -> Starting.
 *   Stop   -> Stopped / IncrementalStopped at once when no copy runs for it, else
 *          Stopping (the service cancels the copy); no incremental syncs after.
 *   Set    -SyncNow (synced users: an incremental sync now), -ApproveSkippedItems,
 *          -StartAfter / -CompleteAfter of this user (override the batch's).
 * Refusals: MGC_INVALIDOP, "InvalidUserStatus" or "InvalidBatchStatus", e.g.
 *   "The migration user 'a@b.c' can't be stopped because its status is
 *    IncrementalStopped. Allowed in status IncrementalStopped: Start, Set, Remove." */
typedef struct mg_user_settings {
	bool    sync_now;                 /* -SyncNow */
	bool    approve_skipped;          /* -ApproveSkippedItems */
	bool    has_start_after, has_complete_after;
	int64_t start_after, complete_after;   /* UTC; 0 clears */
} mg_user_settings;

/* The rules themselves (lifecycle.c; pure, on records in memory). */
typedef enum mg_user_action {
	MG_UACT_START = 0, MG_UACT_STOP, MG_UACT_SET, MG_UACT_SYNCNOW, MG_UACT_REMOVE, MG_UACT__COUNT
} mg_user_action;
/* Do u's status and its batch b's status allow a?  0, or -1 with the refusal. */
int  mg_user_check(const mg_batch *b, const mg_user *u, mg_user_action a, mg_err *err);
/* What an allowed action changes (after mg_user_check): Start queues u and
 * starts a batch at rest; Stop leaves u Stopping for the service to cancel
 * when service_cancels (the service copies it now), else stops it at once;
 * Set applies s. */
void mg_user_apply_start(mg_batch *b, mg_user *u, int64_t now);
bool mg_user_copying(const mg_user *u);   /* Syncing or IncrementalSyncing */
void mg_user_apply_stop(mg_batch *b, mg_user *u, bool service_cancels);
void mg_user_apply_set(mg_batch *b, mg_user *u, const mg_user_settings *s, int64_t now);

int mg_user_start(struct mg_store *st, const char *identity, mg_err *err);
int mg_user_stop(struct mg_store *st, const char *identity, mg_err *err);
int mg_user_set(struct mg_store *st, const char *identity, const mg_user_settings *s,
                mg_err *err);
/* Queued again, error cleared (Start-MigrationBatch, Start-MigrationUser). */
void mg_user_requeue(mg_user *u, int64_t now);
/* For the service: may the Queued user u start its copy now (its own StartAfter,
 * else the batch's)?  Does a Starting/Waiting batch still wait (its StartAfter,
 * unless a queued user's own StartAfter has come; or every queued user waits
 * for its own)?  A Stopping user without a running copy -> Stopped /
 * IncrementalStopped (true when u changed). */
bool mg_user_may_start(const mg_batch *b, const mg_user *u, int64_t now);
bool mg_batch_start_waits(const mg_batch *b, mg_user *const *users, size_t n, int64_t now);
bool mg_user_settle_stop(mg_user *u);

/* ContentFilter: "Received -gt '8/23/2020'" joined by -and; operators
 * -gt -ge -lt -le -eq; dates M/d/yyyy [H:mm[:ss] [AM|PM]] or yyyy-MM-dd[THH:mm[:ss][Z]],
 * wall-clock times in time_zone (engine/tz.h names; NULL = UTC) unless they end
 * in Z.  Anything else is refused with a clear error.
 * *out: malloc'd array (free()), *n conditions.  NULL or empty s: 0 conditions. */
int mg_content_filter_parse(const char *s, const char *time_zone, mg_date_cond **out, size_t *n,
                            mg_err *err);
/* The same in a zone the caller resolved (engine/tz.h). */
int mg_content_filter_parse_in(const char *s, const struct mg_tz *tz, mg_date_cond **out, size_t *n,
                               mg_err *err);

#endif
