/*
 * lifecycle.c - the batch status machine (lifecycle.h): which admin action
 * is allowed in which status, and what it changes in the batch and its
 * users.  Pure functions on records; batch_ops.c wraps them with the store.
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
