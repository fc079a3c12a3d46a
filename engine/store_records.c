/*
 * store_records.c - the records of the state store (store.h) in SQLite:
 * endpoints, batches, users, skipped items, per-user reports, counts, the
 * streamed user listing and the background clean-up list.  config.yaml
 * stays a file a person can edit.
 *
 * Reads hold only the connection's mutex (one statement, its own snapshot);
 * changes run in sq_change_begin/end (a savepoint inside the caller's
 * transaction, or a transaction of their own).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/fileio.h"
#include "common/mem.h"
#include "common/str.h"
#include "engine/store.h"
#include "engine/store_codec.h"
#include "engine/store_sql.h"

#define RECORD_MAX (4L * 1024 * 1024)
#define EACH_CHUNK 256

static void rd_begin(mg_store *st) { pthread_mutex_lock(&st->mu); }
static void rd_end(mg_store *st) { pthread_mutex_unlock(&st->mu); }

int mg_err_migration_not_found(mg_err *err, mg_err_cat category, const char *what,
                               const char *identity)
{
	/* Exchange Online repeats the endpoint's text after "Reason:" (seen for
	 * Test-MigrationServerAvailability -Endpoint); for batches and users no
	 * such text is known, so it is said once */
	if (strcmp(what, "endpoint") == 0)
		return mg_err_set(err, category, "ManagementObjectNotFoundException",
		                  "The migration %s '%s' couldn't be found. Reason: The migration %s '%s' "
		                  "couldn't be found.", what, identity, what, identity);
	return mg_err_set(err, category, "ManagementObjectNotFoundException",
	                  "The migration %s '%s' couldn't be found.", what, identity);
}

static int not_found(mg_err *err, const char *what, const char *identity)
{
	return mg_err_migration_not_found(err, MGC_NOTFOUND, what, identity);
}

/* ---- config (a file: a person edits it) ---- */

int mg_store_config_load(mg_store *st, mg_config *out, mg_err *err)
{
	mg_config_defaults(out);
	char *path = mg_store_path(st, "config.yaml");
	char *data = NULL;
	size_t len = 0;
	mg_err e2 = { 0 };
	int rc = 0;
	if (mg_read_file(path, RECORD_MAX, &data, &len, &e2) < 0) {
		if (e2.category != MGC_NOTFOUND) {
			mg_err_copy(err, &e2);
			rc = -1;
		}
	} else {
		rc = mg_config_from_yaml(data, len, path, out, err);
	}
	free(data);
	free(path);
	return rc;
}

int mg_store_config_save(mg_store *st, const mg_config *c, mg_err *err)
{
	char *path = mg_store_path(st, "config.yaml");
	char *text = mg_config_to_yaml(c);
	int rc = mg_write_atomic(path, text, strlen(text), 0600, err);
	free(text);
	free(path);
	return rc;
}

/* ---- what endpoints and batches share ----
 * Both are found by name (its key) or Guid, created under a name that must
 * be free, saved by name and listed whole: one description of each kind
 * (named_kind) and one function for each of those steps. */

typedef struct named_kind {
	const char   *table;      /* endpoints, batches */
	const char   *what;       /* endpoint, batch (errors) */
	const char   *a_what;     /* an endpoint, a batch */
	const coldef *cols;
	const size_t *ncols;
	const char   *guid_col;
	const char   *order;      /* ORDER BY of the listing */
	/* decode a row (record columns from 0): NULL when unreadable, or a
	 * record standing for the unreadable one (batches); err says why */
	void *(*row)(sqlite3_stmt *s, mg_err *err);
	void  (*free)(void *rec);
	/* the error when the name is taken */
	int   (*taken)(mg_err *err, const char *name);
} named_kind;

static bool row_exists(mg_store *st, const char *sql, const char *key)
{
	sqlite3_stmt *s = sq_prepare(st, -1, sql, NULL);
	if (!s)
		return false;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	bool found = sqlite3_step(s) == SQLITE_ROW;
	sq_done(st, -1, s);
	return found;
}

/* Run s (bound) to completion; 0 or -1. */
static int step_done(mg_store *st, sqlite3_stmt *s, mg_err *err, const char *doing)
{
	int r = sqlite3_step(s);
	if (r != SQLITE_DONE && r != SQLITE_ROW)
		return sq_fail(st, err, doing);
	return 0;
}

/* One record by name or Guid; an unreadable one is an error naming it. */
static int named_load(mg_store *st, const named_kind *k, const char *identity, void **out, mg_err *err)
{
	if (!identity || !*identity)
		return not_found(err, k->what, identity ? identity : "");
	char *cols = sq_col_list(k->cols, *k->ncols, NULL);
	char *sql = xasprintf("SELECT %s FROM %s WHERE name_key = ?1 OR \"%s\" = lower(?2) "
	                      "ORDER BY CASE WHEN name_key = ?1 THEN 0 ELSE 1 END LIMIT 1",
	                      cols, k->table, k->guid_col);
	char *key = mg_safe_name(identity);
	char *doing = xasprintf("reading %s", k->a_what);
	int rc = -1;
	rd_begin(st);
	sqlite3_stmt *s = sq_prepare(st, -1, sql, err);
	if (s) {
		sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, identity, -1, SQLITE_STATIC);
		int r = sqlite3_step(s);
		if (r == SQLITE_ROW) {
			mg_err e2 = { 0 };
			void *rec = k->row(s, &e2);
			if (!rec || e2.set) {
				mg_err_copy(err, &e2);
				if (rec)
					k->free(rec);
			} else {
				*out = rec;
				rc = 0;
			}
		} else if (r == SQLITE_DONE) {
			rc = not_found(err, k->what, identity);
		} else {
			rc = sq_fail(st, err, doing);
		}
		sq_done(st, -1, s);
	}
	rd_end(st);
	free(doing);
	free(key);
	free(sql);
	free(cols);
	return rc;
}

/* Every record in listing order (NULL-terminated).  An unreadable endpoint
 * fails the call; an unreadable batch is listed as its stand-in. */
static int named_list(mg_store *st, const named_kind *k, void ***out, size_t *n, mg_err *err)
{
	*out = NULL;
	*n = 0;
	char *cols = sq_col_list(k->cols, *k->ncols, NULL);
	char *sql = xasprintf("SELECT %s FROM %s ORDER BY %s", cols, k->table, k->order);
	char *doing = xasprintf("listing %ss", k->what);
	void **v = xcalloc(1, sizeof *v);
	size_t cnt = 0;
	int rc = -1;
	rd_begin(st);
	sqlite3_stmt *s = sq_prepare(st, -1, sql, err);
	if (s) {
		int r;
		rc = 0;
		while ((r = sqlite3_step(s)) == SQLITE_ROW) {
			mg_err e2 = { 0 };
			void *rec = k->row(s, &e2);
			if (!rec) {
				mg_err_copy(err, &e2);
				rc = -1;
				break;
			}
			v = xrealloc(v, (cnt + 2) * sizeof *v);
			v[cnt++] = rec;
			v[cnt] = NULL;
		}
		if (rc == 0 && r != SQLITE_DONE)
			rc = sq_fail(st, err, doing);
		sq_done(st, -1, s);
	}
	rd_end(st);
	free(doing);
	free(sql);
	free(cols);
	if (rc < 0) {
		for (size_t i = 0; i < cnt; i++)
			k->free(v[i]);
		free(v);
		return -1;
	}
	*out = v;
	*n = cnt;
	return 0;
}

