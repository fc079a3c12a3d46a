/* test_lifecycle.c - the batch status machine (engine/lifecycle.h): every
 * allowed and every refused action in every status, what each action
 * changes, the store-level operations, the ContentFilter parser and the
 * DataConsistencyScore rule. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/fileio.h"
#include "common/mem.h"
#include "engine/consistency.h"
#include "engine/lifecycle.h"
#include "engine/store.h"
#include "engine/tz.h"

/* The expected table: one string of allowed actions per status. */
static const struct { mg_batch_status s; const char *allowed; } table[] = {
	{ MG_BS_CREATED,               "Start, Remove, Set, AddUsers" },
	{ MG_BS_STARTING,              "Stop, Remove, Set" },
	{ MG_BS_SYNCING,               "Stop, Remove, Set" },
	{ MG_BS_STOPPING,              "Remove" },
	{ MG_BS_STOPPED,               "Start, Remove, Set, AddUsers" },
	{ MG_BS_SYNCED,                "Start, Stop, Complete, Remove, Set, SyncNow, AddUsers" },
	{ MG_BS_SYNCED_WITH_ERRORS,    "Start, Stop, Complete, Remove, Set, SyncNow, AddUsers" },
	{ MG_BS_INCREMENTAL_SYNCING,   "Stop, Complete, Remove, Set, SyncNow" },
	{ MG_BS_COMPLETING,            "Remove, Set" },
	{ MG_BS_COMPLETED,             "Remove" },
	{ MG_BS_COMPLETED_WITH_ERRORS, "Start, Remove, Set, AddUsers" },
	{ MG_BS_FAILED,                "Start, Remove, Set, AddUsers" },
	{ MG_BS_REMOVING,              "Remove" },
	{ MG_BS_CORRUPTED,             "Remove" },
	{ MG_BS_WAITING,               "Stop, Remove, Set" },
};

static void test_every_transition(void **s)
{
	(void)s;
	assert_int_equal(sizeof table / sizeof *table, MG_BS__COUNT);
	for (size_t i = 0; i < MG_BS__COUNT; i++) {
		char list[128];
		mg_lifecycle_allowed_list(table[i].s, list, sizeof list);
		assert_string_equal(list, table[i].allowed);
		for (int a = 0; a < MG_ACT__COUNT; a++) {
			mg_batch *b = mg_batch_new("B1");
			b->status = table[i].s;
			mg_err err = { 0 };
			bool expect = strstr(table[i].allowed, mg_batch_action_name((mg_batch_action)a)) != NULL;
			/* "Set" is a substring of nothing else; "Start" of nothing else */
			int rc = mg_lifecycle_check(b, (mg_batch_action)a, &err);
			if (expect) {
				assert_int_equal(rc, 0);
			} else {
				assert_int_equal(rc, -1);
				assert_int_equal(err.category, MGC_INVALIDOP);
				assert_string_equal(err.id, "InvalidBatchStatus");
				char want[256];
				snprintf(want, sizeof want, "because its status is %s. Allowed in status %s: %s.",
				         mg_batch_status_name(table[i].s), mg_batch_status_name(table[i].s), table[i].allowed);
				if (!strstr(err.msg, want))
					fail_msg("%s/%s: '%s' lacks '%s'", mg_batch_status_name(table[i].s),
					         mg_batch_action_name((mg_batch_action)a), err.msg, want);
				assert_non_null(strstr(err.msg, "The migration batch 'B1' can't be "));
			}
			mg_batch_free(b);
		}
	}
}

static void test_refusal_text(void **s)
{
	(void)s;
	mg_batch *b = mg_batch_new("IMAPBatch1");
	b->status = MG_BS_STOPPED;
	mg_err err = { 0 };
	assert_int_equal(mg_lifecycle_check(b, MG_ACT_STOP, &err), -1);
	assert_string_equal(err.msg, "The migration batch 'IMAPBatch1' can't be stopped because its status is Stopped. "
	                             "Allowed in status Stopped: Start, Remove, Set, AddUsers.");
	b->status = MG_BS_CREATED;
	assert_int_equal(mg_lifecycle_check(b, MG_ACT_COMPLETE, &err), -1);
	assert_string_equal(err.msg, "The migration batch 'IMAPBatch1' can't be completed because its status is Created. "
	                             "Allowed in status Created: Start, Remove, Set, AddUsers.");
	mg_batch_free(b);
}

