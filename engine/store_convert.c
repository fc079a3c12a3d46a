/*
 * store_convert.c - the YAML layout of the records (schema 1: one file per
 * record) and the SQLite store: reading it in (the one-time conversion of an
 * old data directory, and Import-MigrationState) and writing it out
 * (Export-MigrationState: a readable copy of the whole state for backups, moving a
 * migration to another host, or support).
 *
 * The layout, under a directory D:
 *   D/endpoints/<key>.yaml                       an endpoint (with its password: 0600)
 *   D/batches/<key>/batch.yaml                   a batch
 *   D/batches/<key>/users/<key>.yaml             a user (with its password: 0600)
 *   D/batches/<key>/users/<key>.skipped.yaml     its skipped items
 *   D/batches/<key>/users/<key>.log              its report lines
 *   D/config.yaml                                the config (dump/restore only)
 * A record that cannot be read is kept as a Corrupted batch or user carrying
 * the reason (as the YAML store listed it), never dropped silently.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fileio.h"
#include "common/mem.h"
#include "common/str.h"
#include "engine/store.h"
#include "engine/store_codec.h"
#include "engine/store_sql.h"

#define RECORD_MAX  (4L * 1024 * 1024)
#define SKIPPED_MAX (512L * 1024 * 1024)

static int cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted entries of dir ending in suffix and not in not_suffix (no dot files). */
static char **list_dir(const char *dir, const char *suffix, const char *not_suffix, size_t *n)
{
	*n = 0;
	char **v = xcalloc(1, sizeof *v);
	DIR *d = opendir(dir);
	if (!d)
		return v;
	size_t cap = 1;
	struct dirent *de;
	size_t sl = suffix ? strlen(suffix) : 0, nl = not_suffix ? strlen(not_suffix) : 0;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		size_t l = strlen(de->d_name);
		if (suffix && (l <= sl || strcmp(de->d_name + l - sl, suffix)))
			continue;
		if (not_suffix && l > nl && !strcmp(de->d_name + l - nl, not_suffix))
			continue;
		GROW(v, cap, *n + 2);
		v[(*n)++] = xstrdup(de->d_name);
		v[*n] = NULL;
	}
	closedir(d);
	qsort(v, *n, sizeof *v, cmpstr);
	return v;
}

/* Decode a safe name (the name of a record that cannot be read). */
static char *unsafe_name(const char *key)
{
	strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, "");
	for (const char *p = key; *p; p++) {
		if (*p == '%' && p[1] && p[2]) {
			char h[3] = { p[1], p[2], 0 };
			strbuf_addc(&sb, (char)strtol(h, NULL, 16));
			p += 2;
		} else {
			strbuf_addc(&sb, *p);
		}
	}
	return strbuf_detach(&sb, NULL);
}

static int read_text(const char *path, long max, char **data, size_t *len, mg_err *err)
{
	return mg_read_file(path, (size_t)max, data, len, err);
}

static int import_endpoints(mg_store *st, const char *dir, mg_err *err)
{
	char *edir = mg_path_join(dir, "endpoints");
	size_t n;
	char **names = list_dir(edir, ".yaml", NULL, &n);
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		char *p = mg_path_join(edir, names[i]);
		char *data = NULL;
		size_t len = 0;
		mg_endpoint *e = NULL;
		rc = read_text(p, RECORD_MAX, &data, &len, err);
		if (rc == 0)
			rc = mg_endpoint_from_yaml(data, len, p, &e, err);
		if (rc == 0)
			rc = mg_store_endpoint_create(st, e, err);
		if (data)
			mg_wipe(data, len);
		free(data);
		mg_endpoint_free(e);
		free(p);
	}
	mg_strv_free_all(names);
	free(edir);
	return rc;
}

/* A user file, or a Corrupted user carrying the reason. */
static mg_user *read_user(const char *udir, const char *fname, const char *batch)
{
	char *p = mg_path_join(udir, fname);
	char *data = NULL;
	size_t len = 0;
	mg_user *u = NULL;
	mg_err e2 = { 0 };
	if (read_text(p, RECORD_MAX, &data, &len, &e2) < 0 ||
	    mg_user_from_yaml(data, len, p, &u, &e2) < 0) {
		char *key = xstrndup(fname, strlen(fname) - 5);
		char *em = unsafe_name(key);
		u = mg_user_new(em, batch);
		u->status = MG_US_CORRUPTED;
		u->error = xstrdup(e2.msg);
		u->error_summary = xstrdup("The user's record is corrupt.");
		u->csv_line = 1L << 30;
		free(em);
		free(key);
	}
	if (data)
		mg_wipe(data, len);
	free(data);
	free(p);
	free(u->batch);
	u->batch = xstrdup(batch);
	return u;
}

