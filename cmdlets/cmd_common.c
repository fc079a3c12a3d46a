/*
 * cmd_common.c - allowed-value lists and small helpers shared by the
 * migration cmdlets (see cmd_common.h).
 */
#include "config.h"
#include "cmdlets/cmd_common.h"
#include "cmdlets/completion.h"
#include "common/mem.h"
#include "common/str.h"
#include "engine/lifecycle.h"
#include "engine/service.h"
#include "engine/store.h"
#include "engine/tz.h"
#include "shell/secure.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *const mg_vals_endpoint_type[] = {
	"IMAP", "ExchangeOutlookAnywhere", "ExchangeRemoteMove", "PublicFolder", "Gmail", NULL };

/* what: endpoint, batch or user */
static int not_found(mg_err *e, const char *what, const char *name)
{
	return mg_err_migration_not_found(e, MGC_NOTSPECIFIED, what, name);
}

int mg_err_endpoint_not_found(mg_err *e, const char *name)
{
	return not_found(e, "endpoint", name);
}

int mg_err_batch_not_found(mg_err *e, const char *name)
{
	return not_found(e, "batch", name);
}

int mg_err_user_not_found(mg_err *e, const char *name)
{
	return not_found(e, "user", name);
}

const char *mg_arg_nonempty(mg_ctx *c, const char *name)
{
	const char *s = mg_arg_str(c, name);
	return s && *s ? s : NULL;
}

char **mg_arg_strv(mg_ctx *c, const char *name, size_t *count)
{
	mv *v = mg_arg(c, name);
	if (count)
		*count = 0;
	if (!v || v->kind == MV_NULL)
		return NULL;
	size_t n = v->kind == MV_ARRAY ? v->u.arr.n : 1;
	char **out = xcalloc(n + 1, sizeof *out);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		const mv *item = v->kind == MV_ARRAY ? v->u.arr.items[i] : v;
		if (!item || item->kind == MV_NULL)
			continue;
		out[k++] = mv_to_string(item);
	}
	out[k] = NULL;
	if (count)
		*count = k;
	return out;
}

void mg_arg_strv_free(char **v)
{
	if (!v)
		return;
	for (size_t i = 0; v[i]; i++)
		free(v[i]);
	free(v);
}

void mg_secret_free(char *s)
{
	if (!s)
		return;
	mg_wipe(s, strlen(s));
	free(s);
}

int mg_arg_credential(mg_ctx *c, const char *name, char **user, char **password)
{
	*user = NULL;
	*password = NULL;
	mv *v = mg_arg(c, name);   /* a PSCredential: the binder made it one */
	if (!v || v->kind == MV_NULL)
		return 0;
	*user = mv_to_string(mv_get(v, "UserName"));
	*password = mg_secure_text(c->session, mv_get(v, "Password"));
	return 1;
}

static void store_release(void *p)
{
	mg_store_close(p);
}

struct mg_store *mg_cmd_store(mg_ctx *c)
{
	mg_store *st = mg_session_slot(c->session, "migration.store");
	if (st)
		return st;
	const char *home = mg_home(c);
	if (!home) {
		mg_err_set(&c->err, MGC_RESOURCE, "NoDataDirectory",
		           "migsh has no data directory: set MIGSH_HOME to a writable directory.");
		return NULL;
	}
	if (mg_store_open(home, &st, &c->err) < 0)
		return NULL;
	mg_session_set_slot(c->session, "migration.store", st, store_release);
	/* tab completion of endpoint/batch/user names, in case the session was
	 * created without mg_migration_register() */
	mg_migration_register(c->session);
	return st;
}

int mg_cmd_fail(mg_ctx *c, const mg_err *e)
{
	if (e != &c->err)
		mg_err_copy(&c->err, e);
	return -1;
}

/* The readers below take the value as the binder delivered it for the
 * declared type (shell/binder.h): they check ranges, never convert again. */

