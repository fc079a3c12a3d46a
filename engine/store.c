/*
 * store.c - the state store (store.h): the data directory, the SQLite
 * database in it (opening, schema, conversion of the YAML layout of schema
 * 1), transactions and locking, and the SQL helpers the record functions
 * (store_records.c) use.
 *
 * Transactions: one SQLite connection per mg_store, guarded by a recursive
 * mutex (the service's threads share it).  mg_store_lock() opens a write
 * transaction (BEGIN IMMEDIATE: other processes' writers wait up to the
 * busy timeout, readers never wait in WAL mode), mg_store_unlock() commits
 * it.  Each change function runs inside a SAVEPOINT, so a failed change
 * leaves nothing behind even inside a caller's transaction; outside one it
 * is its own transaction.
 *
 * Conversion of schema 1 (one YAML file per record): done once, under the
 * open lock, into migsh.db.converting, which is renamed to migsh.db when
 * complete; only then is the schema file rewritten to 2.  A crash before the
 * rename leaves the YAML layout as it was (the next open converts again); a
 * crash after it finds migsh.db and only rewrites the schema file.  The YAML
 * files are left where they were (no longer read; the reports directories
 * under batches/ stay in use).
 *
 * Schema 2 -> 3 adds the service's bookkeeping tables and moves service.yaml
 * into them (store_service.c) before the schema file says 3; a crash before
 * that only repeats the move at the next open.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fileio.h"
#include "common/mem.h"
#include "common/str.h"
#include "engine/store.h"
#include "engine/store_sql.h"

#define SCHEMA_MAGIC "migsh-store"
#define BUSY_MS_DEFAULT 30000

/* ---- names and paths ---- */

char *mg_safe_name(const char *name)
{
	strbuf sb = STRBUF_INIT;
	static const char hex[] = "0123456789abcdef";
	for (const unsigned char *p = (const unsigned char *)(name ? name : ""); *p; p++) {
		unsigned char c = *p;
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		bool keep = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		            c == '_' || c == '+' || c == '@' || c == '-' ||
		            (c == '.' && sb.len > 0);
		if (keep) {
			strbuf_addc(&sb, (char)c);
		} else {
			strbuf_addc(&sb, '%');
			strbuf_addc(&sb, hex[c >> 4]);
			strbuf_addc(&sb, hex[c & 15]);
		}
	}
	if (!sb.len)
		strbuf_adds(&sb, "%00");
	/* keep file names within NAME_MAX, leaving room for suffixes */
	if (sb.len > 200) {
		unsigned long h = 5381;
		for (const unsigned char *p = (const unsigned char *)sb.buf; *p; p++)
			h = h * 33 + *p;
		sb.len = 180;
		sb.buf[sb.len] = '\0';
		strbuf_addf(&sb, "~%08lx", h & 0xffffffffUL);
	}
	return strbuf_detach(&sb, NULL);
}

char *mg_store_path(const mg_store *st, const char *rel)
{
	return mg_path_join(st->home, rel);
}

char *mg_store_batch_dir(const mg_store *st, const char *batch)
{
	char *k = mg_safe_name(batch);
	char *p = xasprintf("%s/batches/%s", st->home, k);
	free(k);
	return p;
}

char *mg_store_reports_dir(const mg_store *st, const char *batch)
{
	char *d = mg_store_batch_dir(st, batch);
	char *p = xasprintf("%s/reports", d);
	free(d);
	return p;
}

char *mg_store_user_mail_dir(const mg_store *st, const char *email)
{
	char *k = mg_safe_name(email);
	char *p = xasprintf("%s/mail/%s", st->home, k);
	free(k);
	return p;
}

char *mg_store_user_state_dir(const mg_store *st, const char *email, const char *target_endpoint)
{
	char *k = mg_safe_name(email);
	char *p;
	if (target_endpoint) {
		char *ek = mg_safe_name(target_endpoint);
		p = xasprintf("%s/state/ep-%s/%s", st->home, ek, k);
		free(ek);
	} else {
		p = xasprintf("%s/state/local/%s", st->home, k);
	}
	free(k);
	return p;
}

char *mg_store_default_home(void)
{
	const char *h = getenv("MIGSH_HOME");
	if (h && *h)
		return xstrdup(h);
	const char *x = getenv("XDG_DATA_HOME");
	if (x && *x == '/')
		return xasprintf("%s/migsh", x);
	const char *home = getenv("HOME");
	return xasprintf("%s/.local/share/migsh", home && *home ? home : ".");
}

/* ---- SQL helpers ---- */

int sq_fail(mg_store *st, mg_err *err, const char *doing)
{
	int code = sqlite3_errcode(st->db);
	if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
		return mg_err_set(err, MGC_INVALIDOP, "StoreBusy",
		                  "The state store '%s' is busy: another migsh has been changing it for "
		                  "more than %d seconds (%s). Try again when it has finished.",
		                  st->home, st->busy_ms / 1000, doing);
	if (code == SQLITE_CONSTRAINT)
		return mg_err_set(err, MGC_EXISTS, "StoreConstraint",
		                  "The state store refused a change (%s): %s.", doing, sqlite3_errmsg(st->db));
	if (code == SQLITE_FULL || code == SQLITE_IOERR)
		return mg_err_set(err, MGC_WRITE, "StoreWrite",
		                  "cannot write the state store '%s/%s' (%s): %s. Check free disk space.",
		                  st->home, MG_DB_FILE, doing, sqlite3_errmsg(st->db));
	return mg_err_set(err, MGC_INVALIDDATA, "StoreError",
	                  "The state store '%s/%s' failed (%s): %s.", st->home, MG_DB_FILE, doing,
	                  sqlite3_errmsg(st->db));
}

