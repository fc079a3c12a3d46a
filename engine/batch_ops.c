/*
 * batch_ops.c - the store-level batch operations the cmdlets call
 * (lifecycle.h): create a batch from a CSV, add users, start, stop,
 * complete, sync now, approve skipped items, set, remove.  Each one holds
 * the store lock around its read-modify-write; the background service
 * (service.h) does the actual work.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/mem.h"
#include "common/str.h"
#include "engine/csv_batch.h"
#include "engine/lifecycle.h"
#include "engine/service.h"
#include "engine/store.h"
#include "engine/tz.h"

static int check_name(const char *name, mg_err *err)
{
	if (!name || !*name)
		return mg_err_set(err, MGC_INVALIDARG, "InvalidBatchName", "The batch name must not be empty.");
	size_t chars = 0;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		if ((*p & 0xc0) != 0x80)
			chars++;
		if (*p < 0x20 || *p == 0x7f)
			return mg_err_set(err, MGC_INVALIDARG, "InvalidBatchName",
			                  "The batch name must not contain control characters.");
	}
	if (chars > 64)
		return mg_err_set(err, MGC_INVALIDARG, "InvalidBatchName",
		                  "The batch name '%s' is longer than 64 characters.", name);
	return 0;
}

int mg_batch_create_from_csv(mg_store *st, const mg_batch *tmpl, const void *csv, size_t csv_len,
                             mg_batch **out, mg_err *err)
{
	if (out)
		*out = NULL;
	if (check_name(tmpl->name, err) < 0)
		return -1;
	mg_tz *tz = NULL;
	if (mg_tz_open(tmpl->time_zone, &tz, err) < 0)
		return -1;
	int rc = mg_batch_create_in_zone(st, tmpl, tz, csv, csv_len, out, err);
	mg_tz_free(tz);
	return rc;
}

int mg_batch_create_in_zone(mg_store *st, const mg_batch *tmpl, const mg_tz *tz, const void *csv,
                            size_t csv_len, mg_batch **out, mg_err *err)
{
	if (out)
		*out = NULL;
	if (check_name(tmpl->name, err) < 0)
		return -1;
	/* the filter is checked here, once; the service parses the stored text when it syncs */
	mg_date_cond *dc = NULL;
	size_t ndc = 0;
	if (mg_content_filter_parse_in(tmpl->content_filter, tz, &dc, &ndc, err) < 0)
		return -1;
	free(dc);
	mg_csv_batch cb;
	if (mg_csv_parse_batch(csv, csv_len, tmpl->allow_unknown_columns, &cb, err) < 0)
		return -1;

	mg_batch *b = NULL;
	mg_user **users = NULL;
	size_t n = 0;
	mg_endpoint *ep = NULL;
	int rc = mg_store_lock(st, err);
	if (rc < 0) {
		mg_csv_batch_free(&cb);
		return -1;
	}
	mg_config cfg;
	rc = mg_store_config_load(st, &cfg, err);
	if (rc == 0 && !mg_config_can_submit(&cfg, mg_store_batch_count(st)))
		rc = mg_err_set(err, MGC_LIMIT, "MaxNumberOfBatches",
		                "The maximum number of migration batches is already running. "
		                "Please remove a batch before you add another one.");
	if (rc == 0) {
		mg_batch *old = NULL;
		mg_err e2 = { 0 };
		if (mg_store_batch_load(st, tmpl->name, &old, &e2) == 0 || e2.category != MGC_NOTFOUND) {
			rc = mg_err_set(err, MGC_EXISTS, "MigrationBatchDuplicate",
			                "A migration batch named '%s' already exists. Choose another name, or "
			                "remove the old batch first (Remove-MigrationBatch).", tmpl->name);
		}
		mg_batch_free(old);
	}
	if (rc == 0) {
		if (!tmpl->source_endpoint || !*tmpl->source_endpoint)
			rc = mg_err_set(err, MGC_INVALIDARG, "SourceEndpointRequired",
			                "An IMAP migration batch needs -SourceEndpoint (the name of an IMAP migration endpoint).");
		else
			rc = mg_store_endpoint_load(st, tmpl->source_endpoint, &ep, err);
	}
	if (rc == 0 && tmpl->target_endpoint) {
		mg_endpoint *tep = NULL;
		rc = mg_store_endpoint_load(st, tmpl->target_endpoint, &tep, err);
		if (rc == 0 && !tep->admin_user)
			rc = mg_err_set(err, MGC_INVALIDARG, "TargetEndpointNoAdmin",
			                "The target endpoint '%s' has no admin credentials; migsh logs in to the "
			                "target as each user through an admin account. Add them with "
			                "Set-MigrationEndpoint %s -Credentials (or -UserName and -Password).",
			                tep->name, tep->name);
		mg_endpoint_free(tep);
	}
	if (rc == 0) {
		mg_csv_check_in_use(&cb, st, NULL);
		b = mg_batch_dup(tmpl);
		mg_guid_new(b->guid);
		b->status = MG_BS_CREATED;
		b->created = mg_now();
		free(b->source_endpoint);
		b->source_endpoint = xstrdup(ep->name);   /* canonical name (identity may be a Guid) */
		free(b->message);
		b->message = NULL;
		b->req_sync_now = b->req_update = false;
		rc = mg_csv_to_users(&cb, b->name, &users, &n, err);
	}
	if (rc == 0 && b->auto_start)
		rc = mg_lifecycle_apply(b, users, n, MG_ACT_START, mg_now(), err);
	if (rc == 0)
		rc = mg_store_batch_create(st, b, users, n, err);
	for (size_t i = 0; rc == 0 && i < n; i++)
		if (users[i]->validation_failed) {
			char *line = xasprintf("Validation failed; this user is not migrated: %s", users[i]->error);
			(void)mg_store_user_report_append(st, b->name, users[i]->email, line, NULL);
			free(line);
		}
	/* one transaction: the whole batch or nothing */
	if (mg_store_commit(st, rc == 0 ? err : NULL) < 0)
		rc = -1;
	mg_csv_batch_free(&cb);
	mg_user_list_free(users, n);
	mg_endpoint_free(ep);
	if (rc == 0 && out)
		*out = b;
	else
		mg_batch_free(b);
	return rc;
}

