/*
 * lifecycle.c - the batch status machine (lifecycle.h): which admin action
 * is allowed in which status, and what it changes in the batch and its
 * users; the same for one user's actions (Start-, Stop-, Set-MigrationUser)
 * and the user questions the service asks.  Pure functions on records;
 * batch_ops.c and user_ops.c wrap them with the store.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/mem.h"
#include "engine/lifecycle.h"

#define A(x) (1u << (x))
#define START    A(MG_ACT_START)
#define STOP     A(MG_ACT_STOP)
#define COMPLETE A(MG_ACT_COMPLETE)
#define REMOVE   A(MG_ACT_REMOVE)
#define SET      A(MG_ACT_SET)
#define SYNCNOW  A(MG_ACT_SYNCNOW)
#define ADDUSERS A(MG_ACT_ADDUSERS)

/* The table of section 7 / 9.1 (see lifecycle.h for the reasoning). */
static const unsigned allowed[MG_BS__COUNT] = {
	[MG_BS_CREATED]               = START | REMOVE | SET | ADDUSERS,
	[MG_BS_STARTING]              = STOP | REMOVE | SET,
	[MG_BS_SYNCING]               = STOP | REMOVE | SET,
	[MG_BS_STOPPING]              = REMOVE,
	[MG_BS_STOPPED]               = START | REMOVE | SET | ADDUSERS,
	[MG_BS_SYNCED]                = START | STOP | COMPLETE | REMOVE | SET | SYNCNOW | ADDUSERS,
	[MG_BS_SYNCED_WITH_ERRORS]    = START | STOP | COMPLETE | REMOVE | SET | SYNCNOW | ADDUSERS,
	[MG_BS_INCREMENTAL_SYNCING]   = STOP | COMPLETE | REMOVE | SET | SYNCNOW,
	[MG_BS_COMPLETING]            = REMOVE | SET,
	[MG_BS_COMPLETED]             = REMOVE,
	[MG_BS_COMPLETED_WITH_ERRORS] = START | REMOVE | SET | ADDUSERS,
	[MG_BS_FAILED]                = START | REMOVE | SET | ADDUSERS,
	[MG_BS_REMOVING]              = REMOVE,
	[MG_BS_CORRUPTED]             = REMOVE,
	[MG_BS_WAITING]               = STOP | REMOVE | SET,
};

static const char *const action_names[MG_ACT__COUNT] = {
	"Start", "Stop", "Complete", "Remove", "Set", "SyncNow", "AddUsers",
};

static const char *const action_verbs[MG_ACT__COUNT] = {
	"started", "stopped", "completed", "removed", "changed", "synchronized now (-SyncNow)",
	"given new users (-AddUsers)",
};

const char *mg_batch_action_name(mg_batch_action a)
{
	return (unsigned)a < MG_ACT__COUNT ? action_names[a] : "?";
}

bool mg_lifecycle_allowed(mg_batch_status s, mg_batch_action a)
{
	if ((unsigned)s >= MG_BS__COUNT || (unsigned)a >= MG_ACT__COUNT)
		return false;
	return (allowed[s] & A(a)) != 0;
}

void mg_lifecycle_allowed_list(mg_batch_status s, char *buf, size_t size)
{
	size_t used = 0;
	if (size)
		buf[0] = '\0';
	for (int a = 0; a < MG_ACT__COUNT; a++) {
		if (!mg_lifecycle_allowed(s, (mg_batch_action)a))
			continue;
		int w = snprintf(buf + used, size > used ? size - used : 0, "%s%s",
		                 used ? ", " : "", action_names[a]);
		if (w > 0)
			used += (size_t)w;
		if (used >= size)
			break;
	}
	if (used == 0 && size)
		snprintf(buf, size, "nothing");
}

int mg_lifecycle_check(const mg_batch *b, mg_batch_action a, mg_err *err)
{
	if (mg_lifecycle_allowed(b->status, a))
		return 0;
	char list[128];
	mg_lifecycle_allowed_list(b->status, list, sizeof list);
	const char *st = mg_batch_status_name(b->status);
	return mg_err_set(err, MGC_INVALIDOP, "InvalidBatchStatus",
	                  "The migration batch '%s' can't be %s because its status is %s. "
	                  "Allowed in status %s: %s.",
	                  b->name, (unsigned)a < MG_ACT__COUNT ? action_verbs[a] : "changed",
	                  st, st, list);
}

