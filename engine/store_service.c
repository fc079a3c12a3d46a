/*
 * store_service.c - the background service's bookkeeping in the state
 * store (store.h, "service"): one row saying which process runs, since
 * when, its last heartbeat and how many copies it runs, and one row per
 * copy (batch, user, source endpoint, kind).  The service rewrites them in
 * one transaction every few seconds and whenever its copies change; the
 * shell reads them (Get-MigrationService, Get-MigrationEndpoint's active
 * counts) from a connection of its own, without opening the store.
 *
 * Up to schema 2 this was the file service.yaml; a data directory that has
 * one is converted when the store is opened at schema 3
 * (mg_store_service_convert, from store.c), then the file is removed.
 * The rows only mean something while the service holds its lock
 * (service_client.c checks that first), so a row left by a killed service
 * is harmless: the next service overwrites it when it starts.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/fileio.h"
#include "common/mem.h"
#include "engine/store.h"
#include "engine/store_sql.h"
#include "engine/store_yaml.h"

#define SERVICE_YAML_MAX (16L << 20)

/* The rows of r and jobs, replacing what is there (caller's change). */
static int put_rows(mg_store *st, const mg_service_rec *r, const mg_service_job_rec *jobs, size_t n,
                    mg_err *err)
{
	if (sq_exec(st, "DELETE FROM service_jobs", err) < 0)
		return -1;
	sqlite3_stmt *s = sq_prepare(st, -1,
	    "INSERT INTO service_status (id, pid, started, heartbeat, active_initial, active_incremental) "
	    "VALUES (1, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET pid = excluded.pid, "
	    "started = excluded.started, heartbeat = excluded.heartbeat, "
	    "active_initial = excluded.active_initial, active_incremental = excluded.active_incremental", err);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, r->pid);
	sqlite3_bind_int64(s, 2, r->started);
	sqlite3_bind_int64(s, 3, r->heartbeat);
	sqlite3_bind_int64(s, 4, r->active_initial);
	sqlite3_bind_int64(s, 5, r->active_incremental);
	int rc = sqlite3_step(s) == SQLITE_DONE ? 0 : sq_fail(st, err, "saving the service status");
	sq_done(st, -1, s);
	if (rc < 0 || n == 0)
		return rc;
	s = sq_prepare(st, -1, "INSERT INTO service_jobs (batch, email, endpoint, kind) VALUES (?, ?, ?, ?)", err);
	if (!s)
		return -1;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		sqlite3_bind_text(s, 1, jobs[i].batch ? jobs[i].batch : "", -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, jobs[i].email ? jobs[i].email : "", -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, jobs[i].endpoint ? jobs[i].endpoint : "", -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 4, jobs[i].kind ? jobs[i].kind : "Initial", -1, SQLITE_STATIC);
		if (sqlite3_step(s) != SQLITE_DONE)
			rc = sq_fail(st, err, "saving the service's jobs");
		sqlite3_reset(s);
	}
	sq_done(st, -1, s);
	return rc;
}

int mg_store_service_save(mg_store *st, const mg_service_rec *r, const mg_service_job_rec *jobs, size_t n,
                          mg_err *err)
{
	if (sq_change_begin(st, err) < 0)
		return -1;
	return sq_change_end(st, put_rows(st, r, jobs, n, err), err);
}

/* The status row into out, and the jobs of endpoint (when not NULL). */
static int read_rows(sqlite3 *db, const char *endpoint, mg_service_rec *out, long *ep_initial,
                     long *ep_incremental)
{
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(db, "SELECT pid, started, heartbeat, active_initial, active_incremental "
	                           "FROM service_status WHERE id = 1", -1, &s, NULL) != SQLITE_OK)
		return -1;
	int r = sqlite3_step(s);
	if (r == SQLITE_ROW) {
		out->pid = sqlite3_column_int64(s, 0);
		out->started = sqlite3_column_int64(s, 1);
		out->heartbeat = sqlite3_column_int64(s, 2);
		out->active_initial = (long)sqlite3_column_int64(s, 3);
		out->active_incremental = (long)sqlite3_column_int64(s, 4);
	}
	sqlite3_finalize(s);
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		return -1;
	if (!endpoint)
		return 0;
	if (sqlite3_prepare_v2(db, "SELECT kind, COUNT(*) FROM service_jobs WHERE lower(endpoint) = lower(?) "
	                           "GROUP BY kind", -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(s, 1, endpoint, -1, SQLITE_STATIC);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		const char *kind = (const char *)sqlite3_column_text(s, 0);
		long c = (long)sqlite3_column_int64(s, 1);
		if (kind && !strcmp(kind, "Initial"))
			*ep_initial += c;
		else
			*ep_incremental += c;
	}
	sqlite3_finalize(s);
	return r == SQLITE_DONE ? 0 : -1;
}