int mg_batch_add_users(mg_store *st, const char *identity, const void *csv, size_t csv_len,
                       bool allow_unknown_columns, size_t *added, mg_err *err)
{
	if (added)
		*added = 0;
	mg_batch *b = NULL;
	mg_csv_batch cb = { 0 };
	mg_user **users = NULL;
	size_t n = 0;
	int rc = mg_store_lock(st, err);
	if (rc < 0)
		return -1;
	rc = mg_store_batch_load(st, identity, &b, err);
	if (rc == 0)
		rc = mg_lifecycle_check(b, MG_ACT_ADDUSERS, err);
	if (rc == 0)
		rc = mg_csv_parse_batch(csv, csv_len, allow_unknown_columns || b->allow_unknown_columns, &cb, err);
	if (rc == 0) {
		mg_csv_check_in_use(&cb, st, b->name);
		rc = mg_csv_to_users(&cb, b->name, &users, &n, err);
	}
	bool running = rc == 0 && mg_batch_status_active(b->status) && b->status != MG_BS_STOPPING &&
	               b->status != MG_BS_REMOVING && b->status != MG_BS_COMPLETING;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		mg_user *old = NULL;
		mg_err e2 = { 0 };
		if (mg_store_user_load(st, b->name, users[i]->email, &old, &e2) == 0 ||
		    e2.category != MGC_NOTFOUND) {
			mg_user_free(old);
			continue;   /* already in this batch: only rows for new users are added */
		}
		if (running && users[i]->status == MG_US_STOPPED) {
			users[i]->status = MG_US_QUEUED;
			users[i]->queued_at = mg_now();
		}
		rc = mg_store_user_save(st, users[i], err);
		if (rc == 0 && users[i]->validation_failed) {
			char *line = xasprintf("Validation failed; this user is not migrated: %s", users[i]->error);
			(void)mg_store_user_report_append(st, b->name, users[i]->email, line, NULL);
			free(line);
		}
		if (rc == 0 && added)
			(*added)++;
		if (rc == 0 && running)
			b->req_update = true;   /* tells the service to look at the batch's users again */
	}
	if (rc == 0 && b && b->req_update)
		rc = mg_store_batch_save(st, b, err);
	mg_store_unlock(st);
	mg_user_list_free(users, n);
	mg_csv_batch_free(&cb);
	mg_batch_free(b);
	return rc;
}