bool mg_batch_status_active(mg_batch_status s)
{
	switch (s) {
	case MG_BS_STARTING: case MG_BS_SYNCING: case MG_BS_WAITING: case MG_BS_STOPPING:
	case MG_BS_SYNCED: case MG_BS_SYNCED_WITH_ERRORS: case MG_BS_INCREMENTAL_SYNCING:
	case MG_BS_COMPLETING: case MG_BS_REMOVING:
		return true;
	default:
		return false;
	}
}

bool mg_user_status_active(mg_user_status s)
{
	switch (s) {
	case MG_US_QUEUED: case MG_US_VALIDATING: case MG_US_STARTING: case MG_US_PROVISIONING:
	case MG_US_PROVISION_UPDATING: case MG_US_SYNCING: case MG_US_INCREMENTAL_SYNCING:
	case MG_US_COMPLETING: case MG_US_STOPPING: case MG_US_REMOVING:
		return true;
	default:
		return false;
	}
}

void mg_user_requeue(mg_user *u, int64_t now)
{
	u->status = MG_US_QUEUED;
	u->queued_at = now;
	free(u->error);
	free(u->error_summary);
	free(u->error_category);
	u->error = u->error_summary = u->error_category = NULL;
}

int mg_lifecycle_apply(mg_batch *b, mg_user **users, size_t n, mg_batch_action a,
                       int64_t now, mg_err *err)
{
	if (mg_lifecycle_check(b, a, err) < 0)
		return -1;
	switch (a) {
	case MG_ACT_START:
		b->status = MG_BS_STARTING;
		b->started = now;
		free(b->message);
		b->message = NULL;
		for (size_t i = 0; i < n; i++) {
			mg_user *u = users[i];
			if (u->validation_failed || u->status == MG_US_CORRUPTED)
				continue;
			switch (u->status) {
			case MG_US_STOPPED: case MG_US_INCREMENTAL_STOPPED: case MG_US_STOPPING:
			case MG_US_FAILED: case MG_US_INCREMENTAL_FAILED: case MG_US_COMPLETION_FAILED:
			case MG_US_QUEUED: case MG_US_SYNCING: case MG_US_STARTING: case MG_US_VALIDATING:
				mg_user_requeue(u, now);
				break;
			default:
				break;
			}
		}
		break;
	case MG_ACT_STOP:
		b->status = MG_BS_STOPPING;
		for (size_t i = 0; i < n; i++)
			if (users[i]->status == MG_US_QUEUED)
				users[i]->status = MG_US_STOPPED;   /* not running: stopped at once */
		break;
	case MG_ACT_COMPLETE:
		b->status = MG_BS_COMPLETING;
		for (size_t i = 0; i < n; i++)
			if (users[i]->status == MG_US_SYNCED || users[i]->status == MG_US_INCREMENTAL_SYNCED)
				users[i]->status = MG_US_COMPLETING;   /* waiting for the final sync */
		break;
	case MG_ACT_REMOVE:
		b->status = MG_BS_REMOVING;
		break;
	case MG_ACT_SYNCNOW:
		b->status = MG_BS_INCREMENTAL_SYNCING;
		b->req_sync_now = true;
		for (size_t i = 0; i < n; i++)
			if (users[i]->status == MG_US_SYNCED || users[i]->status == MG_US_INCREMENTAL_SYNCED)
				users[i]->next_sync_due = now;
		break;
	case MG_ACT_SET:
	case MG_ACT_ADDUSERS:
	default:
		break;
	}
	return 0;
}

void mg_lifecycle_finish_stop(mg_batch *b, mg_user **users, size_t n, int64_t now)
{
	(void)now;
	for (size_t i = 0; i < n; i++) {
		mg_user *u = users[i];
		switch (u->status) {
		case MG_US_QUEUED: case MG_US_VALIDATING: case MG_US_STARTING: case MG_US_PROVISIONING:
		case MG_US_PROVISION_UPDATING: case MG_US_SYNCING: case MG_US_STOPPING:
			u->status = u->initial_done ? MG_US_INCREMENTAL_STOPPED : MG_US_STOPPED;
			break;
		case MG_US_INCREMENTAL_SYNCING: case MG_US_COMPLETING:
			u->status = MG_US_INCREMENTAL_STOPPED;
			break;
		default:
			break;
		}
	}
	b->status = MG_BS_STOPPED;
	b->req_sync_now = false;
}