static mg_user *user(const char *email, mg_user_status st)
{
	mg_user *u = mg_user_new(email, "B1");
	u->status = st;
	return u;
}

static void test_apply_start(void **s)
{
	(void)s;
	mg_batch *b = mg_batch_new("B1");
	b->status = MG_BS_SYNCED_WITH_ERRORS;
	mg_user *u[5] = {
		user("a@x.example", MG_US_SYNCED),
		user("b@x.example", MG_US_FAILED),
		user("c@x.example", MG_US_FAILED),
		user("d@x.example", MG_US_INCREMENTAL_FAILED),
		user("e@x.example", MG_US_STOPPED),
	};
	u[1]->error = xstrdup("bad password");
	u[2]->validation_failed = true;   /* CSV-invalid users are never retried */
	mg_err err = { 0 };
	assert_int_equal(mg_lifecycle_apply(b, u, 5, MG_ACT_START, 1000, &err), 0);
	assert_int_equal(b->status, MG_BS_STARTING);
	assert_int_equal(b->started, 1000);
	assert_int_equal(u[0]->status, MG_US_SYNCED);
	assert_int_equal(u[1]->status, MG_US_QUEUED);
	assert_null(u[1]->error);
	assert_int_equal(u[2]->status, MG_US_FAILED);
	assert_int_equal(u[3]->status, MG_US_QUEUED);
	assert_int_equal(u[4]->status, MG_US_QUEUED);
	assert_int_equal(u[4]->queued_at, 1000);
	for (int i = 0; i < 5; i++)
		mg_user_free(u[i]);
	mg_batch_free(b);
}

static void test_apply_stop_complete_syncnow_remove(void **s)
{
	(void)s;
	mg_err err = { 0 };
	mg_batch *b = mg_batch_new("B1");
	b->status = MG_BS_SYNCING;
	mg_user *u[3] = { user("a@x.example", MG_US_QUEUED), user("b@x.example", MG_US_SYNCING),
	                  user("c@x.example", MG_US_SYNCED) };
	assert_int_equal(mg_lifecycle_apply(b, u, 3, MG_ACT_STOP, 5, &err), 0);
	assert_int_equal(b->status, MG_BS_STOPPING);
	assert_int_equal(u[0]->status, MG_US_STOPPED);   /* waiting: stopped at once */
	assert_int_equal(u[1]->status, MG_US_SYNCING);   /* running: the service stops it */
	mg_lifecycle_finish_stop(b, u, 3, 6);
	assert_int_equal(b->status, MG_BS_STOPPED);
	assert_int_equal(u[1]->status, MG_US_STOPPED);
	assert_int_equal(u[2]->status, MG_US_SYNCED);    /* finished mailboxes untouched */

	b->status = MG_BS_SYNCED;
	u[0]->status = MG_US_SYNCED;
	u[1]->status = MG_US_FAILED;
	assert_int_equal(mg_lifecycle_apply(b, u, 3, MG_ACT_SYNCNOW, 7, &err), 0);
	assert_int_equal(b->status, MG_BS_INCREMENTAL_SYNCING);
	assert_true(b->req_sync_now);
	assert_int_equal(u[0]->next_sync_due, 7);
	assert_int_equal(u[1]->next_sync_due, 0);   /* failed users are not retried */

	b->status = MG_BS_SYNCED_WITH_ERRORS;
	assert_int_equal(mg_lifecycle_apply(b, u, 3, MG_ACT_COMPLETE, 8, &err), 0);
	assert_int_equal(b->status, MG_BS_COMPLETING);
	assert_int_equal(u[0]->status, MG_US_COMPLETING);
	assert_int_equal(u[1]->status, MG_US_FAILED);

	assert_int_equal(mg_lifecycle_apply(b, u, 3, MG_ACT_REMOVE, 9, &err), 0);
	assert_int_equal(b->status, MG_BS_REMOVING);
	/* refused actions change nothing */
	assert_int_equal(mg_lifecycle_apply(b, u, 3, MG_ACT_START, 10, &err), -1);
	assert_int_equal(b->status, MG_BS_REMOVING);
	for (int i = 0; i < 3; i++)
		mg_user_free(u[i]);
	mg_batch_free(b);
}