/* Save the users whose record changed. */
static int save_changed(mg_store *st, mg_user **users, mg_user **before, size_t n, mg_err *err)
{
	for (size_t i = 0; i < n; i++) {
		if (users[i]->status == MG_US_CORRUPTED)
			continue;
		if (before && before[i]->status == users[i]->status &&
		    before[i]->next_sync_due == users[i]->next_sync_due &&
		    before[i]->skipped_approved == users[i]->skipped_approved &&
		    before[i]->approved_skipped_count == users[i]->approved_skipped_count &&
		    before[i]->queued_at == users[i]->queued_at)
			continue;
		if (mg_store_user_save(st, users[i], err) < 0)
			return -1;
	}
	return 0;
}

static bool service_running(mg_store *st)
{
	mg_service_info si;
	return mg_service_status(mg_store_home(st), &si, NULL) == 0 && si.running;
}

/* Load batch + users under the lock, apply, save, optionally post-process. */
static int do_action(mg_store *st, const char *identity, mg_batch_action a, mg_err *err)
{
	mg_batch *b = NULL;
	mg_user **users = NULL, **before = NULL;
	size_t n = 0;
	if (mg_store_lock(st, err) < 0)
		return -1;
	int rc = mg_store_batch_load(st, identity, &b, err);
	if (rc == 0)
		rc = mg_lifecycle_check(b, a, err);
	if (rc == 0)
		rc = mg_store_user_list(st, b->name, &users, &n, err);
	if (rc == 0) {
		before = xcalloc(n + 1, sizeof *before);
		for (size_t i = 0; i < n; i++)
			before[i] = mg_user_dup(users[i]);
		rc = mg_lifecycle_apply(b, users, n, a, mg_now(), err);
	}
	if (rc == 0 && a == MG_ACT_STOP && !service_running(st))
		mg_lifecycle_finish_stop(b, users, n, mg_now());   /* nothing runs: stopped at once */
	if (rc == 0)
		rc = save_changed(st, users, before, n, err);
	if (rc == 0)
		rc = mg_store_batch_save(st, b, err);
	mg_store_unlock(st);
	mg_user_list_free(before, before ? n : 0);
	mg_user_list_free(users, n);
	mg_batch_free(b);
	return rc;
}

int mg_batch_start(mg_store *st, const char *identity, mg_err *err)
{
	return do_action(st, identity, MG_ACT_START, err);
}

int mg_batch_stop(mg_store *st, const char *identity, mg_err *err)
{
	return do_action(st, identity, MG_ACT_STOP, err);
}

int mg_batch_complete(mg_store *st, const char *identity, mg_err *err)
{
	return do_action(st, identity, MG_ACT_COMPLETE, err);
}

int mg_batch_sync_now(mg_store *st, const char *identity, mg_err *err)
{
	return do_action(st, identity, MG_ACT_SYNCNOW, err);
}

int mg_batch_approve_skipped(mg_store *st, const char *identity, mg_err *err)
{
	mg_batch *b = NULL;
	mg_user **users = NULL;
	size_t n = 0;
	if (mg_store_lock(st, err) < 0)
		return -1;
	int rc = mg_store_batch_load(st, identity, &b, err);
	if (rc == 0)
		rc = mg_lifecycle_check(b, MG_ACT_SET, err);
	if (rc == 0)
		rc = mg_store_user_list(st, b->name, &users, &n, err);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		mg_user *u = users[i];
		if (u->status == MG_US_CORRUPTED || u->approved_skipped_count == u->skipped_items)
			continue;
		u->approved_skipped_count = u->skipped_items;
		u->skipped_approved = true;
		rc = mg_store_user_save(st, u, err);
	}
	mg_store_unlock(st);
	mg_user_list_free(users, n);
	mg_batch_free(b);
	return rc;
}

int mg_batch_update(mg_store *st, const char *identity,
                    int (*edit)(mg_batch *b, void *arg, mg_err *err), void *arg, mg_err *err)
{
	mg_batch *b = NULL;
	if (mg_store_lock(st, err) < 0)
		return -1;
	int rc = mg_store_batch_load(st, identity, &b, err);
	if (rc == 0)
		rc = mg_lifecycle_check(b, MG_ACT_SET, err);
	/* (the ContentFilter and the TimeZone are set when the batch is created
	 * and checked then: no edit changes them) */
	if (rc == 0 && edit)
		rc = edit(b, arg, err);
	if (rc == 0)
		rc = mg_store_batch_save(st, b, err);
	mg_store_unlock(st);
	mg_batch_free(b);
	return rc;
}

