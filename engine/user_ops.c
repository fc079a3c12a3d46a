/*
 * user_ops.c - one user of a batch (lifecycle.h): the status rules of
 * Start-, Stop- and Set-MigrationUser, the store-level operations the
 * cmdlets call (each under the store lock, like batch_ops.c), and the few
 * questions the service asks about a user (its own StartAfter, a stop of
 * that user alone).
 *
 * A user action is allowed when the user's status allows it (user_allowed)
 * and its batch's status allows it for its users (batch_allowed); the
 * refusal names the user, the status that refused and what that status
 * allows, in the wording of the batch refusals (lifecycle.c).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/mem.h"
#include "engine/lifecycle.h"
#include "engine/service.h"
#include "engine/store.h"

typedef enum user_action { UA_START = 0, UA_STOP, UA_SET, UA_SYNCNOW, UA_REMOVE, UA__COUNT } user_action;

#define U(x) (1u << (x))
#define START   U(UA_START)
#define STOP    U(UA_STOP)
#define SET     U(UA_SET)
#define SYNCNOW U(UA_SYNCNOW)
#define REMOVE  U(UA_REMOVE)

static const char *const action_names[UA__COUNT] = { "Start", "Stop", "Set", "SyncNow", "Remove" };
static const char *const action_verbs[UA__COUNT] = {
	"started", "stopped", "changed", "synchronized now (-SyncNow)", "removed",
};

/* What the user's own status allows (Remove as Remove-MigrationUser allows it). */
static const unsigned user_allowed[MG_US__COUNT] = {
	[MG_US_QUEUED]                  = STOP | SET | REMOVE,
	[MG_US_VALIDATING]              = STOP | SET | REMOVE,
	[MG_US_STARTING]                = STOP | SET | REMOVE,
	[MG_US_PROVISIONING]            = STOP | SET | REMOVE,
	[MG_US_PROVISION_UPDATING]      = STOP | SET | REMOVE,
	[MG_US_SYNCING]                 = STOP | SET,
	[MG_US_SYNCED]                  = STOP | SET | SYNCNOW | REMOVE,
	[MG_US_INCREMENTAL_SYNCING]     = STOP | SET,
	[MG_US_INCREMENTAL_SYNCED]      = STOP | SET | SYNCNOW | REMOVE,
	[MG_US_COMPLETING]              = SET,
	[MG_US_COMPLETION_SYNCED]       = SET | REMOVE,
	[MG_US_COMPLETED]               = SET | REMOVE,
	[MG_US_FAILED]                  = START | SET | REMOVE,
	[MG_US_INCREMENTAL_FAILED]      = START | SET | REMOVE,
	[MG_US_COMPLETION_FAILED]       = START | SET | REMOVE,
	[MG_US_COMPLETED_WITH_WARNINGS] = SET | REMOVE,
	[MG_US_CORRUPTED]               = REMOVE,
	[MG_US_STOPPING]                = SET,
	[MG_US_STOPPED]                 = START | SET | REMOVE,
	[MG_US_INCREMENTAL_STOPPED]     = START | SET | REMOVE,
	[MG_US_REMOVING]                = 0,
};

/* What the batch's status allows for one of its users. */
static const unsigned batch_allowed[MG_BS__COUNT] = {
	[MG_BS_CREATED]               = START | SET | REMOVE,
	[MG_BS_STARTING]              = START | STOP | SET | REMOVE,
	[MG_BS_SYNCING]               = START | STOP | SET | SYNCNOW | REMOVE,
	[MG_BS_STOPPING]              = SET | REMOVE,
	[MG_BS_STOPPED]               = START | SET | REMOVE,
	[MG_BS_SYNCED]                = START | STOP | SET | SYNCNOW | REMOVE,
	[MG_BS_SYNCED_WITH_ERRORS]    = START | STOP | SET | SYNCNOW | REMOVE,
	[MG_BS_INCREMENTAL_SYNCING]   = START | STOP | SET | SYNCNOW | REMOVE,
	[MG_BS_COMPLETING]            = SET | REMOVE,
	[MG_BS_COMPLETED]             = REMOVE,
	[MG_BS_COMPLETED_WITH_ERRORS] = START | SET | REMOVE,
	[MG_BS_FAILED]                = START | SET | REMOVE,
	[MG_BS_REMOVING]              = 0,
	[MG_BS_CORRUPTED]             = REMOVE,
	[MG_BS_WAITING]               = START | STOP | SET | REMOVE,
};

static void allowed_list(unsigned mask, char *buf, size_t size)
{
	size_t used = 0;
	buf[0] = '\0';
	for (int a = 0; a < UA__COUNT; a++) {
		if (!(mask & U(a)))
			continue;
		int w = snprintf(buf + used, size - used, "%s%s", used ? ", " : "", action_names[a]);
		if (w < 0 || (size_t)w >= size - used)
			break;
		used += (size_t)w;
	}
	if (!used)
		snprintf(buf, size, "nothing");
}