/* INSERT rec as a new record called name, in the caller's change; the
 * kind's error when the name is taken. */
static int named_insert(mg_store *st, const named_kind *k, const void *rec, const char *name, mg_err *err)
{
	char *key = mg_safe_name(name);
	char *probe = xasprintf("SELECT 1 FROM %s WHERE name_key = ?", k->table);
	int rc = -1;
	if (row_exists(st, probe, key)) {
		rc = k->taken(err, name);
	} else {
		char *cols = sq_col_list(k->cols, *k->ncols, NULL);
		char *qm = sq_qmarks(*k->ncols + 1);
		char *sql = xasprintf("INSERT INTO %s (name_key, %s) VALUES (%s)", k->table, cols, qm);
		char *doing = xasprintf("creating %s", k->a_what);
		sqlite3_stmt *s = sq_prepare(st, -1, sql, err);
		if (s) {
			sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
			sq_bind_cols(s, 2, k->cols, *k->ncols, rec);
			rc = step_done(st, s, err, doing);
			sq_done(st, -1, s);
		}
		free(doing);
		free(sql);
		free(qm);
		free(cols);
	}
	free(probe);
	free(key);
	return rc;
}

/* UPDATE one record found by its name key: every column from rec; a
 * record that is not there is not_found. */
static int save_by_name(mg_store *st, const named_kind *k, const void *rec, const char *name, mg_err *err)
{
	if (sq_change_begin(st, err) < 0)
		return -1;
	char *key = mg_safe_name(name);
	char *set = sq_col_list(k->cols, *k->ncols, NULL);
	/* UPDATE ... SET (c1, c2) = (?, ?) is standard; SQLite has it since 3.15 */
	char *qm = sq_qmarks(*k->ncols);
	char *sql = xasprintf("UPDATE %s SET (%s) = (%s) WHERE name_key = ?", k->table, set, qm);
	char *doing = xasprintf("saving %s", k->a_what);
	int rc = -1;
	sqlite3_stmt *s = sq_prepare(st, -1, sql, err);
	if (s) {
		int i = sq_bind_cols(s, 1, k->cols, *k->ncols, rec);
		sqlite3_bind_text(s, i, key, -1, SQLITE_STATIC);
		rc = step_done(st, s, err, doing);
		if (rc == 0 && sqlite3_changes(st->db) == 0)
			rc = not_found(err, k->what, name);
		sq_done(st, -1, s);
	}
	free(doing);
	free(sql);
	free(qm);
	free(set);
	free(key);
	return sq_change_end(st, rc, err);
}

/* ---- endpoints ---- */

static void *endpoint_row(sqlite3_stmt *s, mg_err *err)
{
	mg_endpoint *e = mg_endpoint_new("");
	if (sq_read_cols(s, 0, mg_endpoint_cols, mg_endpoint_ncols, e, "endpoint", err) < 0) {
		mg_endpoint_free(e);
		return NULL;
	}
	return e;
}

static void endpoint_free(void *e)
{
	mg_endpoint_free(e);
}

static int endpoint_taken(mg_err *err, const char *name)
{
	return mg_err_set(err, MGC_EXISTS, "MigrationEndpointDuplicate",
	                  "A migration endpoint named '%s' already exists. Choose another name, "
	                  "or change it with Set-MigrationEndpoint.", name);
}

static const named_kind endpoint_kind = {
	"endpoints", "endpoint", "an endpoint", mg_endpoint_cols, &mg_endpoint_ncols, "Guid",
	"name_key", endpoint_row, endpoint_free, endpoint_taken,
};

int mg_store_endpoint_load(mg_store *st, const char *identity, mg_endpoint **out, mg_err *err)
{
	void *rec = NULL;
	if (named_load(st, &endpoint_kind, identity, &rec, err) < 0)
		return -1;
	*out = rec;
	return 0;
}

int mg_store_endpoint_create(mg_store *st, const mg_endpoint *e, mg_err *err)
{
	if (!e->name || !*e->name)
		return mg_err_set(err, MGC_INVALIDARG, "EmptyName", "The endpoint name must not be empty.");
	if (sq_change_begin(st, err) < 0)
		return -1;
	return sq_change_end(st, named_insert(st, &endpoint_kind, e, e->name, err), err);
}

int mg_store_endpoint_save(mg_store *st, const mg_endpoint *e, mg_err *err)
{
	return save_by_name(st, &endpoint_kind, e, e->name, err);
}

int mg_store_endpoint_remove(mg_store *st, const char *identity, mg_err *err)
{
	if (sq_change_begin(st, err) < 0)
		return -1;
	mg_endpoint *e = NULL;
	int rc = mg_store_endpoint_load(st, identity, &e, err);
	if (rc == 0) {
		sqlite3_stmt *s = sq_prepare(st, -1,
		    "SELECT \"Name\" FROM batches WHERE lower(\"SourceEndpoint\") = lower(?1) "
		    "OR lower(\"TargetEndpoint\") = lower(?1) ORDER BY \"CreationDateTime\" LIMIT 1", err);
		rc = s ? 0 : -1;
		if (s) {
			sqlite3_bind_text(s, 1, e->name, -1, SQLITE_STATIC);
			if (sqlite3_step(s) == SQLITE_ROW)
				rc = mg_err_set(err, MGC_INVALIDOP, "MigrationEndpointInUse",
				                "The migration endpoint '%s' can't be removed because the migration batch "
				                "'%s' uses it. Remove the batch first (Remove-MigrationBatch).",
				                e->name, (const char *)sqlite3_column_text(s, 0));
			sq_done(st, -1, s);
		}
	}
	if (rc == 0) {
		char *key = mg_safe_name(e->name);
		sqlite3_stmt *s = sq_prepare(st, -1, "DELETE FROM endpoints WHERE name_key = ?", err);
		rc = -1;
		if (s) {
			sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
			rc = step_done(st, s, err, "removing an endpoint");
			sq_done(st, -1, s);
		}
		free(key);
	}
	mg_endpoint_free(e);
	return sq_change_end(st, rc, err);
}