/* ---- store-level operations ---- */

static char *home;
static mg_store *st;

static int setup_store(void **s)
{
	(void)s;
	char tmpl[] = "/tmp/migsh-test-lifecycle-XXXXXX";
	home = xstrdup(mkdtemp(tmpl));
	mg_err err = { 0 };
	assert_int_equal(mg_store_open(home, &st, &err), 0);
	mg_endpoint *e = mg_endpoint_new("IMAPEndpoint");
	e->remote_server = xstrdup("127.0.0.1");
	assert_int_equal(mg_store_endpoint_create(st, e, &err), 0);
	mg_endpoint_free(e);
	return 0;
}

static int teardown_store(void **s)
{
	(void)s;
	mg_store_close(st);
	mg_rm_rf(home, NULL);
	free(home);
	return 0;
}

static const char csv5[] =
	"EmailAddress,UserName,Password\r\n"
	"a@x.example,a,pa\r\n"
	"b@x.example,b,pb\r\n"
	"bad-address,c,pc\r\n"
	"d@x.example,d*mailadmin,adminpw\r\n"
	"e@x.example,e,pe\r\n";

static void test_create_from_csv(void **s)
{
	(void)s;
	mg_err err = { 0 };
	mg_batch *t = mg_batch_new("IMAPBatch1");
	t->source_endpoint = xstrdup("imapendpoint");
	mg_batch *b = NULL;
	assert_int_equal(mg_batch_create_from_csv(st, t, csv5, sizeof csv5 - 1, &b, &err), 0);
	assert_int_equal(b->status, MG_BS_CREATED);
	assert_string_equal(b->source_endpoint, "IMAPEndpoint");
	mg_user **u;
	size_t n;
	assert_int_equal(mg_store_user_list(st, "IMAPBatch1", &u, &n, &err), 0);
	assert_int_equal(n, 5);
	assert_int_equal(u[2]->status, MG_US_FAILED);
	assert_non_null(strstr(u[2]->error, "not a valid email address"));
	assert_int_equal(u[0]->status, MG_US_STOPPED);
	assert_string_equal(u[3]->user_name, "d*mailadmin");
	mg_user_list_free(u, n);
	mg_batch_free(b);

	/* same name: refused */
	assert_int_equal(mg_batch_create_from_csv(st, t, csv5, sizeof csv5 - 1, NULL, &err), -1);
	assert_int_equal(err.category, MGC_EXISTS);
	/* unknown endpoint */
	free(t->name);
	t->name = xstrdup("Other");
	free(t->source_endpoint);
	t->source_endpoint = xstrdup("NoSuch");
	assert_int_equal(mg_batch_create_from_csv(st, t, csv5, sizeof csv5 - 1, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "The migration endpoint 'NoSuch' couldn't be found."));
	/* bad ContentFilter */
	free(t->source_endpoint);
	t->source_endpoint = xstrdup("IMAPEndpoint");
	t->content_filter = xstrdup("Subject -like 'x'");
	assert_int_equal(mg_batch_create_from_csv(st, t, csv5, sizeof csv5 - 1, NULL, &err), -1);
	assert_string_equal(err.id, "InvalidContentFilter");
	free(t->content_filter);
	t->content_filter = NULL;
	/* users already in IMAPBatch1 fail in the new batch, the rest goes on; -AutoStart */
	t->auto_start = true;
	assert_int_equal(mg_batch_create_from_csv(st, t, csv5, sizeof csv5 - 1, &b, &err), 0);
	assert_int_equal(b->status, MG_BS_STARTING);
	assert_int_equal(mg_store_user_list(st, "Other", &u, &n, &err), 0);
	assert_int_equal(n, 5);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(u[i]->status, MG_US_FAILED);
	assert_non_null(strstr(u[0]->error, "already belongs to the migration batch 'IMAPBatch1'"));
	mg_user_list_free(u, n);
	mg_batch_free(b);
	bool gone = false;
	assert_int_equal(mg_batch_remove(st, "Other", 0, &gone, &err), 0);
	assert_true(gone);

	/* MaxNumberOfBatches */
	mg_config c;
	mg_config_defaults(&c);
	c.max_batches = 1;
	assert_int_equal(mg_store_config_save(st, &c, &err), 0);
	assert_int_equal(mg_batch_create_from_csv(st, t, csv5, sizeof csv5 - 1, NULL, &err), -1);
	assert_string_equal(err.msg, "The maximum number of migration batches is already running. "
	                             "Please remove a batch before you add another one.");
	mg_config_defaults(&c);
	assert_int_equal(mg_store_config_save(st, &c, &err), 0);
	mg_batch_free(t);
}

