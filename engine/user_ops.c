/*
 * user_ops.c - one user of a batch (lifecycle.h): the store-level operations
 * Start-, Stop- and Set-MigrationUser call, each under the store lock like
 * batch_ops.c.  The rules (which status allows what, what an action changes)
 * are lifecycle.c's pure functions; this file loads, asks whether the
 * service is copying, applies and saves.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/mem.h"
#include "engine/lifecycle.h"
#include "engine/service.h"
#include "engine/store.h"

static bool service_running(mg_store *st)
{
	mg_service_info si;
	return mg_service_status(mg_store_home(st), &si, NULL) == 0 && si.running;
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
	if (mg_user_check(b, u, MG_UACT_START, err) < 0)
		return -1;
	mg_user_apply_start(b, u, mg_now());
	return 0;
}

int mg_user_start(mg_store *st, const char *identity, mg_err *err)
{
	return with_user(st, identity, start_edit, NULL, err);
}

static int stop_edit(mg_store *st, mg_batch *b, mg_user *u, const void *arg, mg_err *err)
{
	(void)arg;
	if (mg_user_check(b, u, MG_UACT_STOP, err) < 0)
		return -1;
	mg_user_apply_stop(b, u, mg_user_copying(u) && service_running(st));
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
	if (mg_user_check(b, u, MG_UACT_SET, err) < 0 ||
	    (s->sync_now && mg_user_check(b, u, MG_UACT_SYNCNOW, err) < 0))
		return -1;
	mg_user_apply_set(b, u, s, mg_now());
	return 0;
}

int mg_user_set(mg_store *st, const char *identity, const mg_user_settings *s, mg_err *err)
{
	return with_user(st, identity, set_edit, s, err);
}