int mg_store_service_read(const char *home, const char *endpoint, mg_service_rec *out, long *ep_initial,
                          long *ep_incremental, mg_err *err)
{
	memset(out, 0, sizeof *out);
	long dummy_i, dummy_c;
	if (!ep_initial)
		ep_initial = &dummy_i;
	if (!ep_incremental)
		ep_incremental = &dummy_c;
	*ep_initial = *ep_incremental = 0;
	char *path = mg_path_join(home, MG_DB_FILE);
	if (access(path, F_OK) < 0) {   /* no store yet: nothing runs */
		free(path);
		return 0;
	}
	sqlite3 *db = NULL;
	int rc = 0;
	/* read-write without CREATE: never makes a database; a WAL reader needs
	 * to write the shared-memory index */
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		rc = mg_err_set(err, MGC_READ, "ServiceStatus", "cannot read the service status from '%s': %s",
		                path, db ? sqlite3_errmsg(db) : "out of memory");
	} else {
		sqlite3_busy_timeout(db, 2000);
		if (read_rows(db, endpoint, out, ep_initial, ep_incremental) < 0)
			rc = mg_err_set(err, MGC_READ, "ServiceStatus", "cannot read the service status from '%s': %s",
			                path, sqlite3_errmsg(db));
	}
	sqlite3_close(db);
	free(path);
	return rc;
}

/* ---- service.yaml of schema 2 ---- */

static const char *kind_name(const char *k)
{
	if (k && !strcmp(k, "Final"))
		return "Final";
	if (k && !strcmp(k, "Incremental"))
		return "Incremental";
	return "Initial";
}

/* Parse the file's text into r and jobs (pointers into d). */
static int parse_service_yaml(ydoc *d, mg_service_rec *r, mg_service_job_rec **jobs, size_t *n)
{
	yaml_node_t *root = ydoc_root(d);
	long long a = 0, b = 0;
	yget_ll(d, root, "Pid", &r->pid);
	yget_i64(d, root, "Started", &r->started);
	yget_i64(d, root, "Heartbeat", &r->heartbeat);
	yget_ll(d, root, "ActiveInitialSyncs", &a);
	yget_ll(d, root, "ActiveIncrementalSyncs", &b);
	r->active_initial = (long)a;
	r->active_incremental = (long)b;
	*jobs = NULL;
	*n = 0;
	size_t cap = 0;
	yaml_node_t *seq = ymap_get(d, root, "Jobs");
	if (seq && seq->type == YAML_SEQUENCE_NODE)
		for (yaml_node_item_t *it = seq->data.sequence.items.start; it < seq->data.sequence.items.top; it++) {
			yaml_node_t *m = yaml_document_get_node(&d->doc, *it);
			if (!m || m->type != YAML_MAPPING_NODE)
				continue;
			GROW(*jobs, cap, *n + 1);
			mg_service_job_rec *j = &(*jobs)[(*n)++];
			j->batch = yscalar(ymap_get(d, m, "Batch"));
			j->email = yscalar(ymap_get(d, m, "User"));
			j->endpoint = yscalar(ymap_get(d, m, "Endpoint"));
			j->kind = kind_name(yscalar(ymap_get(d, m, "Kind")));
		}
	return d->failed ? -1 : 0;
}

int mg_store_service_convert(mg_store *st, mg_err *err)
{
	char *path = mg_store_path(st, "service.yaml");
	char *data = NULL;
	size_t len = 0;
	if (access(path, F_OK) < 0) {   /* none: nothing to convert */
		free(path);
		return 0;
	}
	if (mg_read_file(path, SERVICE_YAML_MAX, &data, &len, err) < 0) {
		free(path);
		return -1;
	}
	/* a status that cannot be read is dropped: it describes a process, not
	 * a record, and the next service start writes a new one */
	ydoc d;
	mg_service_rec r = { 0 };
	mg_service_job_rec *jobs = NULL;
	size_t n = 0;
	int rc = 0;
	if (ydoc_load(&d, data, len, path, NULL) == 0) {
		if (parse_service_yaml(&d, &r, &jobs, &n) == 0)
			rc = mg_store_service_save(st, &r, jobs, n, err);
		ydoc_free(&d);
	}
	free(jobs);
	free(data);
	if (rc == 0 && unlink(path) < 0 && errno != ENOENT)
		rc = mg_err_sys(err, MGC_WRITE, "StoreConvert", "cannot remove '%s'", path);
	free(path);
	return rc;
}