int sq_exec(mg_store *st, const char *sql, mg_err *err)
{
	if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		if (st->depth > 0)
			st->txn_failed = true;
		return sq_fail(st, err, "SQL");
	}
	return 0;
}

sqlite3_stmt *sq_prepare(mg_store *st, int slot, const char *sql, mg_err *err)
{
	if (slot >= 0 && st->stmts[slot])
		return st->stmts[slot];
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v3(st->db, sql, -1, slot >= 0 ? SQLITE_PREPARE_PERSISTENT : 0, &s, NULL) != SQLITE_OK) {
		sq_fail(st, err, "prepare");
		return NULL;
	}
	if (slot >= 0)
		st->stmts[slot] = s;
	return s;
}

void sq_done(mg_store *st, int slot, sqlite3_stmt *s)
{
	if (!s)
		return;
	if (slot >= 0 && st->stmts[slot] == s) {
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
	} else {
		sqlite3_finalize(s);
	}
}

/* Lists of strings: each element followed by '\n'; '\\' and '\n' escaped. */
static char *strv_encode(char *const *v)
{
	strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, "");
	for (size_t i = 0; v[i]; i++) {
		for (const char *p = v[i]; *p; p++) {
			if (*p == '\\')
				strbuf_adds(&sb, "\\\\");
			else if (*p == '\n')
				strbuf_adds(&sb, "\\n");
			else
				strbuf_addc(&sb, *p);
		}
		strbuf_addc(&sb, '\n');
	}
	return strbuf_detach(&sb, NULL);
}

static char **strv_decode(const char *t)
{
	char **v = xcalloc(1, sizeof *v);
	size_t n = 0;
	strbuf sb = STRBUF_INIT;
	for (const char *p = t; *p; p++) {
		if (*p == '\n') {
			v = xrealloc(v, (n + 2) * sizeof *v);
			v[n++] = strbuf_detach(&sb, NULL);
			v[n] = NULL;
			sb = (strbuf)STRBUF_INIT;
			strbuf_adds(&sb, "");
		} else if (*p == '\\' && p[1]) {
			p++;
			strbuf_addc(&sb, *p == 'n' ? '\n' : *p);
		} else {
			strbuf_addc(&sb, *p);
		}
	}
	strbuf_free(&sb);
	return v;
}

#define FIELD(rec, c, T) ((T *)(void *)((char *)(rec) + (c)->off))

_Static_assert(sizeof(mg_user_status) == sizeof(int) && sizeof(mg_batch_status) == sizeof(int) &&
               sizeof(mg_consistency) == sizeof(int) && sizeof(mg_security) == sizeof(int) &&
               sizeof(mg_auth) == sizeof(int) && sizeof(mg_target_login) == sizeof(int),
               "enums are stored through int");

static const char *enum_name(coltype t, int v)
{
	switch (t) {
	case CT_BSTATUS: return mg_batch_status_name((mg_batch_status)v);
	case CT_USTATUS: return mg_user_status_name((mg_user_status)v);
	case CT_CONS:    return mg_consistency_name((mg_consistency)v);
	case CT_SEC:     return mg_security_name((mg_security)v);
	case CT_AUTH:    return mg_auth_name((mg_auth)v);
	case CT_TLOGIN:  return v == MG_TLOGIN_MASTER ? "MasterUser" : "AuthorizationId";
	default:         return "";
	}
}

static int enum_parse(coltype t, const char *s, int *v)
{
	int rc = -1;
	switch (t) {
	case CT_BSTATUS: { mg_batch_status x; rc = mg_batch_status_parse(s, &x); if (!rc) *v = (int)x; break; }
	case CT_USTATUS: { mg_user_status x; rc = mg_user_status_parse(s, &x); if (!rc) *v = (int)x; break; }
	case CT_CONS:    { mg_consistency x; rc = mg_consistency_parse(s, &x); if (!rc) *v = (int)x; break; }
	case CT_SEC:     { mg_security x; rc = mg_security_parse(s, &x); if (!rc) *v = (int)x; break; }
	case CT_AUTH:    { mg_auth x; rc = mg_auth_parse(s, &x); if (!rc) *v = (int)x; break; }
	case CT_TLOGIN:
		*v = s && !strcmp(s, "MasterUser") ? MG_TLOGIN_MASTER : MG_TLOGIN_AUTHZID;
		rc = 0;
		break;
	default: break;
	}
	return rc;
}

int sq_bind_cols(sqlite3_stmt *s, int first, const coldef *cols, size_t n, const void *rec)
{
	int i = first;
	for (size_t k = 0; k < n; k++, i++) {
		const coldef *c = &cols[k];
		switch (c->type) {
		case CT_STR: {
			const char *v = *FIELD(rec, c, char *const);
			if (v)
				sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
			else
				sqlite3_bind_null(s, i);
			break;
		}
		case CT_GUID:
			sqlite3_bind_text(s, i, FIELD(rec, c, const char), -1, SQLITE_STATIC);
			break;
		case CT_STRV: {
			char *const *v = *FIELD(rec, c, char **const);
			if (v) {
				char *t = strv_encode(v);
				sqlite3_bind_text(s, i, t, -1, free);
			} else {
				sqlite3_bind_null(s, i);
			}
			break;
		}
		case CT_LL:   sqlite3_bind_int64(s, i, *FIELD(rec, c, const long long)); break;
		case CT_I64:  sqlite3_bind_int64(s, i, *FIELD(rec, c, const int64_t)); break;
		case CT_INT:  sqlite3_bind_int64(s, i, *FIELD(rec, c, const int)); break;
		case CT_LONG: sqlite3_bind_int64(s, i, *FIELD(rec, c, const long)); break;
		case CT_BOOL: sqlite3_bind_int(s, i, *FIELD(rec, c, const bool) ? 1 : 0); break;
		default: {
			int v;
			memcpy(&v, FIELD(rec, c, const char), sizeof v);
			sqlite3_bind_text(s, i, enum_name(c->type, v), -1, SQLITE_STATIC);
			break;
		}
		}
	}
	return i;
}