static void test_store_ops(void **s)
{
	(void)s;
	mg_err err = { 0 };
	mg_batch *b = NULL;
	/* no service runs in this test: Stop finishes at once */
	assert_int_equal(mg_batch_stop(st, "IMAPBatch1", &err), -1);   /* Created */
	assert_non_null(strstr(err.msg, "its status is Created"));
	assert_int_equal(mg_batch_start(st, "imapbatch1", &err), 0);
	assert_int_equal(mg_store_batch_load(st, "IMAPBatch1", &b, &err), 0);
	assert_int_equal(b->status, MG_BS_STARTING);
	mg_batch_free(b);
	mg_user **u;
	size_t n;
	assert_int_equal(mg_store_user_list(st, "IMAPBatch1", &u, &n, &err), 0);
	assert_int_equal(u[0]->status, MG_US_QUEUED);
	assert_int_equal(u[2]->status, MG_US_FAILED);
	mg_user_list_free(u, n);
	assert_int_equal(mg_batch_start(st, "IMAPBatch1", &err), -1);
	assert_non_null(strstr(err.msg, "can't be started because its status is Starting"));
	assert_int_equal(mg_batch_complete(st, "IMAPBatch1", &err), -1);
	assert_int_equal(mg_batch_stop(st, "IMAPBatch1", &err), 0);
	assert_int_equal(mg_store_batch_load(st, "IMAPBatch1", &b, &err), 0);
	assert_int_equal(b->status, MG_BS_STOPPED);
	mg_batch_free(b);
	assert_int_equal(mg_store_user_list(st, "IMAPBatch1", &u, &n, &err), 0);
	assert_int_equal(u[0]->status, MG_US_STOPPED);
	mg_user_list_free(u, n);

	/* AddUsers: existing rows skipped, new ones added */
	static const char more[] = "EmailAddress,UserName,Password\na@x.example,a,pa\nf@x.example,f,pf\n";
	size_t added = 0;
	assert_int_equal(mg_batch_add_users(st, "IMAPBatch1", more, sizeof more - 1, false, &added, &err), 0);
	assert_int_equal(added, 1);
	assert_int_equal(mg_store_user_list(st, "IMAPBatch1", &u, &n, &err), 0);
	assert_int_equal(n, 6);
	mg_user_list_free(u, n);

	/* Set via the edit callback */
	assert_int_equal(mg_batch_update(st, "IMAPBatch1", NULL, NULL, &err), 0);

	/* Remove-MigrationUser, then the batch */
	assert_int_equal(mg_user_remove(st, "F@x.example", &err), 0);
	assert_int_equal(mg_user_remove(st, "f@x.example", &err), -1);
	assert_int_equal(err.category, MGC_NOTFOUND);
	bool gone = false;
	assert_int_equal(mg_batch_remove(st, "IMAPBatch1", 5, &gone, &err), 0);
	assert_true(gone);
	assert_int_equal(mg_store_batch_load(st, "IMAPBatch1", &b, &err), -1);
	assert_non_null(strstr(err.msg, "The migration batch 'IMAPBatch1' couldn't be found."));
}

/* ---- one user: Start-, Stop-, Set-MigrationUser (user_ops.c) ---- */

static mg_user *user_of(const char *email)
{
	mg_user *u = NULL;
	assert_int_equal(mg_store_user_find(st, email, &u, NULL), 0);
	return u;
}