int mg_store_endpoint_list(mg_store *st, mg_endpoint ***out, size_t *n, mg_err *err)
{
	void **recs;
	if (named_list(st, &endpoint_kind, &recs, n, err) < 0) {
		*out = NULL;
		return -1;
	}
	mg_endpoint **v = xcalloc(*n + 1, sizeof *v);
	for (size_t i = 0; i < *n; i++)
		v[i] = recs[i];
	free(recs);
	*out = v;
	return 0;
}

void mg_endpoint_list_free(mg_endpoint **v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		mg_endpoint_free(v[i]);
	free(v);
}

/* ---- batches ---- */

/* Decode a batch row; an unreadable one becomes a Corrupted batch
 * carrying the reason (and err says it). */
static void *batch_row(sqlite3_stmt *s, mg_err *err)
{
	mg_batch *b = mg_batch_new("");
	mg_err e2 = { 0 };
	if (sq_read_cols(s, 0, mg_batch_cols, mg_batch_ncols, b, "batch", &e2) < 0) {
		const char *nm = (const char *)sqlite3_column_text(s, 0);
		mg_batch *c = mg_batch_new(nm ? nm : "?");
		c->status = MG_BS_CORRUPTED;
		c->created = b->created;
		c->message = xasprintf("The batch '%s': %s", nm ? nm : "?", e2.msg);
		mg_batch_free(b);
		mg_err_copy(err, &e2);
		return c;
	}
	return b;
}

static void batch_free(void *b)
{
	mg_batch_free(b);
}

static int batch_taken(mg_err *err, const char *name)
{
	return mg_err_set(err, MGC_EXISTS, "MigrationBatchDuplicate",
	                  "A migration batch named '%s' already exists. Choose another name, or "
	                  "remove the old batch first (Remove-MigrationBatch).", name);
}

static const named_kind batch_kind = {
	"batches", "batch", "a batch", mg_batch_cols, &mg_batch_ncols, "BatchGuid",
	"\"CreationDateTime\", \"Name\"", batch_row, batch_free, batch_taken,
};

int mg_store_batch_load(mg_store *st, const char *identity, mg_batch **out, mg_err *err)
{
	void *rec = NULL;
	if (named_load(st, &batch_kind, identity, &rec, err) < 0)
		return -1;
	*out = rec;
	return 0;
}

/* user_insert: 0, -1 (err filled) or -2 (the user is already in the batch). */
/* The cached insert (new = true) or upsert of a user row (parameters:
 * batch_id, email_key, columns). */
static sqlite3_stmt *user_write_stmt(mg_store *st, bool new, mg_err *err)
{
	int slot = new ? SQ_USER_INSERT : SQ_USER_UPSERT;
	if (st->stmts[slot])
		return st->stmts[slot];
	char *cols = sq_col_list(mg_user_cols, mg_user_ncols, NULL);
	char *qm = sq_qmarks(mg_user_ncols + 2);
	char *ex = sq_excluded_list(mg_user_cols, mg_user_ncols);
	char *sql = new ? xasprintf("INSERT INTO users (batch_id, email_key, %s) VALUES (%s)", cols, qm)
	                : xasprintf("INSERT INTO users (batch_id, email_key, %s) VALUES (%s) "
	                            "ON CONFLICT (batch_id, email_key) DO UPDATE SET %s", cols, qm, ex);
	sqlite3_stmt *s = sq_prepare(st, slot, sql, err);
	free(sql);
	free(ex);
	free(qm);
	free(cols);
	return s;
}

static int user_insert(mg_store *st, long long batch_id, const mg_user *u, bool new, mg_err *err)
{
	int slot = new ? SQ_USER_INSERT : SQ_USER_UPSERT;
	sqlite3_stmt *s = user_write_stmt(st, new, err);
	if (!s)
		return -1;
	char *key = mg_safe_name(u->email);
	sqlite3_bind_int64(s, 1, batch_id);
	sqlite3_bind_text(s, 2, key, -1, SQLITE_STATIC);
	sq_bind_cols(s, 3, mg_user_cols, mg_user_ncols, u);
	int r = sqlite3_step(s);
	int rc = r == SQLITE_DONE ? 0 : r == SQLITE_CONSTRAINT ? -2 : sq_fail(st, err, "saving a user");
	if (rc == -2)
		mg_err_set(err, MGC_EXISTS, "StoreConstraint", "The user '%s' is already in its batch.", u->email);
	sq_done(st, slot, s);
	free(key);
	return rc;
}

/* id of the batch named name (key), 0 when none, -1 on error. */
static long long batch_id(mg_store *st, const char *name, mg_err *err)
{
	sqlite3_stmt *s = sq_prepare(st, SQ_BATCH_ID, "SELECT id FROM batches WHERE name_key = ?", err);
	if (!s)
		return -1;
	char *key = mg_safe_name(name);
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	long long id = 0;
	int r = sqlite3_step(s);
	if (r == SQLITE_ROW)
		id = sqlite3_column_int64(s, 0);
	else if (r != SQLITE_DONE)
		id = sq_fail(st, err, "finding a batch");
	sq_done(st, SQ_BATCH_ID, s);
	free(key);
	return id;
}

int mg_store_batch_create(mg_store *st, const mg_batch *b, mg_user *const *users, size_t n, mg_err *err)
{
	if (!b->name || !*b->name)
		return mg_err_set(err, MGC_INVALIDARG, "EmptyName", "The batch name must not be empty.");
	if (sq_change_begin(st, err) < 0)
		return -1;
	int rc = named_insert(st, &batch_kind, b, b->name, err);
	long long id = rc == 0 ? sqlite3_last_insert_rowid(st->db) : 0;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		rc = user_insert(st, id, users[i], true, err);
		if (rc == -2)
			rc = mg_err_set(err, MGC_EXISTS, "DuplicateUser",
			                "The user '%s' appears twice in batch '%s'.", users[i]->email, b->name);
	}
	return sq_change_end(st, rc, err);
}

int mg_store_batch_save(mg_store *st, const mg_batch *b, mg_err *err)
{
	return save_by_name(st, &batch_kind, b, b->name, err);
}

static int exec_key(mg_store *st, const char *sql, const char *key, mg_err *err)
{
	sqlite3_stmt *s = sq_prepare(st, -1, sql, err);
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	int rc = step_done(st, s, err, "removing records");
	sq_done(st, -1, s);
	return rc;
}

/* The per-user sync state directories of a batch's users, for the service
 * to remove in the background (mg_store_cleanup_take). */
static int schedule_state_cleanup(mg_store *st, long long bid, mg_err *err)
{
	sqlite3_stmt *s = sq_prepare(st, -1, "SELECT \"TargetEndpoint\" FROM batches WHERE id = ?", err);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, bid);
	char *target = NULL;
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
		target = xstrdup((const char *)sqlite3_column_text(s, 0));
	sq_done(st, -1, s);
	/* <home>/state/<dest>/<key>: the directory of a user whose key is "x" */
	char *one = mg_store_user_state_dir(st, "x", target);
	one[strlen(one) - 1] = '\0';
	int rc = -1;
	s = sq_prepare(st, -1, "INSERT INTO cleanup (path, email_key) "
	                       "SELECT ? || email_key, email_key FROM users WHERE batch_id = ?", err);
	if (s) {
		sqlite3_bind_text(s, 1, one, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 2, bid);
		rc = step_done(st, s, err, "recording the sync state to remove");
		sq_done(st, -1, s);
	}
	free(one);
	free(target);
	return rc;
}