int sq_read_cols(sqlite3_stmt *s, int first, const coldef *cols, size_t n, void *rec,
                 const char *what, mg_err *err)
{
	int i = first;
	for (size_t k = 0; k < n; k++, i++) {
		const coldef *c = &cols[k];
		const char *t = (const char *)sqlite3_column_text(s, i);
		switch (c->type) {
		case CT_STR: {
			char **f = FIELD(rec, c, char *);
			free(*f);
			*f = t ? xstrdup(t) : NULL;
			break;
		}
		case CT_GUID: {
			char *g = FIELD(rec, c, char);
			if (t && strlen(t) == MG_GUID_LEN)
				memcpy(g, t, MG_GUID_LEN + 1);
			break;
		}
		case CT_STRV: {
			char ***f = FIELD(rec, c, char **);
			mg_strv_free_all(*f);
			*f = t ? strv_decode(t) : NULL;
			break;
		}
		case CT_LL:   *FIELD(rec, c, long long) = sqlite3_column_int64(s, i); break;
		case CT_I64:  *FIELD(rec, c, int64_t) = sqlite3_column_int64(s, i); break;
		case CT_INT:  *FIELD(rec, c, int) = (int)sqlite3_column_int64(s, i); break;
		case CT_LONG: *FIELD(rec, c, long) = (long)sqlite3_column_int64(s, i); break;
		case CT_BOOL: *FIELD(rec, c, bool) = sqlite3_column_int(s, i) != 0; break;
		default: {
			int v = 0;
			if (!t || enum_parse(c->type, t, &v) < 0)
				return mg_err_set(err, MGC_INVALIDDATA, "StoreRecordCorrupt",
				                  "The %s record in the state store is corrupt: %s '%s' is not a known value.",
				                  what, c->name, t ? t : "(null)");
			memcpy(FIELD(rec, c, char), &v, sizeof v);
			break;
		}
		}
	}
	return 0;
}

char *sq_col_list(const coldef *cols, size_t n, const char *prefix)
{
	strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, "");
	for (size_t k = 0; k < n; k++)
		strbuf_addf(&sb, "%s%s\"%s\"", k ? ", " : "", prefix ? prefix : "", cols[k].name);
	return strbuf_detach(&sb, NULL);
}

char *sq_qmarks(size_t n)
{
	strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, "");
	for (size_t k = 0; k < n; k++)
		strbuf_adds(&sb, k ? ", ?" : "?");
	return strbuf_detach(&sb, NULL);
}

char *sq_excluded_list(const coldef *cols, size_t n)
{
	strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, "");
	for (size_t k = 0; k < n; k++)
		strbuf_addf(&sb, "%s\"%s\" = excluded.\"%s\"", k ? ", " : "", cols[k].name, cols[k].name);
	return strbuf_detach(&sb, NULL);
}

static const char *sql_type(coltype t)
{
	switch (t) {
	case CT_LL: case CT_I64: case CT_INT: case CT_LONG: case CT_BOOL:
		return "BIGINT NOT NULL DEFAULT 0";
	default:
		return "TEXT";
	}
}

static void add_cols(strbuf *sb, const coldef *cols, size_t n)
{
	for (size_t k = 0; k < n; k++)
		strbuf_addf(sb, ",\n  \"%s\" %s", cols[k].name, sql_type(cols[k].type));
}

/* Columns added to a table after a database was made are added to it
 * (ALTER TABLE ADD COLUMN keeps every row, with the column's default). */
static int add_missing_cols(mg_store *st, const char *table, const coldef *cols, size_t n, mg_err *err)
{
	char *q = xasprintf("SELECT name FROM pragma_table_info('%s')", table);
	sqlite3_stmt *s = NULL;
	bool *have = xcalloc(n ? n : 1, sizeof *have);
	int rc = 0;
	if (sqlite3_prepare_v2(st->db, q, -1, &s, NULL) == SQLITE_OK) {
		while (sqlite3_step(s) == SQLITE_ROW) {
			const char *name = (const char *)sqlite3_column_text(s, 0);
			for (size_t k = 0; name && k < n; k++)
				if (!strcmp(cols[k].name, name))
					have[k] = true;
		}
	}
	sqlite3_finalize(s);
	free(q);
	for (size_t k = 0; rc == 0 && k < n; k++)
		if (!have[k]) {
			char *sql = xasprintf("ALTER TABLE %s ADD COLUMN \"%s\" %s;", table, cols[k].name,
			                      sql_type(cols[k].type));
			rc = sq_exec(st, sql, err);
			free(sql);
		}
	free(have);
	return rc;
}

/* The column list this build knows, as one number (FNV-1a over the names
 * and types of the three record tables), kept in meta as 'columns' once
 * every column is known to be there: an open whose number matches skips
 * asking SQLite for three tables' columns (a fifth of what a one-user
 * lookup costs).  A build with other columns sees another number and
 * checks, so an older and a newer migsh on one store both stay right. */