static void test_user_ops(void **s)
{
	(void)s;
	mg_err err = { 0 };
	static const char csv[] = "EmailAddress,UserName,Password\np@x.example,p,pp\n"
	                          "q@x.example,q,pq\nr@x.example,,pr\n";
	mg_batch *t = mg_batch_new("UserOps");
	t->source_endpoint = xstrdup("IMAPEndpoint");
	assert_int_equal(mg_batch_create_from_csv(st, t, csv, sizeof csv - 1, NULL, &err), 0);
	mg_batch_free(t);

	/* a Created batch: its users can be started, not stopped */
	assert_int_equal(mg_user_stop(st, "p@x.example", &err), -1);
	assert_string_equal(err.id, "InvalidBatchStatus");
	assert_string_equal(err.msg, "The migration user 'p@x.example' can't be stopped because the "
	                    "status of its migration batch 'UserOps' is Created. Allowed for the "
	                    "users of a Created batch: Start, Set, Remove.");
	assert_int_equal(mg_user_start(st, "P@x.example", &err), 0);
	mg_batch *b = NULL;
	assert_int_equal(mg_store_batch_load(st, "UserOps", &b, &err), 0);
	assert_int_equal(b->status, MG_BS_STARTING);
	mg_batch_free(b);
	mg_user *u = user_of("p@x.example");
	assert_int_equal(u->status, MG_US_QUEUED);
	mg_user_free(u);
	u = user_of("q@x.example");
	assert_int_equal(u->status, MG_US_STOPPED);   /* the other user is left alone */
	mg_user_free(u);
	assert_int_equal(mg_user_start(st, "p@x.example", &err), -1);
	assert_string_equal(err.id, "InvalidUserStatus");
	assert_string_equal(err.msg, "The migration user 'p@x.example' can't be started because its "
	                    "status is Queued. Allowed in status Queued: Stop, Set, Remove.");
	/* no service runs: a queued user is stopped at once */
	assert_int_equal(mg_user_stop(st, "p@x.example", &err), 0);
	u = user_of("p@x.example");
	assert_int_equal(u->status, MG_US_STOPPED);
	mg_user_free(u);
	/* a CSV-invalid user is not started */
	assert_int_equal(mg_user_start(st, "r@x.example", &err), -1);
	assert_non_null(strstr(err.msg, "its row of the CSV failed validation"));
	assert_int_equal(mg_user_start(st, "nobody@x.example", &err), -1);
	assert_int_equal(err.category, MGC_NOTFOUND);

	/* a synced user of a synced batch */
	assert_int_equal(mg_store_batch_load(st, "UserOps", &b, &err), 0);
	b->status = MG_BS_SYNCED;
	b->req_update = false;
	assert_int_equal(mg_store_batch_save(st, b, &err), 0);
	mg_batch_free(b);
	u = user_of("q@x.example");
	u->status = MG_US_SYNCED;
	u->initial_done = true;
	u->skipped_items = 3;
	assert_int_equal(mg_store_user_save(st, u, &err), 0);
	mg_user_free(u);
	mg_user_settings set = { .sync_now = true, .approve_skipped = true,
	                         .has_start_after = true, .start_after = 4000000000LL };
	assert_int_equal(mg_user_set(st, "q@x.example", &set, &err), 0);
	u = user_of("q@x.example");
	assert_true(u->next_sync_due > 0);
	assert_int_equal(u->approved_skipped_count, 3);
	assert_false(mg_user_has_unapproved_skipped(u));
	assert_int_equal(u->start_after, 4000000000LL);
	mg_user_free(u);
	assert_int_equal(mg_store_batch_load(st, "UserOps", &b, &err), 0);
	assert_true(b->req_update);   /* the service looks again */
	assert_int_equal(b->status, MG_BS_SYNCED);
	mg_batch_free(b);
	assert_int_equal(mg_user_stop(st, "q@x.example", &err), 0);
	u = user_of("q@x.example");
	assert_int_equal(u->status, MG_US_INCREMENTAL_STOPPED);
	assert_int_equal(u->next_sync_due, 0);
	mg_user_free(u);
	mg_user_settings now = { .sync_now = true };
	assert_int_equal(mg_user_set(st, "q@x.example", &now, &err), -1);
	assert_string_equal(err.msg, "The migration user 'q@x.example' can't be synchronized now "
	                    "(-SyncNow) because its status is IncrementalStopped. Allowed in status "
	                    "IncrementalStopped: Start, Set, Remove.");
	/* Start in a synced batch: only the user is queued, the batch keeps its status */
	assert_int_equal(mg_user_start(st, "q@x.example", &err), 0);
	assert_int_equal(mg_store_batch_load(st, "UserOps", &b, &err), 0);
	assert_int_equal(b->status, MG_BS_SYNCED);

	/* the service's questions: the user's own StartAfter overrides the batch's */
	u = user_of("q@x.example");
	int64_t t0 = 2000000000LL;
	b->start_after = t0 + 100;
	u->start_after = 0;
	assert_false(mg_user_may_start(b, u, t0));
	assert_true(mg_user_may_start(b, u, t0 + 100));
	u->start_after = t0 - 1;
	assert_true(mg_user_may_start(b, u, t0));
	mg_user *v[1] = { u };
	assert_false(mg_batch_start_waits(b, v, 1, t0));   /* q may start: the batch goes on */
	u->start_after = t0 + 500;
	assert_true(mg_batch_start_waits(b, v, 1, t0 + 200));   /* every queued user waits */
	b->start_after = 0;
	u->status = MG_US_SYNCED;
	assert_false(mg_batch_start_waits(b, v, 1, t0));   /* nobody queued, no batch StartAfter */
	assert_false(mg_user_settle_stop(u));
	u->status = MG_US_STOPPING;
	assert_true(mg_user_settle_stop(u));
	assert_int_equal(u->status, MG_US_INCREMENTAL_STOPPED);
	mg_user_free(u);
	mg_batch_free(b);

	/* a Completed batch: its users are refused */
	assert_int_equal(mg_store_batch_load(st, "UserOps", &b, &err), 0);
	b->status = MG_BS_COMPLETED;
	assert_int_equal(mg_store_batch_save(st, b, &err), 0);
	mg_batch_free(b);
	assert_int_equal(mg_user_stop(st, "q@x.example", &err), -1);
	assert_non_null(strstr(err.msg, "batch 'UserOps' is Completed. Allowed for the users of a "
	                       "Completed batch: Remove."));
	assert_int_equal(mg_user_set(st, "q@x.example", &set, &err), -1);
	assert_non_null(strstr(err.msg, "can't be changed because"));
	bool gone = false;
	assert_int_equal(mg_batch_remove(st, "UserOps", 0, &gone, &err), 0);
}