int mg_store_batch_delete(mg_store *st, const char *name, mg_err *err)
{
	if (sq_change_begin(st, err) < 0)
		return -1;
	char *key = mg_safe_name(name);
	long long id = batch_id(st, name, err);
	int rc = id < 0 ? -1 : 0;
	if (id == 0)
		rc = not_found(err, "batch", name);
	if (rc == 0)
		rc = schedule_state_cleanup(st, id, err);
	if (rc == 0)
		rc = exec_key(st, "DELETE FROM user_reports WHERE batch_key = ?", key, err);
	if (rc == 0)
		rc = exec_key(st, "DELETE FROM batches WHERE name_key = ?", key, err);   /* cascades */
	free(key);
	rc = sq_change_end(st, rc, err);
	if (rc == 0) {
		/* the reports are files; the records are gone already */
		char *d = mg_store_batch_dir(st, name);
		(void)mg_rm_rf(d, NULL);
		free(d);
	}
	return rc;
}

int mg_store_batch_list(mg_store *st, mg_batch ***out, size_t *n, mg_err *err)
{
	void **recs;
	if (named_list(st, &batch_kind, &recs, n, err) < 0) {
		*out = NULL;
		return -1;
	}
	mg_batch **v = xcalloc(*n + 1, sizeof *v);
	for (size_t i = 0; i < *n; i++)
		v[i] = recs[i];
	free(recs);
	*out = v;
	return 0;
}

void mg_batch_list_free(mg_batch **v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		mg_batch_free(v[i]);
	free(v);
}

static long long count_query(mg_store *st, const char *sql, const char *key)
{
	long long c = 0;
	rd_begin(st);
	sqlite3_stmt *s = sq_prepare(st, -1, sql, NULL);
	if (s) {
		if (key)
			sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
		if (sqlite3_step(s) == SQLITE_ROW)
			c = sqlite3_column_int64(s, 0);
		sq_done(st, -1, s);
	}
	rd_end(st);
	return c;
}

size_t mg_store_batch_count(mg_store *st)
{
	return (size_t)count_query(st, "SELECT COUNT(*) FROM batches", NULL);
}

/* ---- users ---- */

static const char *user_from =
	" FROM users u JOIN batches b ON b.id = u.batch_id";

/* SELECT list of a user row: email_key, then the user columns (from 1). */
static char *user_select(const char *where_order)
{
	char *cols = sq_col_list(mg_user_cols, mg_user_ncols, "u.");
	char *sql = xasprintf("SELECT u.email_key, %s%s %s", cols, user_from, where_order);
	free(cols);
	return sql;
}

/* Decode a user row; an unreadable one becomes a Corrupted user. */
static mg_user *user_row(sqlite3_stmt *s, const char *batch_hint)
{
	mg_user *u = mg_user_new("", batch_hint ? batch_hint : "");
	mg_err e2 = { 0 };
	if (sq_read_cols(s, 1, mg_user_cols, mg_user_ncols, u, "user", &e2) < 0) {
		const char *em = (const char *)sqlite3_column_text(s, 1);
		const char *bt = (const char *)sqlite3_column_text(s, 3);
		mg_user *c = mg_user_new(em ? em : "?", bt ? bt : (batch_hint ? batch_hint : ""));
		c->status = MG_US_CORRUPTED;
		c->csv_line = u->csv_line;
		c->error = xasprintf("The user '%s': %s", em ? em : "?", e2.msg);
		c->error_summary = xstrdup("The user's record is corrupt.");
		mg_user_free(u);
		return c;
	}
	return u;
}

int mg_store_user_load(mg_store *st, const char *batch, const char *email, mg_user **out, mg_err *err)
{
	char *bk = mg_safe_name(batch), *ek = mg_safe_name(email);
	int rc = -1;
	rd_begin(st);
	sqlite3_stmt *s = st->stmts[SQ_USER_BY_KEY];
	if (!s) {
		char *sql = user_select("WHERE b.name_key = ? AND u.email_key = ?");
		s = sq_prepare(st, SQ_USER_BY_KEY, sql, err);
		free(sql);
	}
	if (s) {
		sqlite3_bind_text(s, 1, bk, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, ek, -1, SQLITE_STATIC);
		int r = sqlite3_step(s);
		if (r == SQLITE_ROW) {
			*out = user_row(s, batch);
			rc = 0;
		} else if (r == SQLITE_DONE) {
			rc = not_found(err, "user", email);
		} else {
			rc = sq_fail(st, err, "reading a user");
		}
		sq_done(st, SQ_USER_BY_KEY, s);
	}
	rd_end(st);
	free(bk);
	free(ek);
	return rc;
}

int mg_store_user_find(mg_store *st, const char *identity, mg_user **out, mg_err *err)
{
	if (!identity || !*identity)
		return not_found(err, "user", "");
	char *ek = mg_safe_name(identity);
	char *sql1 = user_select("WHERE u.email_key = ? ORDER BY b.\"CreationDateTime\", b.name_key LIMIT 1");
	char *sql2 = user_select("WHERE u.\"Guid\" = lower(?) LIMIT 1");
	int rc = -1;
	rd_begin(st);
	for (int pass = 0; pass < 2 && rc < 0; pass++) {
		sqlite3_stmt *s = sq_prepare(st, -1, pass ? sql2 : sql1, err);
		if (!s)
			break;
		sqlite3_bind_text(s, 1, pass ? identity : ek, -1, SQLITE_STATIC);
		int r = sqlite3_step(s);
		if (r == SQLITE_ROW) {
			*out = user_row(s, NULL);
			rc = 0;
		} else if (r != SQLITE_DONE) {
			sq_fail(st, err, "finding a user");
			sq_done(st, -1, s);
			break;
		} else if (pass == 1) {
			not_found(err, "user", identity);
		}
		sq_done(st, -1, s);
	}
	rd_end(st);
	free(sql1);
	free(sql2);
	free(ek);
	return rc;
}

int mg_store_user_save(mg_store *st, const mg_user *u, mg_err *err)
{
	if (sq_change_begin(st, err) < 0)
		return -1;
	long long id = batch_id(st, u->batch, err);
	int rc = id < 0 ? -1 : 0;
	if (id == 0)
		rc = not_found(err, "batch", u->batch);
	if (rc == 0 && user_insert(st, id, u, false, err) < 0)
		rc = -1;
	return sq_change_end(st, rc, err);
}