static bool has_running_work(mg_batch_status s)
{
	switch (s) {
	case MG_BS_STARTING: case MG_BS_SYNCING: case MG_BS_WAITING: case MG_BS_STOPPING:
	case MG_BS_INCREMENTAL_SYNCING: case MG_BS_COMPLETING: case MG_BS_REMOVING:
		return true;
	default:
		return false;
	}
}

int mg_batch_remove(mg_store *st, const char *identity, int wait_seconds, bool *removed_now, mg_err *err)
{
	if (removed_now)
		*removed_now = false;
	mg_batch *b = NULL;
	if (mg_store_lock(st, err) < 0)
		return -1;
	mg_err e2 = { 0 };
	int rc = mg_store_batch_load(st, identity, &b, &e2);
	char *name = NULL;
	bool now = false;
	if (rc < 0) {
		if (e2.category == MGC_INVALIDDATA) {
			/* a Corrupted batch can always be removed */
			name = xstrdup(identity);
			now = true;
			rc = 0;
		} else {
			mg_err_copy(err, &e2);
		}
	} else {
		rc = mg_lifecycle_check(b, MG_ACT_REMOVE, err);
		name = xstrdup(b->name);
		if (rc == 0) {
			if (!has_running_work(b->status) || !service_running(st)) {
				now = true;
			} else if (b->status != MG_BS_REMOVING) {
				b->status = MG_BS_REMOVING;
				rc = mg_store_batch_save(st, b, err);
			}
		}
	}
	if (rc == 0 && now)
		rc = mg_store_batch_delete(st, name, err);
	/* one transaction: the batch's records go all at once; the users' sync
	 * state directories are removed by the service afterwards */
	if (mg_store_commit(st, rc == 0 ? err : NULL) < 0)
		rc = -1;
	if (rc == 0 && now && removed_now)
		*removed_now = true;
	mg_batch_free(b);
	if (rc == 0 && !now && wait_seconds > 0) {
		/* the service stops the batch's work and deletes it */
		struct timespec ts = { 0, 100 * 1000 * 1000 };
		for (int i = 0; i < wait_seconds * 10; i++) {
			mg_batch *x = NULL;
			mg_err e3 = { 0 };
			if (mg_store_batch_load(st, name, &x, &e3) < 0 && e3.category == MGC_NOTFOUND) {
				if (removed_now)
					*removed_now = true;
				break;
			}
			mg_batch_free(x);
			if (!service_running(st)) {
				/* the service went away: finish the removal ourselves */
				if (mg_store_batch_delete(st, name, NULL) == 0 && removed_now)
					*removed_now = true;
				break;
			}
			nanosleep(&ts, NULL);
		}
	}
	free(name);
	return rc;
}

int mg_user_remove(mg_store *st, const char *identity, mg_err *err)
{
	mg_user *u = NULL;
	if (mg_store_lock(st, err) < 0)
		return -1;
	int rc = mg_store_user_find(st, identity, &u, err);
	if (rc == 0) {
		switch (u->status) {
		case MG_US_SYNCING: case MG_US_INCREMENTAL_SYNCING: case MG_US_COMPLETING:
		case MG_US_STOPPING: case MG_US_STARTING: {
			mg_batch *b = NULL;
			if (mg_store_batch_load(st, u->batch, &b, NULL) == 0 && mg_batch_status_active(b->status) &&
			    service_running(st))
				rc = mg_err_set(err, MGC_INVALIDOP, "InvalidUserStatus",
				                "The migration user '%s' can't be removed because its status is %s. "
				                "Stop its batch '%s' first (Stop-MigrationBatch), then remove the user.",
				                u->email, mg_user_status_name(u->status), u->batch);
			mg_batch_free(b);
			break;
		}
		default:
			break;
		}
	}
	if (rc == 0)
		rc = mg_store_user_delete(st, u->batch, u->email, err);
	mg_store_unlock(st);
	mg_user_free(u);
	return rc;
}