static int import_user_extras(mg_store *st, const char *udir, const mg_user *u, mg_err *err)
{
	char *key = mg_safe_name(u->email);
	char *sp = xasprintf("%s/%s.skipped.yaml", udir, key);
	char *lp = xasprintf("%s/%s.log", udir, key);
	char *data = NULL;
	size_t len = 0;
	int rc = 0;
	mg_err e2 = { 0 };
	if (read_text(sp, SKIPPED_MAX, &data, &len, &e2) == 0) {
		mg_skipped_rec *v = NULL;
		size_t n = 0;
		rc = mg_skipped_from_yaml(data, len, sp, &v, &n, err);
		if (rc == 0)
			rc = mg_store_skipped_save(st, u->batch, u->email, v, n, err);
		mg_skipped_recs_free(v, n);
	} else if (e2.category != MGC_NOTFOUND) {
		rc = -1;
		mg_err_copy(err, &e2);
	}
	free(data);
	data = NULL;
	if (rc == 0 && read_text(lp, SKIPPED_MAX, &data, &len, &e2) == 0) {
		char *save = NULL;
		for (char *line = strtok_r(data, "\n", &save); line && rc == 0; line = strtok_r(NULL, "\n", &save))
			rc = mg_store_user_report_add_raw(st, u->batch, u->email, line, err);
	}
	free(data);
	free(lp);
	free(sp);
	free(key);
	return rc;
}

static int import_batch(mg_store *st, const char *bdir, const char *bkey, mg_err *err)
{
	char *bp = mg_path_join(bdir, "batch.yaml");
	char *data = NULL;
	size_t len = 0;
	mg_batch *b = NULL;
	mg_err e2 = { 0 };
	if (read_text(bp, RECORD_MAX, &data, &len, &e2) < 0 || mg_batch_from_yaml(data, len, bp, &b, &e2) < 0) {
		char *nm = unsafe_name(bkey);
		b = mg_batch_new(nm);
		b->status = MG_BS_CORRUPTED;
		b->message = xstrdup(e2.msg);
		struct stat sb;
		if (stat(bdir, &sb) == 0)
			b->created = (int64_t)sb.st_mtime;
		free(nm);
	}
	free(data);
	free(bp);
	char *udir = mg_path_join(bdir, "users");
	size_t n;
	char **names = list_dir(udir, ".yaml", ".skipped.yaml", &n);
	mg_user **users = xcalloc(n + 1, sizeof *users);
	for (size_t i = 0; i < n; i++)
		users[i] = read_user(udir, names[i], b->name);
	int rc = mg_store_batch_create(st, b, users, n, err);
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = import_user_extras(st, udir, users[i], err);
	mg_user_list_free(users, n);
	mg_strv_free_all(names);
	free(udir);
	mg_batch_free(b);
	return rc;
}

int mg_store_import_yaml(mg_store *st, const char *dir, mg_err *err)
{
	int rc = import_endpoints(st, dir, err);
	char *bdir = mg_path_join(dir, "batches");
	size_t n;
	char **names = list_dir(bdir, NULL, NULL, &n);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		char *d = mg_path_join(bdir, names[i]);
		struct stat sb;
		if (stat(d, &sb) == 0 && S_ISDIR(sb.st_mode))
			rc = import_batch(st, d, names[i], err);
		free(d);
	}
	mg_strv_free_all(names);
	free(bdir);
	return rc;
}

/* ---- restore ---- */

int mg_store_restore(mg_store *st, const char *dir, bool replace, mg_err *err)
{
	struct stat sb;
	if (stat(dir, &sb) < 0 || !S_ISDIR(sb.st_mode))
		return mg_err_set(err, MGC_NOTFOUND, "RestoreNotFound",
		                  "The state dump '%s' is not a directory. Give the directory written by "
		                  "Export-MigrationState -Path.", dir);
	if (mg_store_lock(st, err) < 0)
		return -1;
	int rc = 0;
	if (!replace && (mg_store_batch_count(st) > 0 || mg_store_user_count(st, NULL) > 0)) {
		rc = mg_err_set(err, MGC_INVALIDOP, "RestoreNotEmpty",
		                "The data directory '%s' already holds migration batches; restoring '%s' would "
		                "replace them. Restore into an empty data directory (MIGSH_HOME), or replace them (-Replace).",
		                mg_store_home(st), dir);
	} else {
		mg_endpoint **ev = NULL;
		size_t en = 0;
		rc = mg_store_endpoint_list(st, &ev, &en, err);
		if (rc == 0 && !replace && en > 0)
			rc = mg_err_set(err, MGC_INVALIDOP, "RestoreNotEmpty",
			                "The data directory '%s' already holds migration endpoints; restore into an "
			                "empty data directory (MIGSH_HOME), or replace them (-Replace).", mg_store_home(st));
		mg_endpoint_list_free(ev, en);
	}
	if (rc == 0)
		rc = sq_exec(st, "DELETE FROM user_reports; DELETE FROM skipped_items; DELETE FROM users; "
		                 "DELETE FROM batches; DELETE FROM endpoints;", err);
	if (rc == 0)
		rc = mg_store_import_yaml(st, dir, err);
	if (rc < 0)
		st->txn_failed = true;
	if (mg_store_commit(st, rc == 0 ? err : NULL) < 0)
		rc = -1;
	if (rc == 0) {
		char *src = mg_path_join(dir, "config.yaml");
		char *data = NULL;
		size_t len = 0;
		if (mg_read_file(src, RECORD_MAX, &data, &len, NULL) == 0) {
			mg_config c;
			if ((rc = mg_config_from_yaml(data, len, src, &c, err)) == 0)
				rc = mg_store_config_save(st, &c, err);
		}
		free(data);
		free(src);
	}
	return rc;
}