int mg_store_user_delete(mg_store *st, const char *batch, const char *email, mg_err *err)
{
	if (sq_change_begin(st, err) < 0)
		return -1;
	char *bk = mg_safe_name(batch), *ek = mg_safe_name(email);
	int rc = -1;
	sqlite3_stmt *s = sq_prepare(st, -1,
	    "DELETE FROM users WHERE email_key = ?2 AND batch_id = (SELECT id FROM batches WHERE name_key = ?1)", err);
	if (s) {
		sqlite3_bind_text(s, 1, bk, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, ek, -1, SQLITE_STATIC);
		rc = step_done(st, s, err, "removing a user");
		if (rc == 0 && sqlite3_changes(st->db) == 0)
			rc = not_found(err, "user", email);
		sq_done(st, -1, s);
	}
	if (rc == 0 && (s = sq_prepare(st, -1, "DELETE FROM user_reports WHERE batch_key = ? AND email_key = ?", err))) {
		sqlite3_bind_text(s, 1, bk, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, ek, -1, SQLITE_STATIC);
		rc = step_done(st, s, err, "removing a user's report");
		sq_done(st, -1, s);
	}
	free(bk);
	free(ek);
	return sq_change_end(st, rc, err);
}

/* "AND u.Status IN ('A', 'B')" for a status mask (names are constants). */
static char *status_filter(unsigned long mask)
{
	if (!mask)
		return xstrdup("");
	strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, " AND u.\"Status\" IN (");
	bool first = true;
	for (int i = 0; i < MG_US__COUNT; i++)
		if (mask & (1UL << i)) {
			strbuf_addf(&sb, "%s'%s'", first ? "" : ", ", mg_user_status_name((mg_user_status)i));
			first = false;
		}
	strbuf_adds(&sb, ")");
	return strbuf_detach(&sb, NULL);
}

/* One page of a batch's users after (line, key), in CSV order. */
typedef struct page {
	mg_user *v[EACH_CHUNK];
	size_t   n;
	long     last_line;
	char    *last_key;
} page;