/* ---- ContentFilter ---- */

static void test_content_filter(void **s)
{
	(void)s;
	mg_date_cond *c;
	size_t n;
	mg_err err = { 0 };
	assert_int_equal(mg_content_filter_parse("Received -gt '8/23/2020'", NULL, &c, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(c[0].op, MG_CMP_GT);
	assert_int_equal(c[0].when, 1598140800);   /* 2020-08-23T00:00:00Z */
	free(c);
	assert_int_equal(mg_content_filter_parse("(received -GE \"2020-01-01\") -and (Received -lt '1/1/2021 1:30 PM')",
	                                         NULL, &c, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(c[0].op, MG_CMP_GE);
	assert_int_equal(c[0].when, 1577836800);
	assert_int_equal(c[1].op, MG_CMP_LT);
	assert_int_equal(c[1].when, 1609459200 + 13 * 3600 + 1800);
	free(c);
	assert_int_equal(mg_content_filter_parse("Received -eq '2/29/2020'", NULL, &c, &n, &err), 0);
	assert_int_equal(n, 2);   /* the whole day */
	assert_int_equal(c[1].when - c[0].when, 86400);
	free(c);
	/* in the batch's -TimeZone: Pacific daylight time is UTC-7 in August;
	 * 'Z' stays UTC; the "whole day" of the day clocks go back is 25 hours */
	assert_int_equal(mg_content_filter_parse("Received -gt '8/23/2020' -and Received -lt '2020-08-24T00:00:00Z'",
	                                         "Pacific Standard Time", &c, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(c[0].when, 1598140800 + 7 * 3600);
	assert_int_equal(c[1].when, 1598140800 + 86400);
	free(c);
	assert_int_equal(mg_content_filter_parse("Received -eq '11/1/2020'", "America/Los_Angeles",
	                                         &c, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(c[0].when, 1604214000);   /* 2020-11-01T07:00:00Z (midnight PDT) */
	assert_int_equal(c[1].when - c[0].when, 25 * 3600);
	free(c);
	/* the same in a zone the caller resolved once (New-MigrationBatch) */
	mg_tz *tz = NULL;
	assert_int_equal(mg_tz_open("America/Los_Angeles", &tz, &err), 0);
	assert_int_equal(mg_content_filter_parse_in("Received -eq '11/1/2020'", tz, &c, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(c[0].when, 1604214000);
	assert_int_equal(c[1].when - c[0].when, 25 * 3600);
	free(c);
	mg_tz_free(tz);
	assert_int_equal(mg_content_filter_parse("Received -gt '8/23/2020'", "Mars/Olympus_Mons",
	                                         &c, &n, &err), -1);
	assert_string_equal(err.id, "InvalidTimeZone");
	assert_non_null(strstr(err.msg, "'Mars/Olympus_Mons' given with -TimeZone"));
	assert_int_equal(mg_content_filter_parse("  ", NULL, &c, &n, &err), 0);
	assert_int_equal(n, 0);
	const char *bad[] = {
		"Subject -eq 'x'", "Received -gt 8/23/2020", "Received -gt '2/30/2020'",
		"Received -gt '8/23/2020' -or Received -lt '1/1/2021'", "Received -like '8/23/2020'",
		"Received -gt '8/23/2020' junk", "(Received -gt '8/23/2020'",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		assert_int_equal(mg_content_filter_parse(bad[i], NULL, &c, &n, &err), -1);
		assert_string_equal(err.id, "InvalidContentFilter");
		assert_non_null(strstr(err.msg, "isn't supported"));
	}
}

/* ---- DataConsistencyScore ---- */

static void test_consistency(void **s)
{
	(void)s;
	assert_int_equal(mg_consistency_compute(1000, 0, 0, 0), MG_DCS_PERFECT);
	assert_int_equal(mg_consistency_compute(0, 0, 0, 0), MG_DCS_PERFECT);
	assert_int_equal(mg_consistency_compute(1000, 0, 5, 0), MG_DCS_GOOD);      /* large only */
	assert_int_equal(mg_consistency_compute(10000, 9, 0, 0), MG_DCS_GOOD);     /* < 0.1 % bad */
	assert_int_equal(mg_consistency_compute(10000, 10, 0, 0), MG_DCS_INVESTIGATE); /* 0.1 % */
	assert_int_equal(mg_consistency_compute(10000, 99, 0, 0), MG_DCS_INVESTIGATE);
	assert_int_equal(mg_consistency_compute(1000, 0, 0, 1), MG_DCS_INVESTIGATE);  /* over the item limit */
	assert_int_equal(mg_consistency_compute(10000, 100, 0, 0), MG_DCS_POOR);   /* 1 % */
	assert_int_equal(mg_consistency_compute(10, 1, 0, 0), MG_DCS_POOR);
	mg_user *u[2] = { user("a@x.example", MG_US_SYNCED), user("b@x.example", MG_US_SYNCED) };
	u[0]->total_in_source = 100;
	u[1]->total_in_source = 100;
	u[1]->items_large = 1;
	u[1]->items_filtered = 50;   /* the admin's choice: no effect */
	assert_int_equal(mg_consistency_user(u[0]), MG_DCS_PERFECT);
	assert_int_equal(mg_consistency_batch(u, 2), MG_DCS_GOOD);
	assert_string_equal(mg_consistency_name(MG_DCS_INVESTIGATE), "Investigate");
	mg_user_free(u[0]);
	mg_user_free(u[1]);
}

static void test_status_names(void **s)
{
	(void)s;
	for (int i = 0; i < MG_BS__COUNT; i++) {
		mg_batch_status x;
		assert_int_equal(mg_batch_status_parse(mg_batch_status_name((mg_batch_status)i), &x), 0);
		assert_int_equal(x, i);
	}
	for (int i = 0; i < MG_US__COUNT; i++) {
		mg_user_status x;
		assert_int_equal(mg_user_status_parse(mg_user_status_name((mg_user_status)i), &x), 0);
		assert_int_equal(x, i);
	}
	mg_batch_status b;
	assert_int_equal(mg_batch_status_parse("syncedwitherrors", &b), 0);
	assert_int_equal(b, MG_BS_SYNCED_WITH_ERRORS);
	assert_string_equal(mg_user_status_summary(MG_US_INCREMENTAL_SYNCING), "Synced");
	assert_string_equal(mg_user_status_summary(MG_US_QUEUED), "Active");
	assert_string_equal(mg_user_status_summary(MG_US_INCREMENTAL_FAILED), "Failed");
	assert_string_equal(mg_user_status_summary(MG_US_INCREMENTAL_STOPPED), "Stopped");
}

/* The rules of one user's actions, without a store (lifecycle.c). */
static void test_user_rules(void **state)
{
	(void)state;
	mg_batch *b = mg_batch_new("B");
	mg_user *u = mg_user_new("a@b.c", "B");
	mg_err err = { 0 };
	/* a Stopped user of a batch at rest: Start queues it and starts the batch */
	b->status = MG_BS_STOPPED;
	u->status = MG_US_STOPPED;
	assert_int_equal(mg_user_check(b, u, MG_UACT_START, &err), 0);
	mg_user_apply_start(b, u, 1000);
	assert_int_equal(u->status, MG_US_QUEUED);
	assert_int_equal(b->status, MG_BS_STARTING);
	assert_true(b->req_update);
	/* Stop while the service copies it: Stopping, for the service to cancel */
	b->status = MG_BS_SYNCING;
	u->status = MG_US_SYNCING;
	assert_true(mg_user_copying(u));
	mg_user_apply_stop(b, u, true);
	assert_int_equal(u->status, MG_US_STOPPING);
	/* nothing runs for it: stopped at once */
	u->status = MG_US_QUEUED;
	u->initial_done = true;
	mg_user_apply_stop(b, u, false);
	assert_int_equal(u->status, MG_US_INCREMENTAL_STOPPED);
	/* a refusal names the status and what it allows */
	assert_int_equal(mg_user_check(b, u, MG_UACT_STOP, &err), -1);
	assert_int_equal(err.category, MGC_INVALIDOP);
	assert_int_equal(err.code, MGE_NONE);
	assert_string_equal(err.id, "InvalidUserStatus");
	assert_non_null(strstr(err.msg, "Allowed in status IncrementalStopped: Start, Set, Remove."));
	/* the batch's status decides first */
	b->status = MG_BS_COMPLETED;
	assert_int_equal(mg_user_check(b, u, MG_UACT_START, &err), -1);
	assert_string_equal(err.id, "InvalidBatchStatus");
	/* Set: -SyncNow now, -ApproveSkippedItems */
	mg_user_settings s = { .sync_now = true, .approve_skipped = true };
	u->skipped_items = 4;
	b->req_update = false;
	mg_user_apply_set(b, u, &s, 2000);
	assert_int_equal(u->next_sync_due, 2000);
	assert_int_equal(u->approved_skipped_count, 4);
	assert_true(b->req_update);
	mg_user_free(u);
	mg_batch_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_transition),
		cmocka_unit_test(test_refusal_text),
		cmocka_unit_test(test_apply_start),
		cmocka_unit_test(test_apply_stop_complete_syncnow_remove),
		cmocka_unit_test(test_content_filter),
		cmocka_unit_test(test_consistency),
		cmocka_unit_test(test_status_names),
	};
	const struct CMUnitTest store_tests[] = {
		cmocka_unit_test(test_create_from_csv),
		cmocka_unit_test(test_store_ops),
		cmocka_unit_test(test_user_ops),
		cmocka_unit_test(test_user_rules),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	rc |= cmocka_run_group_tests(store_tests, setup_store, teardown_store);
	return rc;
}