/* ---- dump ---- */

/* Write a new file (0600) in a directory nobody uses yet; synced at the end. */
static int write_new(const char *path, char *text, mg_err *err)
{
	size_t n = strlen(text);
	int rc = 0;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = mg_err_sys(err, MGC_WRITE, "DumpWrite", "cannot create '%s'", path);
	} else {
		const char *p = text;
		size_t left = n;
		while (left && rc == 0) {
			ssize_t w = write(fd, p, left);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				rc = mg_err_sys(err, MGC_WRITE, "DumpWrite", "cannot write '%s'", path);
			else {
				p += w;
				left -= (size_t)w;
			}
		}
		if (close(fd) < 0 && rc == 0)
			rc = mg_err_sys(err, MGC_WRITE, "DumpWrite", "cannot write '%s'", path);
	}
	mg_wipe(text, n);   /* may hold a password */
	free(text);
	return rc;
}

typedef struct dump_ctx {
	mg_store   *st;
	const char *udir;
	int         rc;
} dump_ctx;

static int dump_user(mg_user *u, void *arg, mg_err *err)
{
	dump_ctx *c = arg;
	char *key = mg_safe_name(u->email);
	char *p = xasprintf("%s/%s.yaml", c->udir, key);
	int rc = write_new(p, mg_user_to_yaml(u), err);
	free(p);
	mg_skipped_rec *v = NULL;
	size_t n = 0;
	if (rc == 0 && u->status != MG_US_CORRUPTED)
		rc = mg_store_skipped_load(c->st, u->batch, u->email, &v, &n, err);
	if (rc == 0 && n) {
		p = xasprintf("%s/%s.skipped.yaml", c->udir, key);
		rc = write_new(p, mg_skipped_to_yaml(v, n), err);
		free(p);
	}
	mg_skipped_recs_free(v, n);
	char *log = NULL;
	if (rc == 0)
		rc = mg_store_user_report_read(c->st, u->batch, u->email, &log, err);
	if (rc == 0 && log && *log) {
		p = xasprintf("%s/%s.log", c->udir, key);
		rc = write_new(p, log, err);
		log = NULL;
		free(p);
	}
	free(log);
	free(key);
	mg_user_free(u);
	return rc < 0 ? -1 : 0;
}

int mg_store_dump(mg_store *st, const char *dir, mg_err *err)
{
	if (mkdir(dir, 0700) < 0)
		return mg_err_sys(err, MGC_WRITE, "DumpDirectory",
		                  "cannot create the dump directory '%s' (it must not exist yet)", dir);
	char *edir = mg_path_join(dir, "endpoints");
	char *bdir = mg_path_join(dir, "batches");
	int rc = mg_mkdir_p(edir, 0700, err);
	if (rc == 0)
		rc = mg_mkdir_p(bdir, 0700, err);
	mg_endpoint **ev = NULL;
	size_t en = 0;
	if (rc == 0)
		rc = mg_store_endpoint_list(st, &ev, &en, err);
	for (size_t i = 0; rc == 0 && i < en; i++) {
		char *key = mg_safe_name(ev[i]->name);
		char *p = xasprintf("%s/%s.yaml", edir, key);
		rc = write_new(p, mg_endpoint_to_yaml(ev[i]), err);
		free(p);
		free(key);
	}
	mg_endpoint_list_free(ev, en);
	mg_batch **bv = NULL;
	size_t bn = 0;
	if (rc == 0)
		rc = mg_store_batch_list(st, &bv, &bn, err);
	for (size_t i = 0; rc == 0 && i < bn; i++) {
		char *key = mg_safe_name(bv[i]->name);
		char *d = xasprintf("%s/%s", bdir, key);
		char *ud = xasprintf("%s/users", d);
		rc = mg_mkdir_p(ud, 0700, err);
		if (rc == 0) {
			char *p = xasprintf("%s/batch.yaml", d);
			rc = write_new(p, mg_batch_to_yaml(bv[i]), err);
			free(p);
		}
		if (rc == 0) {
			dump_ctx c = { st, ud, 0 };
			rc = mg_store_user_each(st, bv[i]->name, 0, -1, dump_user, &c, err);
		}
		free(ud);
		free(d);
		free(key);
	}
	mg_batch_list_free(bv, bn);
	if (rc == 0) {
		mg_config c;
		rc = mg_store_config_load(st, &c, err);
		if (rc == 0) {
			char *p = mg_path_join(dir, "config.yaml");
			rc = write_new(p, mg_config_to_yaml(&c), err);
			free(p);
		}
	}
	if (rc == 0) {
		int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0 || syncfs(fd) < 0)
			rc = mg_err_sys(err, MGC_WRITE, "DumpSync", "cannot sync '%s'", dir);
		if (fd >= 0)
			close(fd);
	}
	free(edir);
	free(bdir);
	return rc;
}