static void columns_sig_add(uint64_t *h, const char *table, const coldef *cols, size_t n)
{
	for (size_t k = 0; k <= n; k++) {
		const char *txt[2] = { k < n ? cols[k].name : table, k < n ? sql_type(cols[k].type) : "" };
		for (int t = 0; t < 2; t++)
			for (const char *c = txt[t]; ; c++) {
				*h = (*h ^ (unsigned char)*c) * 1099511628211ULL;
				if (!*c)
					break;
			}
	}
}

static char *columns_sig(void)
{
	uint64_t h = 14695981039346656037ULL;
	columns_sig_add(&h, "endpoints", mg_endpoint_cols, mg_endpoint_ncols);
	columns_sig_add(&h, "batches", mg_batch_cols, mg_batch_ncols);
	columns_sig_add(&h, "users", mg_user_cols, mg_user_ncols);
	return xasprintf("%016llx", (unsigned long long)h);
}

int sq_add_missing_columns(mg_store *st, mg_err *err)
{
	char *sig = columns_sig();
	sqlite3_stmt *s = NULL;
	bool known = false;
	if (sqlite3_prepare_v2(st->db, "SELECT value FROM meta WHERE key = 'columns'", -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(s, 0);
		known = v && !strcmp(v, sig);
	}
	sqlite3_finalize(s);
	int rc = 0;
	if (!known) {
		if (add_missing_cols(st, "endpoints", mg_endpoint_cols, mg_endpoint_ncols, err) < 0 ||
		    add_missing_cols(st, "batches", mg_batch_cols, mg_batch_ncols, err) < 0 ||
		    add_missing_cols(st, "users", mg_user_cols, mg_user_ncols, err) < 0)
			rc = -1;
		if (rc == 0) {
			char *sql = xasprintf("INSERT OR REPLACE INTO meta(key, value) VALUES ('columns', '%s');", sig);
			rc = sq_exec(st, sql, err);
			free(sql);
		}
	}
	free(sig);
	return rc;
}

int sq_create_schema(mg_store *st, mg_err *err)
{
	strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, "CREATE TABLE IF NOT EXISTS meta (\n  key TEXT PRIMARY KEY,\n  value TEXT);\n");
	strbuf_adds(&sb, "CREATE TABLE IF NOT EXISTS endpoints (\n  id INTEGER PRIMARY KEY,\n  name_key TEXT NOT NULL UNIQUE");
	add_cols(&sb, mg_endpoint_cols, mg_endpoint_ncols);
	strbuf_adds(&sb, ");\n");
	strbuf_adds(&sb, "CREATE TABLE IF NOT EXISTS batches (\n  id INTEGER PRIMARY KEY,\n  name_key TEXT NOT NULL UNIQUE");
	add_cols(&sb, mg_batch_cols, mg_batch_ncols);
	strbuf_adds(&sb, ");\n");
	strbuf_adds(&sb, "CREATE TABLE IF NOT EXISTS users (\n  id INTEGER PRIMARY KEY,\n"
	                 "  batch_id INTEGER NOT NULL REFERENCES batches(id) ON DELETE CASCADE,\n"
	                 "  email_key TEXT NOT NULL");
	add_cols(&sb, mg_user_cols, mg_user_ncols);
	strbuf_adds(&sb, ",\n  UNIQUE (batch_id, email_key));\n");
	strbuf_adds(&sb,
	    "CREATE TABLE IF NOT EXISTS skipped_items (\n  id INTEGER PRIMARY KEY,\n"
	    "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,\n"
	    "  \"FolderName\" TEXT, \"Uid\" BIGINT NOT NULL DEFAULT 0, \"Subject\" TEXT,\n"
	    "  \"Size\" BIGINT NOT NULL DEFAULT 0, \"DateReceived\" BIGINT NOT NULL DEFAULT 0,\n"
	    "  \"Kind\" TEXT, \"Reason\" TEXT);\n"
	    "CREATE TABLE IF NOT EXISTS user_reports (\n  id INTEGER PRIMARY KEY,\n"
	    "  batch_key TEXT NOT NULL, email_key TEXT NOT NULL, line TEXT NOT NULL);\n"
	    "CREATE TABLE IF NOT EXISTS cleanup (\n  id INTEGER PRIMARY KEY,\n  path TEXT NOT NULL,\n  email_key TEXT NOT NULL);\n"
	    /* the service's bookkeeping (store_service.c; schema 3) */
	    "CREATE TABLE IF NOT EXISTS service_status (\n  id INTEGER PRIMARY KEY,\n"
	    "  pid BIGINT NOT NULL DEFAULT 0, started BIGINT NOT NULL DEFAULT 0,\n"
	    "  heartbeat BIGINT NOT NULL DEFAULT 0, active_initial BIGINT NOT NULL DEFAULT 0,\n"
	    "  active_incremental BIGINT NOT NULL DEFAULT 0);\n"
	    "CREATE TABLE IF NOT EXISTS service_jobs (\n  id INTEGER PRIMARY KEY,\n"
	    "  batch TEXT NOT NULL, email TEXT NOT NULL, endpoint TEXT NOT NULL, kind TEXT NOT NULL);\n"
	    "CREATE INDEX IF NOT EXISTS endpoints_guid ON endpoints(\"Guid\");\n"
	    "CREATE INDEX IF NOT EXISTS batches_guid ON batches(\"BatchGuid\");\n"
	    "CREATE INDEX IF NOT EXISTS users_order ON users(batch_id, \"CsvLine\", email_key);\n"
	    /* counts by status answered from the index alone (covering) */
	    "CREATE INDEX IF NOT EXISTS users_status ON users(batch_id, \"Status\", \"SyncedItemCount\", "
	    "\"SkippedItemCount\", \"TotalItemsInSourceMailboxCount\", \"EstimatedTotalTransferSize\", "
	    "\"BytesTransferred\");\n"
	    /* the few users Get-MigrationBatch looks at (partial indexes) */
	    "CREATE INDEX IF NOT EXISTS users_invalid ON users(batch_id) WHERE \"ValidationFailed\" <> 0;\n"
	    "CREATE INDEX IF NOT EXISTS users_lossy ON users(batch_id) WHERE \"BadItemCount\" > 0 "
	    "OR \"LargeItemCount\" > 0 OR \"OverLimitItemCount\" > 0;\n"
	    "CREATE INDEX IF NOT EXISTS users_email ON users(email_key);\n"
	    "CREATE INDEX IF NOT EXISTS users_guid ON users(\"Guid\");\n"
	    "CREATE INDEX IF NOT EXISTS skipped_user ON skipped_items(user_id);\n"
	    "CREATE INDEX IF NOT EXISTS reports_user ON user_reports(batch_key, email_key);\n");
	strbuf_addf(&sb, "INSERT INTO meta(key, value) VALUES ('schema', '%d') "
	                 "ON CONFLICT(key) DO UPDATE SET value = excluded.value;\n", MG_STORE_SCHEMA);
	int rc = sq_exec(st, sb.buf, err);
	strbuf_free(&sb);
	return rc;
}