static int fetch_page(mg_store *st, long long bid, const char *filter, long long want, page *pg, mg_err *err)
{
	char *where = xasprintf("WHERE u.batch_id = ?1%s AND (u.\"CsvLine\" > ?2 OR (u.\"CsvLine\" = ?2 AND u.email_key > ?3)) "
	                        "ORDER BY u.\"CsvLine\", u.email_key LIMIT ?4", filter);
	char *sql = user_select(where);
	int rc = 0;
	pg->n = 0;
	rd_begin(st);
	sqlite3_stmt *s = sq_prepare(st, -1, sql, err);
	if (!s) {
		rc = -1;
	} else {
		sqlite3_bind_int64(s, 1, bid);
		sqlite3_bind_int64(s, 2, pg->last_line);
		sqlite3_bind_text(s, 3, pg->last_key ? pg->last_key : "", -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(s, 4, want);
		int r;
		while ((r = sqlite3_step(s)) == SQLITE_ROW) {
			pg->v[pg->n++] = user_row(s, NULL);
			pg->last_line = (long)sqlite3_column_int64(s, 7);   /* CsvLine */
			free(pg->last_key);
			pg->last_key = xstrdup((const char *)sqlite3_column_text(s, 0));
		}
		if (r != SQLITE_DONE)
			rc = sq_fail(st, err, "listing users");
		sq_done(st, -1, s);
	}
	rd_end(st);
	free(sql);
	free(where);
	return rc;
}

/* Batch ids and names in listing order (batch NULL = all). */
static int batch_ids(mg_store *st, const char *batch, long long **ids, size_t *n, mg_err *err)
{
	*ids = NULL;
	*n = 0;
	if (batch) {
		rd_begin(st);
		long long id = batch_id(st, batch, err);
		rd_end(st);
		if (id < 0)
			return -1;
		if (id == 0)
			return not_found(err, "batch", batch);
		*ids = xcalloc(1, sizeof **ids);
		(*ids)[0] = id;
		*n = 1;
		return 0;
	}
	int rc = 0;
	rd_begin(st);
	sqlite3_stmt *s = sq_prepare(st, -1, "SELECT id FROM batches ORDER BY \"CreationDateTime\", \"Name\"", err);
	if (!s) {
		rc = -1;
	} else {
		int r;
		while ((r = sqlite3_step(s)) == SQLITE_ROW) {
			*ids = xrealloc(*ids, (*n + 1) * sizeof **ids);
			(*ids)[(*n)++] = sqlite3_column_int64(s, 0);
		}
		if (r != SQLITE_DONE)
			rc = sq_fail(st, err, "listing batches");
		sq_done(st, -1, s);
	}
	rd_end(st);
	return rc;
}

int mg_store_user_each(mg_store *st, const char *batch, unsigned long status_mask, long long limit,
                       mg_user_cb cb, void *arg, mg_err *err)
{
	long long *ids;
	size_t nids;
	if (batch_ids(st, batch, &ids, &nids, err) < 0)
		return -1;
	char *filter = status_filter(status_mask);
	int rc = 0;
	long long left = limit;
	bool stop = false;
	for (size_t b = 0; b < nids && rc == 0 && !stop; b++) {
		page pg = { .last_line = -(1L << 30), .last_key = NULL };
		for (;;) {
			long long want = EACH_CHUNK;
			if (left >= 0 && left < want)
				want = left;
			if (want == 0) {
				stop = true;
				break;
			}
			if (fetch_page(st, ids[b], filter, want, &pg, err) < 0) {
				rc = -1;
				break;
			}
			size_t got = pg.n, i = 0;
			for (; i < got && rc == 0 && !stop; i++) {
				int r = cb(pg.v[i], arg, err);
				pg.v[i] = NULL;
				if (r < 0)
					rc = -1;
				else if (r > 0)
					stop = true;
			}
			for (; i < got; i++)
				mg_user_free(pg.v[i]);
			if (left >= 0)
				left -= (long long)got;
			if (rc < 0 || stop || (long long)got < want)
				break;
		}
		free(pg.last_key);
	}
	free(filter);
	free(ids);
	return rc;
}

typedef struct collect {
	mg_user **v;
	size_t    n, cap;
} collect;

static int collect_cb(mg_user *u, void *arg, mg_err *err)
{
	(void)err;
	collect *c = arg;
	GROW(c->v, c->cap, c->n + 2);
	c->v[c->n++] = u;
	c->v[c->n] = NULL;
	return 0;
}

int mg_store_user_list_status(mg_store *st, const char *batch, unsigned long status_mask,
                              long long limit, mg_user ***out, size_t *n, mg_err *err)
{
	collect c = { 0 };
	*out = NULL;
	*n = 0;
	if (mg_store_user_each(st, batch, status_mask, limit, collect_cb, &c, err) < 0) {
		mg_user_list_free(c.v, c.n);
		return -1;
	}
	*out = c.v ? c.v : xcalloc(1, sizeof **out);
	*n = c.n;
	return 0;
}

int mg_store_user_list(mg_store *st, const char *batch, mg_user ***out, size_t *n, mg_err *err)
{
	return mg_store_user_list_status(st, batch, 0, -1, out, n, err);
}

int mg_store_user_list_all(mg_store *st, mg_user ***out, size_t *n, mg_err *err)
{
	return mg_store_user_list_status(st, NULL, 0, -1, out, n, err);
}

void mg_user_list_free(mg_user **v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		mg_user_free(v[i]);
	free(v);
}

bool mg_store_email_in_use(mg_store *st, const char *email, const char *except_batch, char **batch_out)
{
	char *ek = mg_safe_name(email);
	char *xk = except_batch ? mg_safe_name(except_batch) : xstrdup("");
	bool found = false;
	rd_begin(st);
	/* cached: New-MigrationBatch asks once per CSV row */
	sqlite3_stmt *s = sq_prepare(st, SQ_EMAIL_IN_USE,
	    "SELECT b.\"Name\" FROM users u JOIN batches b ON b.id = u.batch_id "
	    "WHERE u.email_key = ? AND b.name_key <> ? ORDER BY b.name_key LIMIT 1", NULL);
	if (s) {
		sqlite3_bind_text(s, 1, ek, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, xk, -1, SQLITE_STATIC);
		if (sqlite3_step(s) == SQLITE_ROW) {
			found = true;
			if (batch_out) {
				const char *nm = (const char *)sqlite3_column_text(s, 0);
				*batch_out = xstrdup(nm ? nm : "");
			}
		}
		sq_done(st, SQ_EMAIL_IN_USE, s);
	}
	rd_end(st);
	free(ek);
	free(xk);
	return found;
}

/* ---- counts ---- */

/* One row per user status of a batch (NULL = every batch): "Status",
 * then the aggregates; fn gets each row and its status. */
typedef void (*status_row_fn)(sqlite3_stmt *s, mg_user_status us, void *arg);

static int by_status(mg_store *st, const char *batch, const char *aggregates, status_row_fn fn,
                     void *arg, mg_err *err)
{
	char *sql = xasprintf("SELECT \"Status\", %s FROM users%s GROUP BY \"Status\"", aggregates,
	                      batch ? " WHERE batch_id = ?" : "");
	int rc = 0;
	rd_begin(st);
	long long id = batch ? batch_id(st, batch, err) : 0;
	if (id < 0)
		rc = -1;
	else if (batch && id == 0)
		rc = not_found(err, "batch", batch);
	sqlite3_stmt *s = NULL;
	if (rc == 0 && !(s = sq_prepare(st, -1, sql, err)))
		rc = -1;
	if (s) {
		if (batch)
			sqlite3_bind_int64(s, 1, id);
		int r;
		while ((r = sqlite3_step(s)) == SQLITE_ROW) {
			mg_user_status us;
			if (mg_user_status_parse((const char *)sqlite3_column_text(s, 0), &us) < 0)
				us = MG_US_CORRUPTED;
			fn(s, us, arg);
		}
		if (r != SQLITE_DONE)
			rc = sq_fail(st, err, "counting users");
		sq_done(st, -1, s);
	}
	rd_end(st);
	free(sql);
	return rc;
}

static void add_status_count(sqlite3_stmt *s, mg_user_status us, void *arg)
{
	long long *out = arg;
	out[us] += sqlite3_column_int64(s, 1);
}

int mg_store_user_status_counts(mg_store *st, const char *batch, long long out[MG_US__COUNT], mg_err *err)
{
	memset(out, 0, sizeof(long long) * MG_US__COUNT);
	return by_status(st, batch, "COUNT(*)", add_status_count, out, err);
}

/* The bytes of the -Wait bar: EstimatedTotalTransferSize, and BytesTransferred
 * counted at most up to it (as mg_batch_counts_compute does). */
#define COUNT_BYTES "SUM(\"EstimatedTotalTransferSize\"), SUM(CASE WHEN \"BytesTransferred\" < " \
	"\"EstimatedTotalTransferSize\" THEN \"BytesTransferred\" ELSE \"EstimatedTotalTransferSize\" END)"

static void add_batch_counts(sqlite3_stmt *s, mg_user_status us, void *arg)
{
	mg_batch_counts *out = arg;
	/* one representative user per status, counted c times */
	mg_user one = { .status = us };
	mg_user *p = &one;
	mg_batch_counts c1;
	mg_batch_counts_compute(&p, 1, &c1);
	long long c = sqlite3_column_int64(s, 1);
	out->total += c * c1.total;
	out->active += c * c1.active;
	out->stopped += c * c1.stopped;
	out->synced += c * c1.synced;
	out->finalized += c * c1.finalized;
	out->failed += c * c1.failed;
	out->failed_initial += c * c1.failed_initial;
	out->failed_incremental += c * c1.failed_incremental;
	out->pending += c * c1.pending;
	out->completed_with_warning += c * c1.completed_with_warning;
	out->items_synced += sqlite3_column_int64(s, 2);
	out->items_skipped += sqlite3_column_int64(s, 3);
	out->items_total += sqlite3_column_int64(s, 4);
	out->bytes_total += sqlite3_column_int64(s, 5);
	out->bytes_done += sqlite3_column_int64(s, 6);
}

int mg_store_batch_counts(mg_store *st, const char *batch, mg_batch_counts *out, mg_err *err)
{
	memset(out, 0, sizeof *out);
	return by_status(st, batch, "COUNT(*), SUM(\"SyncedItemCount\"), SUM(\"SkippedItemCount\"), "
	                            "SUM(\"TotalItemsInSourceMailboxCount\"), " COUNT_BYTES,
	                 add_batch_counts, out, err);
}

static int cmp_user(const void *a, const void *b)
{
	const mg_user *x = *(mg_user *const *)a, *y = *(mg_user *const *)b;
	if (x->csv_line != y->csv_line)
		return x->csv_line < y->csv_line ? -1 : 1;
	return strcmp(x->email, y->email);
}

/* Users of a batch matching a fixed condition, in CSV order; at most limit
 * of them (< 0: all; which ones is the index's choice). */
static int users_where(mg_store *st, const char *batch, const char *cond, long long limit,
                       mg_user ***out, size_t *n, mg_err *err)
{
	*out = NULL;
	*n = 0;
	/* no ORDER BY: the planner would walk the batch in CSV order instead of
	 * using the partial index; the few rows are sorted here */
	char *cols = sq_col_list(mg_user_cols, mg_user_ncols, "u.");
	char *where = NULL;   /* users only: unqualified names in cond are the user's */
	char lim[32] = "";
	if (limit >= 0)
		snprintf(lim, sizeof lim, " LIMIT %lld", limit);
	char *sql = xasprintf("SELECT u.email_key, %s FROM users u "
	                      "WHERE u.batch_id = (SELECT id FROM batches WHERE name_key = ?) AND (%s)%s",
	                      cols, cond, lim);
	free(cols);
	char *bk = mg_safe_name(batch);
	mg_user **v = xcalloc(1, sizeof *v);
	size_t k = 0;
	int rc = -1;
	rd_begin(st);
	sqlite3_stmt *s = sq_prepare(st, -1, sql, err);
	if (s) {
		sqlite3_bind_text(s, 1, bk, -1, SQLITE_STATIC);
		int r;
		while ((r = sqlite3_step(s)) == SQLITE_ROW) {
			v = xrealloc(v, (k + 2) * sizeof *v);
			v[k++] = user_row(s, batch);
			v[k] = NULL;
		}
		rc = r == SQLITE_DONE ? 0 : sq_fail(st, err, "listing users");
		sq_done(st, -1, s);
	}
	rd_end(st);
	free(bk);
	free(sql);
	free(where);
	if (rc < 0) {
		mg_user_list_free(v, k);
		return -1;
	}
	qsort(v, k, sizeof *v, cmp_user);
	*out = v;
	*n = k;
	return 0;
}

int mg_store_user_list_invalid(mg_store *st, const char *batch, mg_user ***out, size_t *n, mg_err *err)
{
	return users_where(st, batch, "\"ValidationFailed\" <> 0", -1, out, n, err);
}

int mg_store_user_list_lossy(mg_store *st, const char *batch, mg_user ***out, size_t *n, mg_err *err)
{
	/* the conditions of the partial indexes users_invalid and users_lossy, word for word */
	return users_where(st, batch, "\"BadItemCount\" > 0 OR \"LargeItemCount\" > 0 OR "
	                              "\"OverLimitItemCount\" > 0", -1, out, n, err);
}

int mg_store_user_list_runnable(mg_store *st, const char *batch, int64_t now, long long interval,
                                bool sync_now, long long queued_max, mg_user ***out, size_t *n, mg_err *err)
{
	char *cond = xasprintf(
	    "\"Status\" IN ('Validating', 'Starting', 'Provisioning', 'ProvisionUpdating', "
	    "'Syncing', 'IncrementalSyncing', 'Completing', 'Stopping') "
	    "OR (\"Status\" IN ('Synced', 'IncrementalSynced') AND (%d = 1 "
	    "OR (\"NextSyncDue\" <> 0 AND \"NextSyncDue\" <= %lld) "
	    "OR (CASE WHEN \"SyncFinished\" <> 0 THEN \"SyncFinished\" ELSE \"LastSuccessfulSyncTime\" END) "
	    "BETWEEN 1 AND %lld))", sync_now ? 1 : 0, (long long)now, (long long)now - interval);
	/* Queued users: only as many as can start (users_status index), not
	 * the thousands still waiting; those whose own StartAfter is to come
	 * are left out so that they never hold the places of the others */
	char *queued = xasprintf("\"Status\" = 'Queued' AND \"StartAfter\" <= %lld", (long long)now);
	mg_user **q = NULL;
	size_t nq = 0;
	int rc = users_where(st, batch, cond, -1, out, n, err);
	if (rc == 0 && queued_max != 0)
		rc = users_where(st, batch, queued, queued_max, &q, &nq, err);
	if (rc == 0 && nq) {
		*out = xrealloc(*out, (*n + nq + 1) * sizeof **out);
		memcpy(*out + *n, q, nq * sizeof *q);
		*n += nq;
		(*out)[*n] = NULL;
		qsort(*out, *n, sizeof **out, cmp_user);
		free(q);
	} else {
		mg_user_list_free(q, nq);
	}
	if (rc < 0) {
		mg_user_list_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	free(queued);
	free(cond);
	return rc;
}

long long mg_store_user_count(mg_store *st, const char *batch)
{
	if (!batch)
		return count_query(st, "SELECT COUNT(*) FROM users", NULL);
	char *bk = mg_safe_name(batch);
	long long c = count_query(st, "SELECT COUNT(*) FROM users u JOIN batches b ON b.id = u.batch_id "
	                              "WHERE b.name_key = ?", bk);
	free(bk);
	return c;
}

/* ---- skipped items ---- */

static long long user_id(mg_store *st, const char *batch, const char *email, mg_err *err)
{
	char *bk = mg_safe_name(batch), *ek = mg_safe_name(email);
	long long id = -1;
	sqlite3_stmt *s = sq_prepare(st, -1,
	    "SELECT u.id FROM users u JOIN batches b ON b.id = u.batch_id WHERE b.name_key = ? AND u.email_key = ?", err);
	if (s) {
		sqlite3_bind_text(s, 1, bk, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, ek, -1, SQLITE_STATIC);
		int r = sqlite3_step(s);
		id = r == SQLITE_ROW ? sqlite3_column_int64(s, 0) : r == SQLITE_DONE ? 0 : sq_fail(st, err, "finding a user");
		sq_done(st, -1, s);
	}
	free(bk);
	free(ek);
	return id;
}

int mg_store_skipped_load(mg_store *st, const char *batch, const char *email,
                          mg_skipped_rec **out, size_t *n, mg_err *err)
{
	*out = NULL;
	*n = 0;
	int rc = 0;
	rd_begin(st);
	long long uid = user_id(st, batch, email, err);
	if (uid < 0)
		rc = -1;
	sqlite3_stmt *s = NULL;
	if (uid > 0 && !(s = sq_prepare(st, -1,
	    "SELECT \"FolderName\", \"Uid\", \"Subject\", \"Size\", \"DateReceived\", \"Kind\", \"Reason\" "
	    "FROM skipped_items WHERE user_id = ? ORDER BY id", err)))
		rc = -1;
	mg_skipped_rec *v = NULL;
	size_t k = 0, cap = 0;
	if (s) {
		sqlite3_bind_int64(s, 1, uid);
		int r;
		while ((r = sqlite3_step(s)) == SQLITE_ROW) {
			GROW(v, cap, k + 1);
			mg_skipped_rec *x = &v[k++];
			const char *t;
			x->folder = (t = (const char *)sqlite3_column_text(s, 0)) ? xstrdup(t) : NULL;
			x->uid = (uint32_t)sqlite3_column_int64(s, 1);
			x->subject = (t = (const char *)sqlite3_column_text(s, 2)) ? xstrdup(t) : NULL;
			x->size = sqlite3_column_int64(s, 3);
			x->date = sqlite3_column_int64(s, 4);
			x->kind = (t = (const char *)sqlite3_column_text(s, 5)) ? xstrdup(t) : NULL;
			x->reason = (t = (const char *)sqlite3_column_text(s, 6)) ? xstrdup(t) : NULL;
		}
		if (r != SQLITE_DONE)
			rc = sq_fail(st, err, "reading skipped items");
		sq_done(st, -1, s);
	}
	rd_end(st);
	if (rc < 0) {
		mg_skipped_recs_free(v, k);
		return -1;
	}
	*out = v;
	*n = k;
	return 0;
}

static void bind_opt(sqlite3_stmt *s, int i, const char *t)
{
	if (t)
		sqlite3_bind_text(s, i, t, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, i);
}

int mg_store_skipped_save(mg_store *st, const char *batch, const char *email,
                          const mg_skipped_rec *v, size_t n, mg_err *err)
{
	if (sq_change_begin(st, err) < 0)
		return -1;
	long long uid = user_id(st, batch, email, err);
	int rc = uid < 0 ? -1 : 0;
	if (uid == 0)
		rc = not_found(err, "user", email);
	sqlite3_stmt *s;
	if (rc == 0 && (s = sq_prepare(st, -1, "DELETE FROM skipped_items WHERE user_id = ?", err))) {
		sqlite3_bind_int64(s, 1, uid);
		rc = step_done(st, s, err, "saving skipped items");
		sq_done(st, -1, s);
	}
	s = rc == 0 ? sq_prepare(st, -1,
	    "INSERT INTO skipped_items (user_id, \"FolderName\", \"Uid\", \"Subject\", \"Size\", "
	    "\"DateReceived\", \"Kind\", \"Reason\") VALUES (?, ?, ?, ?, ?, ?, ?, ?)", err) : NULL;
	if (rc == 0 && !s)
		rc = -1;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		sqlite3_bind_int64(s, 1, uid);
		bind_opt(s, 2, v[i].folder);
		sqlite3_bind_int64(s, 3, v[i].uid);
		bind_opt(s, 4, v[i].subject);
		sqlite3_bind_int64(s, 5, v[i].size);
		sqlite3_bind_int64(s, 6, v[i].date);
		bind_opt(s, 7, v[i].kind);
		bind_opt(s, 8, v[i].reason);
		rc = step_done(st, s, err, "saving skipped items");
		sqlite3_reset(s);
	}
	if (s)
		sq_done(st, -1, s);
	return sq_change_end(st, rc, err);
}

/* ---- per-user report ---- */

int mg_store_user_report_add_raw(mg_store *st, const char *batch, const char *email,
                                 const char *line, mg_err *err)
{
	if (sq_change_begin(st, err) < 0)
		return -1;
	char *bk = mg_safe_name(batch), *ek = mg_safe_name(email);
	int rc = -1;
	sqlite3_stmt *s = sq_prepare(st, SQ_REPORT_ADD,
	    "INSERT INTO user_reports (batch_key, email_key, line) VALUES (?, ?, ?)", err);
	if (s) {
		sqlite3_bind_text(s, 1, bk, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, ek, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, line, -1, SQLITE_STATIC);
		rc = step_done(st, s, err, "writing a user report");
		sq_done(st, SQ_REPORT_ADD, s);
	}
	free(bk);
	free(ek);
	return sq_change_end(st, rc, err);
}

int mg_store_user_report_append(mg_store *st, const char *batch, const char *email,
                                const char *line, mg_err *err)
{
	char ts[32];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(ts, sizeof ts, "%Y-%m-%d %H:%M:%S", &tm);
	char *txt = xasprintf("%s UTC %s", ts, line);
	int rc = mg_store_user_report_add_raw(st, batch, email, txt, err);
	free(txt);
	return rc;
}

int mg_store_user_report_read(mg_store *st, const char *batch, const char *email,
                              char **out, mg_err *err)
{
	char *bk = mg_safe_name(batch), *ek = mg_safe_name(email);
	strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, "");
	int rc = -1;
	rd_begin(st);
	sqlite3_stmt *s = sq_prepare(st, -1,
	    "SELECT line FROM user_reports WHERE batch_key = ? AND email_key = ? ORDER BY id", err);
	if (s) {
		sqlite3_bind_text(s, 1, bk, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, ek, -1, SQLITE_STATIC);
		int r;
		while ((r = sqlite3_step(s)) == SQLITE_ROW) {
			strbuf_adds(&sb, (const char *)sqlite3_column_text(s, 0));
			strbuf_addc(&sb, '\n');
		}
		rc = r == SQLITE_DONE ? 0 : sq_fail(st, err, "reading a user report");
		sq_done(st, -1, s);
	}
	rd_end(st);
	free(bk);
	free(ek);
	if (rc < 0) {
		strbuf_free(&sb);
		*out = NULL;
		return -1;
	}
	*out = strbuf_detach(&sb, NULL);
	return 0;
}