/* ---- one user of a batch: the rules of Start-, Stop- and Set-MigrationUser ----
 * A user action is allowed when the user's status allows it (user_allowed)
 * and its batch's status allows it for its users (batch_allowed); the
 * refusal names the user, the status that refused and what that status
 * allows, in the wording of the batch refusals above. */

#define U(x) (1u << (x))
#define U_START   U(MG_UACT_START)
#define U_STOP    U(MG_UACT_STOP)
#define U_SET     U(MG_UACT_SET)
#define U_SYNCNOW U(MG_UACT_SYNCNOW)
#define U_REMOVE  U(MG_UACT_REMOVE)

static const char *const user_action_names[MG_UACT__COUNT] = { "Start", "Stop", "Set", "SyncNow", "Remove" };
static const char *const user_action_verbs[MG_UACT__COUNT] = {
	"started", "stopped", "changed", "synchronized now (-SyncNow)", "removed",
};

/* What the user's own status allows (Remove as Remove-MigrationUser allows it). */
static const unsigned user_allowed[MG_US__COUNT] = {
	[MG_US_QUEUED]                  = U_STOP | U_SET | U_REMOVE,
	[MG_US_VALIDATING]              = U_STOP | U_SET | U_REMOVE,
	[MG_US_STARTING]                = U_STOP | U_SET | U_REMOVE,
	[MG_US_PROVISIONING]            = U_STOP | U_SET | U_REMOVE,
	[MG_US_PROVISION_UPDATING]      = U_STOP | U_SET | U_REMOVE,
	[MG_US_SYNCING]                 = U_STOP | U_SET,
	[MG_US_SYNCED]                  = U_STOP | U_SET | U_SYNCNOW | U_REMOVE,
	[MG_US_INCREMENTAL_SYNCING]     = U_STOP | U_SET,
	[MG_US_INCREMENTAL_SYNCED]      = U_STOP | U_SET | U_SYNCNOW | U_REMOVE,
	[MG_US_COMPLETING]              = U_SET,
	[MG_US_COMPLETION_SYNCED]       = U_SET | U_REMOVE,
	[MG_US_COMPLETED]               = U_SET | U_REMOVE,
	[MG_US_FAILED]                  = U_START | U_SET | U_REMOVE,
	[MG_US_INCREMENTAL_FAILED]      = U_START | U_SET | U_REMOVE,
	[MG_US_COMPLETION_FAILED]       = U_START | U_SET | U_REMOVE,
	[MG_US_COMPLETED_WITH_WARNINGS] = U_SET | U_REMOVE,
	[MG_US_CORRUPTED]               = U_REMOVE,
	[MG_US_STOPPING]                = U_SET,
	[MG_US_STOPPED]                 = U_START | U_SET | U_REMOVE,
	[MG_US_INCREMENTAL_STOPPED]     = U_START | U_SET | U_REMOVE,
	[MG_US_REMOVING]                = 0,
};

/* What the batch's status allows for one of its users. */
static const unsigned batch_allowed[MG_BS__COUNT] = {
	[MG_BS_CREATED]               = U_START | U_SET | U_REMOVE,
	[MG_BS_STARTING]              = U_START | U_STOP | U_SET | U_REMOVE,
	[MG_BS_SYNCING]               = U_START | U_STOP | U_SET | U_SYNCNOW | U_REMOVE,
	[MG_BS_STOPPING]              = U_SET | U_REMOVE,
	[MG_BS_STOPPED]               = U_START | U_SET | U_REMOVE,
	[MG_BS_SYNCED]                = U_START | U_STOP | U_SET | U_SYNCNOW | U_REMOVE,
	[MG_BS_SYNCED_WITH_ERRORS]    = U_START | U_STOP | U_SET | U_SYNCNOW | U_REMOVE,
	[MG_BS_INCREMENTAL_SYNCING]   = U_START | U_STOP | U_SET | U_SYNCNOW | U_REMOVE,
	[MG_BS_COMPLETING]            = U_SET | U_REMOVE,
	[MG_BS_COMPLETED]             = U_REMOVE,
	[MG_BS_COMPLETED_WITH_ERRORS] = U_START | U_SET | U_REMOVE,
	[MG_BS_FAILED]                = U_START | U_SET | U_REMOVE,
	[MG_BS_REMOVING]              = 0,
	[MG_BS_CORRUPTED]             = U_REMOVE,
	[MG_BS_WAITING]               = U_START | U_STOP | U_SET | U_REMOVE,
};