/* ---- open, schema, lock ---- */

static bool exists(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0;
}

/* Schema file: 0 when missing, else the version; -1 on error. */
static int read_schema(const char *home, int *ver, mg_err *err)
{
	char *path = mg_path_join(home, "schema");
	char *data = NULL;
	size_t len = 0;
	mg_err e2 = { 0 };
	int rc = 0;
	*ver = 0;
	if (mg_read_file(path, 4096, &data, &len, &e2) < 0) {
		if (e2.category != MGC_NOTFOUND) {
			mg_err_copy(err, &e2);
			rc = -1;
		}
		goto out;
	}
	char magic[32] = "";
	if (sscanf(data, "%31s %d", magic, ver) != 2 || strcmp(magic, SCHEMA_MAGIC) || *ver < 1) {
		rc = mg_err_set(err, MGC_INVALIDDATA, "StoreSchemaCorrupt",
		                "The data directory '%s' has an unreadable schema file '%s'. "
		                "Check MIGSH_HOME points at a migsh data directory.", home, path);
		goto out;
	}
	if (*ver > MG_STORE_SCHEMA)
		rc = mg_err_set(err, MGC_INVALIDDATA, "StoreSchemaNewer",
		                "The data directory '%s' was written by a newer migsh (store schema %d; "
		                "this migsh understands up to %d). Upgrade migsh, or set MIGSH_HOME to "
		                "another directory.", home, *ver, MG_STORE_SCHEMA);
out:
	free(data);
	free(path);
	return rc;
}

/* The schema version recorded inside the database (0 when none). */
static int schema_in_db(mg_store *st)
{
	sqlite3_stmt *s = NULL;
	int v = 0;
	if (sqlite3_prepare_v2(st->db, "SELECT value FROM meta WHERE key = 'schema'", -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return v;
}

static int write_schema(const char *home, mg_err *err)
{
	char *path = mg_path_join(home, "schema");
	char *txt = xasprintf("%s %d\n", SCHEMA_MAGIC, MG_STORE_SCHEMA);
	int rc = mg_write_atomic(path, txt, strlen(txt), 0600, err);
	free(txt);
	free(path);
	return rc;
}

/* Does home hold records in the YAML layout of schema 1? */
static bool has_yaml_layout(const char *home)
{
	static const char *const dirs[] = { "endpoints", "batches" };
	for (size_t i = 0; i < 2; i++) {
		char *d = mg_path_join(home, dirs[i]);
		DIR *dh = opendir(d);
		free(d);
		if (!dh)
			continue;
		struct dirent *de;
		bool any = false;
		while (!any && (de = readdir(dh)))
			any = de->d_name[0] != '.';
		closedir(dh);
		if (any)
			return true;
	}
	return false;
}

void mg_store_setup_library(void)
{
	/* No bulk page-cache allocation per connection.  By default SQLite
	 * allocates room for 20 pages (170 KB at 8 KB pages) when a connection
	 * first reads, and writes a header into each slot, so every command
	 * began by touching some 40 fresh memory pages; on a virtual machine
	 * a page fault costs about 13 us, and Get-MigrationUser -Identity reads
	 * a handful of pages.  Pages are now allocated one by one as read. */
	(void)sqlite3_config(SQLITE_CONFIG_PAGECACHE, NULL, 0, 0);
}

/* Open the database file at path (created 0600) and set the connection up. */
static int db_open(mg_store *st, const char *path, mg_err *err)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return mg_err_sys(err, MGC_WRITE, "StoreOpen", "cannot open the state database '%s'", path);
	(void)fchmod(fd, 0600);
	close(fd);
	if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		int rc = mg_err_set(err, MGC_WRITE, "StoreOpen", "cannot open the state database '%s': %s",
		                    path, st->db ? sqlite3_errmsg(st->db) : "out of memory");
		sqlite3_close(st->db);
		st->db = NULL;
		return rc;
	}
	sqlite3_busy_timeout(st->db, st->busy_ms);
	sqlite3_extended_result_codes(st->db, 0);
	/* 8 KB pages (a new database only) and a 32 MB cache: a 50,000-user
	 * batch is written in a quarter of the system calls of the defaults
	 * (system calls are what costs on a virtual machine) */
	return sq_exec(st, "PRAGMA page_size = 8192;\n"
	                   "PRAGMA cache_size = -32768;\n"
	                   "PRAGMA journal_mode = WAL;\n"
	                   "PRAGMA synchronous = FULL;\n"
	                   "PRAGMA foreign_keys = ON;\n"
	                   "PRAGMA secure_delete = FAST;\n"
	                   "PRAGMA mmap_size = 268435456;", err);
}