static int check(const mg_batch *b, const mg_user *u, user_action a, mg_err *err)
{
	char list[96];
	unsigned bm = (unsigned)b->status < MG_BS__COUNT ? batch_allowed[b->status] : 0;
	if (!(bm & U(a))) {
		const char *bs = mg_batch_status_name(b->status);
		allowed_list(bm, list, sizeof list);
		return mg_err_set(err, MGC_INVALIDOP, "InvalidBatchStatus",
		                  "The migration user '%s' can't be %s because the status of its "
		                  "migration batch '%s' is %s. Allowed for the users of a %s batch: %s.",
		                  u->email, action_verbs[a], b->name, bs, bs, list);
	}
	if (a == UA_START && u->validation_failed)
		return mg_err_set(err, MGC_INVALIDOP, "InvalidUserStatus",
		                  "The migration user '%s' can't be started because its row of the CSV "
		                  "failed validation: %s Correct the row, then remove the user "
		                  "(Remove-MigrationUser) and add it again (Set-MigrationBatch %s "
		                  "-AddUsers).", u->email, u->error ? u->error : "", b->name);
	unsigned um = (unsigned)u->status < MG_US__COUNT ? user_allowed[u->status] : 0;
	if (!(um & U(a))) {
		const char *us = mg_user_status_name(u->status);
		allowed_list(um, list, sizeof list);
		return mg_err_set(err, MGC_INVALIDOP, "InvalidUserStatus",
		                  "The migration user '%s' can't be %s because its status is %s. "
		                  "Allowed in status %s: %s.", u->email, action_verbs[a], us, us, list);
	}
	return 0;
}

static bool service_running(mg_store *st)
{
	mg_service_info si;
	return mg_service_status(mg_store_home(st), &si, NULL) == 0 && si.running;
}

static bool batch_at_rest(mg_batch_status s)
{
	return s == MG_BS_CREATED || s == MG_BS_STOPPED || s == MG_BS_FAILED ||
	       s == MG_BS_COMPLETED_WITH_ERRORS;
}

typedef int (*user_edit)(mg_store *st, mg_batch *b, mg_user *u, const void *arg, mg_err *err);

/* Under the lock: find the user (any batch), load its batch, edit, save both. */
static int with_user(mg_store *st, const char *identity, user_edit edit, const void *arg,
                     mg_err *err)
{
	mg_user *u = NULL;
	mg_batch *b = NULL;
	if (mg_store_lock(st, err) < 0)
		return -1;
	int rc = mg_store_user_find(st, identity, &u, err);
	if (rc == 0)
		rc = mg_store_batch_load(st, u->batch, &b, err);
	if (rc == 0)
		rc = edit(st, b, u, arg, err);
	if (rc == 0)
		rc = mg_store_user_save(st, u, err);
	if (rc == 0)
		rc = mg_store_batch_save(st, b, err);
	mg_store_unlock(st);
	mg_batch_free(b);
	mg_user_free(u);
	return rc;
}

static int start_edit(mg_store *st, mg_batch *b, mg_user *u, const void *arg, mg_err *err)
{
	(void)st;
	(void)arg;
	if (check(b, u, UA_START, err) < 0)
		return -1;
	int64_t now = mg_now();
	mg_user_requeue(u, now);
	if (batch_at_rest(b->status)) {
		b->status = MG_BS_STARTING;
		b->started = now;
		free(b->message);
		b->message = NULL;
	}
	b->req_update = true;   /* the service looks at the batch's users again */
	return 0;
}

int mg_user_start(mg_store *st, const char *identity, mg_err *err)
{
	return with_user(st, identity, start_edit, NULL, err);
}

static int stop_edit(mg_store *st, mg_batch *b, mg_user *u, const void *arg, mg_err *err)
{
	(void)arg;
	if (check(b, u, UA_STOP, err) < 0)
		return -1;
	bool copying = u->status == MG_US_SYNCING || u->status == MG_US_INCREMENTAL_SYNCING;
	if (copying && service_running(st)) {
		u->status = MG_US_STOPPING;   /* the service cancels its copy */
		b->req_update = true;
	} else {
		u->status = MG_US_STOPPING;
		(void)mg_user_settle_stop(u);   /* nothing runs for it: stopped at once */
	}
	u->next_sync_due = 0;
	return 0;
}

int mg_user_stop(mg_store *st, const char *identity, mg_err *err)
{
	return with_user(st, identity, stop_edit, NULL, err);
}

static int set_edit(mg_store *st, mg_batch *b, mg_user *u, const void *arg, mg_err *err)
{
	(void)st;
	const mg_user_settings *s = arg;
	if (check(b, u, UA_SET, err) < 0)
		return -1;
	if (s->sync_now) {
		if (check(b, u, UA_SYNCNOW, err) < 0)
			return -1;
		u->next_sync_due = mg_now();
	}
	if (s->approve_skipped) {
		u->approved_skipped_count = u->skipped_items;
		u->skipped_approved = true;
	}
	if (s->has_start_after)
		u->start_after = s->start_after;
	if (s->has_complete_after)
		u->complete_after = s->complete_after;
	if (s->sync_now || s->has_start_after)
		b->req_update = true;
	return 0;
}

int mg_user_set(mg_store *st, const char *identity, const mg_user_settings *s, mg_err *err)
{
	return with_user(st, identity, set_edit, s, err);
}

/* ---- for the service (scheduler.c) ---- */

static int64_t start_time(const mg_batch *b, const mg_user *u)
{
	return u->start_after ? u->start_after : b->start_after;
}

bool mg_user_may_start(const mg_batch *b, const mg_user *u, int64_t now)
{
	return start_time(b, u) <= now;
}

bool mg_batch_start_waits(const mg_batch *b, mg_user *const *users, size_t n, int64_t now)
{
	size_t queued = 0;
	for (size_t i = 0; i < n; i++) {
		if (users[i]->status != MG_US_QUEUED)
			continue;
		if (mg_user_may_start(b, users[i], now))
			return false;
		queued++;
	}
	return queued > 0 || (b->start_after && b->start_after > now);
}

bool mg_user_settle_stop(mg_user *u)
{
	if (u->status != MG_US_STOPPING)
		return false;
	u->status = u->initial_done ? MG_US_INCREMENTAL_STOPPED : MG_US_STOPPED;
	return true;
}