static void user_allowed_list(unsigned mask, char *buf, size_t size)
{
	size_t used = 0;
	buf[0] = '\0';
	for (int a = 0; a < MG_UACT__COUNT; a++) {
		if (!(mask & U(a)))
			continue;
		int w = snprintf(buf + used, size - used, "%s%s", used ? ", " : "", user_action_names[a]);
		if (w < 0 || (size_t)w >= size - used)
			break;
		used += (size_t)w;
	}
	if (!used)
		snprintf(buf, size, "nothing");
}

int mg_user_check(const mg_batch *b, const mg_user *u, mg_user_action a, mg_err *err)
{
	char list[96];
	unsigned bm = (unsigned)b->status < MG_BS__COUNT ? batch_allowed[b->status] : 0;
	if (!(bm & U(a))) {
		const char *bs = mg_batch_status_name(b->status);
		user_allowed_list(bm, list, sizeof list);
		return mg_err_set(err, MGC_INVALIDOP, "InvalidBatchStatus",
		                  "The migration user '%s' can't be %s because the status of its "
		                  "migration batch '%s' is %s. Allowed for the users of a %s batch: %s.",
		                  u->email, user_action_verbs[a], b->name, bs, bs, list);
	}
	if (a == MG_UACT_START && u->validation_failed)
		return mg_err_set(err, MGC_INVALIDOP, "InvalidUserStatus",
		                  "The migration user '%s' can't be started because its row of the CSV "
		                  "failed validation: %s Correct the row, then remove the user "
		                  "(Remove-MigrationUser) and add it again (Set-MigrationBatch %s "
		                  "-AddUsers).", u->email, u->error ? u->error : "", b->name);
	unsigned um = (unsigned)u->status < MG_US__COUNT ? user_allowed[u->status] : 0;
	if (!(um & U(a))) {
		const char *us = mg_user_status_name(u->status);
		user_allowed_list(um, list, sizeof list);
		return mg_err_set(err, MGC_INVALIDOP, "InvalidUserStatus",
		                  "The migration user '%s' can't be %s because its status is %s. "
		                  "Allowed in status %s: %s.", u->email, user_action_verbs[a], us, us, list);
	}
	return 0;
}

static bool batch_at_rest(mg_batch_status s)
{
	return s == MG_BS_CREATED || s == MG_BS_STOPPED || s == MG_BS_FAILED ||
	       s == MG_BS_COMPLETED_WITH_ERRORS;
}

void mg_user_apply_start(mg_batch *b, mg_user *u, int64_t now)
{
	mg_user_requeue(u, now);
	if (batch_at_rest(b->status)) {
		b->status = MG_BS_STARTING;
		b->started = now;
		free(b->message);
		b->message = NULL;
	}
	b->req_update = true;   /* the service looks at the batch's users again */
}

bool mg_user_copying(const mg_user *u)
{
	return u->status == MG_US_SYNCING || u->status == MG_US_INCREMENTAL_SYNCING;
}

void mg_user_apply_stop(mg_batch *b, mg_user *u, bool service_cancels)
{
	u->status = MG_US_STOPPING;
	if (service_cancels)
		b->req_update = true;           /* the service cancels its copy */
	else
		(void)mg_user_settle_stop(u);   /* nothing runs for it: stopped at once */
	u->next_sync_due = 0;
}

void mg_user_apply_set(mg_batch *b, mg_user *u, const mg_user_settings *s, int64_t now)
{
	if (s->sync_now)
		u->next_sync_due = now;
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
}

/* ---- one user: for the service (scheduler.c) ---- */

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