static void db_close(mg_store *st)
{
	for (int i = 0; i < SQ__COUNT; i++) {
		sqlite3_finalize(st->stmts[i]);
		st->stmts[i] = NULL;
	}
	if (st->db)
		sqlite3_close(st->db);
	st->db = NULL;
}

static int fsync_path(const char *path, mg_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) < 0) {
		int rc = mg_err_sys(err, MGC_WRITE, "StoreConvert", "cannot sync '%s'", path);
		if (fd >= 0)
			close(fd);
		return rc;
	}
	close(fd);
	return 0;
}

/* Schema 1 -> SQLite, once (see the top of this file). */
static int convert_yaml(mg_store *st, const char *dbpath, mg_err *err)
{
	char *tmp = xasprintf("%s.converting", dbpath);
	static const char *const sfx[] = { "", "-wal", "-shm", "-journal" };
	for (size_t i = 0; i < 4; i++) {
		char *p = xasprintf("%s%s", tmp, sfx[i]);
		(void)unlink(p);
		free(p);
	}
	int rc = db_open(st, tmp, err);
	if (rc == 0)
		rc = sq_create_schema(st, err);
	if (rc == 0)
		rc = mg_store_lock(st, err);
	if (rc == 0) {
		rc = mg_store_import_yaml(st, st->home, err);
		if (rc < 0)
			st->txn_failed = true;
		if (mg_store_commit(st, rc == 0 ? err : NULL) < 0)
			rc = -1;
	}
	if (rc < 0)
		mg_err_prefix(err, "cannot convert the data directory to the SQLite store (the YAML files are unchanged)");
	db_close(st);   /* checkpoints the WAL into the file */
	if (rc == 0)
		rc = fsync_path(tmp, err);
	if (rc == 0 && rename(tmp, dbpath) < 0)
		rc = mg_err_sys(err, MGC_WRITE, "StoreConvert", "cannot rename '%s'", tmp);
	if (rc == 0)
		rc = mg_fsync_dir(st->home, err);
	if (rc < 0) {
		for (size_t i = 0; i < 4; i++) {
			char *p = xasprintf("%s%s", tmp, sfx[i]);
			(void)unlink(p);
			free(p);
		}
	}
	free(tmp);
	return rc;
}

int mg_store_open(const char *home, mg_store **out, mg_err *err)
{
	if (!home || !*home)
		return mg_err_set(err, MGC_INVALIDARG, "NoDataDirectory",
		                  "No data directory given; set MIGSH_HOME.");
	if (mg_mkdir_p(home, 0700, err) < 0)
		return mg_err_prefix(err, "cannot create the data directory");
	mg_store *st = xcalloc(1, sizeof *st);
	st->home = xstrdup(home);
	st->busy_ms = BUSY_MS_DEFAULT;
	pthread_mutexattr_t a;
	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&st->mu, &a);
	pthread_mutexattr_destroy(&a);

	/* the open lock: one process at a time creates or converts */
	char *lp = mg_path_join(home, "store.lock");
	int lockfd = mg_lock_file(lp, 1, err);
	free(lp);
	if (lockfd < 0) {
		mg_store_close(st);
		return -1;
	}
	static const char *const dirs[] = { "batches", "mail", "state", "logs" };
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < sizeof dirs / sizeof *dirs; i++) {
		char *p = mg_store_path(st, dirs[i]);
		rc = mg_mkdir_p(p, 0700, err);
		free(p);
	}
	int ver = 0;
	if (rc == 0)
		rc = read_schema(home, &ver, err);
	char *dbpath = mg_store_path(st, MG_DB_FILE);
	if (rc == 0 && ver < MG_STORE_SCHEMA) {
		if (!exists(dbpath) && (ver == 1 || has_yaml_layout(home)))
			rc = convert_yaml(st, dbpath, err);
		if (rc == 0)
			rc = db_open(st, dbpath, err);
		if (rc == 0)
			rc = sq_create_schema(st, err);
		/* schema 2 -> 3: service.yaml into the database; a status that
		 * cannot be moved is left behind, never a reason to refuse the store */
		if (rc == 0)
			(void)mg_store_service_convert(st, NULL);
		if (rc == 0)
			rc = write_schema(home, err);
	} else if (rc == 0) {
		if (!exists(dbpath))
			rc = mg_err_set(err, MGC_INVALIDDATA, "StoreDatabaseMissing",
			                "The state database '%s' is missing from the data directory '%s'. "
			                "Restore the data directory from a backup, or set MIGSH_HOME to a new "
			                "directory and load a copy written by Export-MigrationState with "
			                "Import-MigrationState -Path.", dbpath, home);
		else
			rc = db_open(st, dbpath, err);
		if (rc == 0 && schema_in_db(st) < MG_STORE_SCHEMA)
			rc = sq_create_schema(st, err);   /* tables and indexes of this version */
	}
	if (rc == 0)
		rc = sq_add_missing_columns(st, err);   /* columns newer than the database */
	free(dbpath);
	mg_unlock_file(lockfd);
	if (rc < 0) {
		mg_store_close(st);
		return -1;
	}
	*out = st;
	return 0;
}