/* ---- background clean-up ---- */

char **mg_store_cleanup_take(mg_store *st, size_t max, long long *upto)
{
	*upto = 0;
	/* a read each poll; a write only when there is something to drop:
	 * users added to a batch again keep their sync state */
	bool in_use = false;
	rd_begin(st);
	sqlite3_stmt *s = sq_prepare(st, -1,
	    "SELECT EXISTS (SELECT 1 FROM cleanup c JOIN users u ON u.email_key = c.email_key)", NULL);
	if (s) {
		in_use = sqlite3_step(s) == SQLITE_ROW && sqlite3_column_int(s, 0) != 0;
		sq_done(st, -1, s);
	}
	rd_end(st);
	if (in_use && sq_change_begin(st, NULL) == 0)
		(void)sq_change_end(st, sq_exec(st, "DELETE FROM cleanup WHERE EXISTS "
		                                    "(SELECT 1 FROM users u WHERE u.email_key = cleanup.email_key)", NULL), NULL);
	char **v = NULL;
	size_t n = 0, cap = 0;
	rd_begin(st);
	s = sq_prepare(st, -1, "SELECT id, path FROM cleanup ORDER BY id LIMIT ?", NULL);
	if (s) {
		sqlite3_bind_int64(s, 1, (sqlite3_int64)max);
		while (sqlite3_step(s) == SQLITE_ROW) {
			GROW(v, cap, n + 2);
			*upto = sqlite3_column_int64(s, 0);
			v[n++] = xstrdup((const char *)sqlite3_column_text(s, 1));
			v[n] = NULL;
		}
		sq_done(st, -1, s);
	}
	rd_end(st);
	return v;
}

int mg_store_cleanup_done(mg_store *st, long long upto, mg_err *err)
{
	if (sq_change_begin(st, err) < 0)
		return -1;
	int rc = -1;
	sqlite3_stmt *s = sq_prepare(st, -1, "DELETE FROM cleanup WHERE id <= ?", err);
	if (s) {
		sqlite3_bind_int64(s, 1, upto);
		rc = step_done(st, s, err, "updating the clean-up list");
		sq_done(st, -1, s);
	}
	return sq_change_end(st, rc, err);
}