/* The declaration and the reader disagree: a bug, said as such. */
static int wrong_type(mg_ctx *c, const char *name, const char *want, const mv *v)
{
	return mg_err_set(&c->err, MGC_INVALIDTYPE, "ParameterTypeMismatch",
	                  "-%s reached the cmdlet as a %s, not as the %s its declaration says "
	                  "(a bug in migsh: please report it).", name, mv_kind_name(v), want);
}

int mg_arg_bytes(mg_ctx *c, const char *name, unsigned char **out, size_t *len)
{
	*out = NULL;
	*len = 0;
	mv *v = mg_arg(c, name);
	if (!v || v->kind == MV_NULL)
		return 0;
	if (v->kind != MV_BYTES)   /* MPT_BYTES */
		return wrong_type(c, name, "Byte[]", v);
	*out = xmalloc(v->u.bytes.len + 1);
	if (v->u.bytes.len)
		memcpy(*out, v->u.bytes.p, v->u.bytes.len);
	*len = v->u.bytes.len;
	return 1;
}

int mg_arg_seconds(mg_ctx *c, const char *name, long long *secs)
{
	mv *v = mg_arg(c, name);
	if (!v || v->kind == MV_NULL)
		return 0;
	if (v->kind != MV_TIMESPAN)   /* MPT_TIMESPAN */
		return wrong_type(c, name, "TimeSpan", v);
	if (v->u.i < 0)
		return mg_err_set(&c->err, MGC_INVALIDARG, "InvalidTimeSpan",
		                  "Cannot use the value of -%s as a time span: write it as "
		                  "[d.]hh:mm:ss, e.g. 1.00:00:00 for one day or 00:30:00 for 30 "
		                  "minutes.", name);
	*secs = v->u.i / 1000;
	return 1;
}

int mg_arg_epoch(mg_ctx *c, const char *name, int64_t *t)
{
	mv *v = mg_arg(c, name);
	if (!v || v->kind == MV_NULL)
		return 0;
	if (v->kind != MV_DATETIME)   /* MPT_DATETIME */
		return wrong_type(c, name, "DateTime", v);
	*t = v->u.dt.sec;
	return 1;
}

int mg_cmd_open_zone(mg_ctx *c, const char *time_zone, mg_tz **tz)
{
	*tz = NULL;
	return mg_tz_open(time_zone, tz, &c->err);
}

int mg_arg_epoch_in_zone(mg_ctx *c, const char *name, const mg_tz *tz, int64_t *t)
{
	int r = mg_arg_epoch(c, name, t);
	if (r <= 0)
		return r;
	mv *v = mg_arg(c, name);
	if (!v->u.dt.wall)
		return 1;          /* an instant ((Get-Date), a time ending in Z): as it is */
	/* the wall clock as typed, read in the batch's zone (never the machine's) */
	*t = mg_tz_to_utc(tz, v->u.dt.wall_sec);
	return 1;
}

int mg_arg_limit(mg_ctx *c, const char *name, long long *out)
{
	mv *v = mg_arg(c, name);
	if (!v || v->kind == MV_NULL)
		return 0;
	if (v->kind != MV_INT)   /* MPT_UNLIMITED (Unlimited is -1) or MPT_INT */
		return wrong_type(c, name, "number", v);
	if (v->u.i < -1)
		return mg_err_set(&c->err, MGC_INVALIDARG, "InvalidLimit",
		                  "-%s must be a non-negative number or Unlimited.", name);
	*out = v->u.i;
	return 1;
}

int mg_cmd_ensure_service(mg_ctx *c)
{
	const char *home = mg_home(c);
	mg_err err;
	mg_err_clear(&err);
	if (mg_service_ensure_running(home, &err) < 0) {
		mg_err_copy(&c->err, &err);
		mg_err_prefix(&c->err, "The migration service could not be started, so nothing will "
		              "be copied until it runs (Start-MigrationService)");
		return -1;
	}
	mg_verbose(c, "The migration service is running for %s.", home);
	return 0;
}

int mg_cmd_report(mg_ctx *c, const mg_err *e, const char *target)
{
	return mg_error(c, e, target) < 0 ? -1 : 0;
}

int mg_cmd_confirm(mg_ctx *c, const char *target, const char *action)
{
	bool fatal = false;
	if (mg_should_process(c, target, action, &fatal))
		return 1;
	return fatal ? -1 : 0;
}