void mg_store_close(mg_store *st)
{
	if (!st)
		return;
	while (st->depth > 0)
		mg_store_unlock(st);
	db_close(st);
	pthread_mutex_destroy(&st->mu);
	free(st->home);
	free(st);
}

const char *mg_store_home(const mg_store *st)
{
	return st->home;
}

void mg_store_set_busy_timeout(mg_store *st, int ms)
{
	pthread_mutex_lock(&st->mu);
	st->busy_ms = ms;
	if (st->db)
		sqlite3_busy_timeout(st->db, ms);
	pthread_mutex_unlock(&st->mu);
}

int mg_store_flush_at_checkpoints(mg_store *st, mg_err *err)
{
	pthread_mutex_lock(&st->mu);
	int rc = sq_exec(st, "PRAGMA synchronous = NORMAL", err);
	pthread_mutex_unlock(&st->mu);
	return rc;
}

int mg_store_lock(mg_store *st, mg_err *err)
{
	pthread_mutex_lock(&st->mu);
	if (st->depth == 0) {
		st->txn_failed = false;
		if (sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
			sq_fail(st, err, "starting a change");
			pthread_mutex_unlock(&st->mu);
			return -1;
		}
	}
	st->depth++;
	return 0;
}

int mg_store_commit(mg_store *st, mg_err *err)
{
	if (st->depth <= 0)
		return 0;
	int rc = 0;
	if (--st->depth == 0) {
		if (st->txn_failed) {
			(void)sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
			rc = mg_err_set(err, MGC_WRITE, "StoreRolledBack",
			                "The change to the state store was rolled back because a step of it failed.");
		} else if (sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
			rc = sq_fail(st, err, "committing a change");
			(void)sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		}
		st->txn_failed = false;
	}
	pthread_mutex_unlock(&st->mu);
	return rc;
}

void mg_store_unlock(mg_store *st)
{
	(void)mg_store_commit(st, NULL);
}

int sq_change_begin(mg_store *st, mg_err *err)
{
	if (mg_store_lock(st, err) < 0)
		return -1;
	if (sqlite3_exec(st->db, "SAVEPOINT change", NULL, NULL, NULL) != SQLITE_OK) {
		sq_fail(st, err, "starting a change");
		st->txn_failed = true;
		mg_store_unlock(st);
		return -1;
	}
	return 0;
}

int sq_change_end(mg_store *st, int rc, mg_err *err)
{
	if (rc < 0)
		(void)sqlite3_exec(st->db, "ROLLBACK TO change", NULL, NULL, NULL);
	if (sqlite3_exec(st->db, "RELEASE change", NULL, NULL, NULL) != SQLITE_OK && rc == 0) {
		rc = sq_fail(st, err, "finishing a change");
		st->txn_failed = true;
	}
	if (mg_store_commit(st, rc == 0 ? err : NULL) < 0)
		rc = -1;
	return rc;
}

/* ---- column tables ---- */

#define C(T, name, type, field) { name, type, offsetof(T, field) }

const coldef mg_endpoint_cols[] = {
	C(mg_endpoint, "Name", CT_STR, name),
	C(mg_endpoint, "Guid", CT_GUID, guid),
	C(mg_endpoint, "EndpointType", CT_STR, endpoint_type),
	C(mg_endpoint, "RemoteServer", CT_STR, remote_server),
	C(mg_endpoint, "Port", CT_INT, port),
	C(mg_endpoint, "Security", CT_SEC, security),
	C(mg_endpoint, "Authentication", CT_AUTH, authentication),
	C(mg_endpoint, "AcceptUntrustedCertificates", CT_BOOL, accept_untrusted),
	C(mg_endpoint, "MaxConcurrentMigrations", CT_LL, max_concurrent_migrations),
	C(mg_endpoint, "MaxConcurrentIncrementalSyncs", CT_LL, max_concurrent_incremental),
	C(mg_endpoint, "UserName", CT_STR, admin_user),
	C(mg_endpoint, "Password", CT_STR, admin_password),
	C(mg_endpoint, "TargetLogin", CT_TLOGIN, target_login),
	C(mg_endpoint, "MasterSeparator", CT_STR, master_separator),
	C(mg_endpoint, "CreationDateTime", CT_I64, created),
};
const size_t mg_endpoint_ncols = sizeof mg_endpoint_cols / sizeof *mg_endpoint_cols;

const coldef mg_batch_cols[] = {
	C(mg_batch, "Name", CT_STR, name),
	C(mg_batch, "BatchGuid", CT_GUID, guid),
	C(mg_batch, "Status", CT_BSTATUS, status),
	C(mg_batch, "Message", CT_STR, message),
	C(mg_batch, "SourceEndpoint", CT_STR, source_endpoint),
	C(mg_batch, "TargetEndpoint", CT_STR, target_endpoint),
	C(mg_batch, "ExcludeFolders", CT_STRV, exclude_folders),
	C(mg_batch, "IncludeFolders", CT_STRV, include_folders),
	C(mg_batch, "ContentFilter", CT_STR, content_filter),
	C(mg_batch, "ContentFilterLanguage", CT_STR, content_filter_language),
	C(mg_batch, "NotificationEmails", CT_STRV, notification_emails),
	C(mg_batch, "ReportInterval", CT_LL, report_interval),
	C(mg_batch, "SkipReports", CT_BOOL, skip_reports),
	C(mg_batch, "AllowUnknownColumnsInCsv", CT_BOOL, allow_unknown_columns),
	C(mg_batch, "SyncDeletions", CT_BOOL, sync_deletions),
	C(mg_batch, "BadItemLimit", CT_LL, bad_item_limit),
	C(mg_batch, "LargeItemLimit", CT_LL, large_item_limit),
	C(mg_batch, "BadItemLimitSet", CT_BOOL, bad_item_limit_set),
	C(mg_batch, "LargeItemLimitSet", CT_BOOL, large_item_limit_set),
	C(mg_batch, "StartAfter", CT_I64, start_after),
	C(mg_batch, "CompleteAfter", CT_I64, complete_after),
	C(mg_batch, "TimeZone", CT_STR, time_zone),
	C(mg_batch, "AutoStart", CT_BOOL, auto_start),
	C(mg_batch, "AutoComplete", CT_BOOL, auto_complete),
	C(mg_batch, "SubmittedByUser", CT_STR, submitted_by),
	C(mg_batch, "CreationDateTime", CT_I64, created),
	C(mg_batch, "StartDateTime", CT_I64, started),
	C(mg_batch, "InitialSyncDateTime", CT_I64, initial_synced),
	C(mg_batch, "InitialSyncDuration", CT_LL, initial_sync_duration),
	C(mg_batch, "LastSyncedDateTime", CT_I64, last_synced),
	C(mg_batch, "FinalizedDateTime", CT_I64, finalized),
	C(mg_batch, "LastReport", CT_I64, last_report),
	C(mg_batch, "RequestSyncNow", CT_BOOL, req_sync_now),
	C(mg_batch, "RequestUpdate", CT_BOOL, req_update),
};
const size_t mg_batch_ncols = sizeof mg_batch_cols / sizeof *mg_batch_cols;

const coldef mg_user_cols[] = {
	C(mg_user, "EmailAddress", CT_STR, email),
	C(mg_user, "Guid", CT_GUID, guid),
	C(mg_user, "BatchId", CT_STR, batch),
	C(mg_user, "UserName", CT_STR, user_name),
	C(mg_user, "Password", CT_STR, password),
	C(mg_user, "UserRoot", CT_STR, user_root),
	C(mg_user, "CsvLine", CT_LONG, csv_line),
	C(mg_user, "Status", CT_USTATUS, status),
	C(mg_user, "Error", CT_STR, error),
	C(mg_user, "ErrorSummary", CT_STR, error_summary),
	C(mg_user, "ErrorCategory", CT_STR, error_category),
	C(mg_user, "ValidationFailed", CT_BOOL, validation_failed),
	C(mg_user, "SyncedItemCount", CT_LL, synced_items),
	C(mg_user, "SkippedItemCount", CT_LL, skipped_items),
	C(mg_user, "TotalItemsInSourceMailboxCount", CT_LL, total_in_source),
	C(mg_user, "EstimatedTotalTransferSize", CT_LL, bytes_in_source),
	C(mg_user, "BytesTransferred", CT_LL, bytes_transferred),
	C(mg_user, "LargeItemCount", CT_LL, items_large),
	C(mg_user, "BadItemCount", CT_LL, items_bad),
	C(mg_user, "FilteredItemCount", CT_LL, items_filtered),
	C(mg_user, "KeywordsNotKeptCount", CT_LL, keywords_lost),
	C(mg_user, "DeletedAtSourceItemCount", CT_LL, items_deleted_at_source),
	C(mg_user, "DeletedAtDestinationItemCount", CT_LL, items_deleted_at_dest),
	C(mg_user, "MovedItemCount", CT_LL, items_moved),
	C(mg_user, "ExcludedItemCount", CT_LL, items_excluded),
	C(mg_user, "OverLimitItemCount", CT_LL, items_over_limit),
	C(mg_user, "FoldersTotal", CT_LL, folders_total),
	C(mg_user, "FoldersSynced", CT_LL, folders_synced),
	C(mg_user, "LastPassCopied", CT_LL, last_pass_copied),
	C(mg_user, "LastPassFlagsUpdated", CT_LL, last_pass_flags),
	C(mg_user, "Passes", CT_LL, passes),
	C(mg_user, "InitialSyncDone", CT_BOOL, initial_done),
	C(mg_user, "QueuedAt", CT_I64, queued_at),
	C(mg_user, "SyncStarted", CT_I64, sync_started),
	C(mg_user, "SyncFinished", CT_I64, sync_finished),
	C(mg_user, "LastSuccessfulSyncTime", CT_I64, last_successful_sync),
	C(mg_user, "NextSyncDue", CT_I64, next_sync_due),
	C(mg_user, "TotalQueuedDuration", CT_LL, queued_seconds),
	C(mg_user, "TotalInProgressDuration", CT_LL, in_progress_seconds),
	C(mg_user, "TotalSyncedDuration", CT_LL, synced_seconds),
	C(mg_user, "TotalStalledDuration", CT_LL, stalled_seconds),
	C(mg_user, "TargetMailbox", CT_STR, target_mailbox),
	C(mg_user, "DataConsistencyScore", CT_CONS, consistency),
	C(mg_user, "SkippedItemsApproved", CT_BOOL, skipped_approved),
	C(mg_user, "ApprovedSkippedItemCount", CT_LL, approved_skipped_count),
	C(mg_user, "StartAfter", CT_I64, start_after),
	C(mg_user, "CompleteAfter", CT_I64, complete_after),
};
const size_t mg_user_ncols = sizeof mg_user_cols / sizeof *mg_user_cols;