/* ---------------------------------------------------------------- records by name */

enum record_kind { REC_BATCH, REC_ENDPOINT, REC_USER };

/* out points to an mg_batch *, mg_endpoint * or mg_user * (by kind). */
static int get_record(mg_store *st, enum record_kind kind, const char *id, void *out,
                      mg_err *err)
{
	int r;
	switch (kind) {
	case REC_BATCH:
		r = mg_store_batch_load(st, id, (mg_batch **)out, err);
		break;
	case REC_ENDPOINT:
		r = mg_store_endpoint_load(st, id, (mg_endpoint **)out, err);
		break;
	default:
		r = mg_store_user_find(st, id, (mg_user **)out, err);
		break;
	}
	if (r == 0)
		return 0;
	if (err && err->category == MGC_NOTFOUND)
		not_found(err, kind == REC_BATCH ? "batch" : kind == REC_ENDPOINT ? "endpoint" : "user",
		          id);
	return -1;
}

static int find_record(mg_ctx *c, mg_store *st, enum record_kind kind, const char *id,
                       void *out)
{
	mg_err err;
	mg_err_clear(&err);
	if (get_record(st, kind, id, out, &err) < 0)
		return mg_cmd_report(c, &err, id);
	return 1;
}

static int load_record(mg_ctx *c, const char *hint, mg_store **st, enum record_kind kind,
                       void *out)
{
	*st = mg_cmd_store(c);
	if (!*st)
		return -1;
	const char *id = mg_arg_nonempty(c, "Identity");
	if (!id)
		return mg_err_set(&c->err, MGC_INVALIDARG, "InvalidIdentity",
		                  "-Identity is empty: %s.", hint);
	return find_record(c, *st, kind, id, out);
}

int mg_cmd_get_batch(mg_store *st, const char *id, mg_batch **out, mg_err *err)
{
	return get_record(st, REC_BATCH, id, out, err);
}

int mg_cmd_get_endpoint(mg_store *st, const char *id, mg_endpoint **out, mg_err *err)
{
	return get_record(st, REC_ENDPOINT, id, out, err);
}

int mg_cmd_find_batch(mg_ctx *c, mg_store *st, const char *id, mg_batch **out)
{
	return find_record(c, st, REC_BATCH, id, out);
}

int mg_cmd_find_endpoint(mg_ctx *c, mg_store *st, const char *id, mg_endpoint **out)
{
	return find_record(c, st, REC_ENDPOINT, id, out);
}

int mg_cmd_find_user(mg_ctx *c, mg_store *st, const char *id, mg_user **out)
{
	return find_record(c, st, REC_USER, id, out);
}

int mg_cmd_load_batch(mg_ctx *c, const char *hint, mg_store **st, mg_batch **out)
{
	return load_record(c, hint, st, REC_BATCH, out);
}

int mg_cmd_load_endpoint(mg_ctx *c, const char *hint, mg_store **st, mg_endpoint **out)
{
	return load_record(c, hint, st, REC_ENDPOINT, out);
}

int mg_cmd_load_user(mg_ctx *c, const char *hint, mg_store **st, mg_user **out)
{
	return load_record(c, hint, st, REC_USER, out);
}

/* ---------------------------------------------------------------- listing and the service */

bool mg_cmd_within_result_size(mg_ctx *c, long long limit, long long emitted)
{
	if (limit < 0 || emitted < limit)
		return true;
	mg_warning(c, "There are more results than -ResultSize %lld allows; use "
	           "-ResultSize Unlimited to see all of them.", limit);
	return false;
}

int mg_cmd_ensure_service_for_batch(mg_ctx *c, mg_store *st, const char *name)
{
	mg_batch *b = NULL;
	mg_err err;
	mg_err_clear(&err);
	if (mg_store_batch_load(st, name, &b, &err) < 0)
		return 0;
	bool active = mg_batch_status_active(b->status);
	mg_batch_free(b);
	return active ? mg_cmd_ensure_service(c) : 0;
}
