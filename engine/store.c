/*
 * store.c - the state store (store.h): data directory layout, schema
 * version, locking, and the CRUD of endpoints, batches, users, config,
 * skipped items and per-user reports.  Records are encoded by store_codec.c.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/fileio.h"
#include "common/mem.h"
#include "common/str.h"
#include "engine/store.h"
#include "engine/store_codec.h"

#define RECORD_MAX   (4L * 1024 * 1024)     /* one record file */
#define SKIPPED_MAX  (512L * 1024 * 1024)   /* skipped items of one user */
#define SCHEMA_MAGIC "migsh-store"

/* Parsed user records by path, reused while the file is unchanged (same
 * inode, size and mtime; every write replaces the inode): the service lists
 * batches of up to 50,000 users every poll. */
typedef struct ucache_ent {
	char   *path;
	dev_t   dev;
	ino_t   ino;
	off_t   size;
	struct timespec mtim;
	mg_user *u;
	struct ucache_ent *next;
} ucache_ent;

#define UCACHE_BUCKETS 4096

struct mg_store {
	char           *home;
	pthread_mutex_t mu;       /* recursive: threads of one process */
	int             depth;
	int             lockfd;   /* flock on store.lock while depth > 0 */
	ucache_ent    **ucache;   /* UCACHE_BUCKETS chains, guarded by mu */
};

static unsigned long hash_str(const char *s)
{
	unsigned long h = 2166136261UL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619UL;
	return h;
}

/* Cached copy of the user at path if the file is unchanged, else NULL. */
static mg_user *ucache_get(mg_store *st, const char *path, const struct stat *sb)
{
	if (!st->ucache)
		return NULL;
	for (ucache_ent *e = st->ucache[hash_str(path) % UCACHE_BUCKETS]; e; e = e->next)
		if (!strcmp(e->path, path)) {
			if (e->dev == sb->st_dev && e->ino == sb->st_ino && e->size == sb->st_size &&
			    e->mtim.tv_sec == sb->st_mtim.tv_sec && e->mtim.tv_nsec == sb->st_mtim.tv_nsec)
				return mg_user_dup(e->u);
			return NULL;
		}
	return NULL;
}

static void ucache_put(mg_store *st, const char *path, const struct stat *sb, const mg_user *u)
{
	if (!st->ucache)
		st->ucache = xcalloc(UCACHE_BUCKETS, sizeof *st->ucache);
	ucache_ent **b = &st->ucache[hash_str(path) % UCACHE_BUCKETS];
	ucache_ent *e;
	for (e = *b; e; e = e->next)
		if (!strcmp(e->path, path))
			break;
	if (!e) {
		e = xcalloc(1, sizeof *e);
		e->path = xstrdup(path);
		e->next = *b;
		*b = e;
	} else {
		mg_user_free(e->u);
	}
	e->dev = sb->st_dev;
	e->ino = sb->st_ino;
	e->size = sb->st_size;
	e->mtim = sb->st_mtim;
	e->u = mg_user_dup(u);
}

static void ucache_free(mg_store *st)
{
	if (!st->ucache)
		return;
	for (size_t i = 0; i < UCACHE_BUCKETS; i++)
		while (st->ucache[i]) {
			ucache_ent *e = st->ucache[i];
			st->ucache[i] = e->next;
			free(e->path);
			mg_user_free(e->u);
			free(e);
		}
	free(st->ucache);
	st->ucache = NULL;
}

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

/* Decode a safe name (for listing a batch whose record is unreadable). */
static char *unsafe_name(const char *key)
{
	strbuf sb = STRBUF_INIT;
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

static char *user_file(const mg_store *st, const char *batch, const char *email, const char *suffix)
{
	char *d = mg_store_batch_dir(st, batch);
	char *k = mg_safe_name(email);
	char *p = xasprintf("%s/users/%s%s", d, k, suffix);
	free(d);
	free(k);
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

char *mg_store_user_report_path(const mg_store *st, const char *batch, const char *email)
{
	return user_file(st, batch, email, ".log");
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

/* ---- open, schema, lock ---- */

static int check_schema(mg_store *st, mg_err *err)
{
	char *path = mg_store_path(st, "schema");
	char *data = NULL;
	size_t len = 0;
	mg_err e2 = { 0 };
	int rc = 0;
	if (mg_read_file(path, 4096, &data, &len, &e2) < 0) {
		if (strcmp(e2.category, MGC_NOTFOUND)) {
			mg_err_copy(err, &e2);
			rc = -1;
			goto out;
		}
		/* new store (or one from before the schema file): version 1 */
		char *txt = xasprintf("%s %d\n", SCHEMA_MAGIC, MG_STORE_SCHEMA);
		rc = mg_write_atomic(path, txt, strlen(txt), 0600, err);
		free(txt);
		goto out;
	}
	int ver = 0;
	char magic[32] = "";
	if (sscanf(data, "%31s %d", magic, &ver) != 2 || strcmp(magic, SCHEMA_MAGIC) || ver < 1) {
		rc = mg_err_set(err, MGC_INVALIDDATA, "StoreSchemaCorrupt",
		                "The data directory '%s' has an unreadable schema file '%s'. "
		                "Check MIGSH_HOME points at a migsh data directory.", st->home, path);
		goto out;
	}
	if (ver > MG_STORE_SCHEMA) {
		rc = mg_err_set(err, MGC_INVALIDDATA, "StoreSchemaNewer",
		                "The data directory '%s' was written by a newer migsh (store schema %d; "
		                "this migsh understands up to %d). Upgrade migsh, or set MIGSH_HOME to "
		                "another directory.", st->home, ver, MG_STORE_SCHEMA);
		goto out;
	}
	/* ver < MG_STORE_SCHEMA: migrations from older schemas go here, one step
	 * at a time, each ending with the schema file rewritten.  (None yet.) */
out:
	free(data);
	free(path);
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
	st->lockfd = -1;
	pthread_mutexattr_t a;
	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&st->mu, &a);
	pthread_mutexattr_destroy(&a);
	static const char *const dirs[] = { "endpoints", "batches", "mail", "state", "logs" };
	int rc = mg_store_lock(st, err);
	for (size_t i = 0; rc == 0 && i < sizeof dirs / sizeof *dirs; i++) {
		char *p = mg_store_path(st, dirs[i]);
		rc = mg_mkdir_p(p, 0700, err);
		free(p);
	}
	if (rc == 0)
		rc = check_schema(st, err);
	if (st->depth)
		mg_store_unlock(st);
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
	ucache_free(st);
	pthread_mutex_destroy(&st->mu);
	free(st->home);
	free(st);
}

const char *mg_store_home(const mg_store *st)
{
	return st->home;
}

int mg_store_lock(mg_store *st, mg_err *err)
{
	pthread_mutex_lock(&st->mu);
	if (st->depth == 0) {
		char *p = mg_store_path(st, "store.lock");
		int fd = mg_lock_file(p, 1, err);
		free(p);
		if (fd < 0) {
			pthread_mutex_unlock(&st->mu);
			return -1;
		}
		st->lockfd = fd;
	}
	st->depth++;
	return 0;
}

void mg_store_unlock(mg_store *st)
{
	if (st->depth <= 0)
		return;
	if (--st->depth == 0) {
		mg_unlock_file(st->lockfd);
		st->lockfd = -1;
	}
	pthread_mutex_unlock(&st->mu);
}

/* ---- generic record I/O ---- */

static int write_record(const char *path, char *text, mg_err *err)
{
	int rc = mg_write_atomic(path, text, strlen(text), 0600, err);
	size_t n = strlen(text);
	mg_wipe(text, n);   /* may hold a password */
	free(text);
	return rc;
}

/* Write a new file in a directory nobody sees yet (a batch being created):
 * no fsync per file; the caller syncs the whole tree once (sync_tree) before
 * making it visible with rename. */
static int write_record_unsynced(const char *path, char *text, mg_err *err)
{
	size_t n = strlen(text);
	int rc = 0;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = mg_err_sys(err, MGC_WRITE, "WriteFile", "cannot create '%s'", path);
	} else {
		const char *p = text;
		size_t left = n;
		while (left) {
			ssize_t w = write(fd, p, left);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				rc = mg_err_sys(err, MGC_WRITE, "WriteFile", "cannot write '%s'", path);
				break;
			}
			p += w;
			left -= (size_t)w;
		}
		if (close(fd) < 0 && rc == 0)
			rc = mg_err_sys(err, MGC_WRITE, "WriteFile", "cannot write '%s'", path);
	}
	mg_wipe(text, n);
	free(text);
	return rc;
}

/* Make everything written under dir durable: one syncfs() for the file
 * system (much faster than one fsync per file for 50,000 users), then the
 * directories themselves. */
static int sync_tree(const char *dir, const char *const *subdirs, mg_err *err)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return mg_err_sys(err, MGC_WRITE, "SyncDirectory", "cannot open '%s'", dir);
	int rc = syncfs(fd);
	close(fd);
	if (rc < 0)
		return mg_err_sys(err, MGC_WRITE, "SyncDirectory", "cannot sync '%s'", dir);
	for (size_t i = 0; subdirs && subdirs[i]; i++)
		if (mg_fsync_dir(subdirs[i], err) < 0)
			return -1;
	return mg_fsync_dir(dir, err);
}

static bool exists(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0;
}

/* Sorted list of directory entries (no dot entries) with an optional suffix filter. */
static int cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char **list_dir(const char *dir, const char *suffix, const char *not_suffix, size_t *n)
{
	*n = 0;
	DIR *d = opendir(dir);
	if (!d)
		return NULL;
	char **v = NULL;
	size_t cap = 0;
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
	if (v)
		qsort(v, *n, sizeof *v, cmpstr);
	return v;
}

/* ---- config ---- */

int mg_store_config_load(mg_store *st, mg_config *out, mg_err *err)
{
	mg_config_defaults(out);
	char *path = mg_store_path(st, "config.yaml");
	char *data = NULL;
	size_t len = 0;
	mg_err e2 = { 0 };
	int rc = 0;
	if (mg_store_lock(st, err) < 0) {
		free(path);
		return -1;
	}
	if (mg_read_file(path, RECORD_MAX, &data, &len, &e2) < 0) {
		if (strcmp(e2.category, MGC_NOTFOUND)) {
			mg_err_copy(err, &e2);
			rc = -1;
		}
	} else {
		rc = mg_config_from_yaml(data, len, path, out, err);
	}
	mg_store_unlock(st);
	free(data);
	free(path);
	return rc;
}

int mg_store_config_save(mg_store *st, const mg_config *c, mg_err *err)
{
	char *path = mg_store_path(st, "config.yaml");
	if (mg_store_lock(st, err) < 0) {
		free(path);
		return -1;
	}
	int rc = write_record(path, mg_config_to_yaml(c), err);
	mg_store_unlock(st);
	free(path);
	return rc;
}

/* ---- endpoints ---- */

static char *endpoint_path(mg_store *st, const char *name)
{
	char *k = mg_safe_name(name);
	char *p = xasprintf("%s/endpoints/%s.yaml", st->home, k);
	free(k);
	return p;
}

static int endpoint_read(const char *path, mg_endpoint **out, mg_err *err)
{
	char *data = NULL;
	size_t len = 0;
	if (mg_read_file(path, RECORD_MAX, &data, &len, err) < 0)
		return -1;
	int rc = mg_endpoint_from_yaml(data, len, path, out, err);
	mg_wipe(data, len);
	free(data);
	return rc;
}

static int endpoint_not_found(mg_err *err, const char *identity)
{
	return mg_err_set(err, MGC_NOTFOUND, "ManagementObjectNotFoundException",
	                  "The migration endpoint '%s' couldn't be found. Reason: The migration endpoint '%s' couldn't be found.",
	                  identity, identity);
}

int mg_store_endpoint_list(mg_store *st, mg_endpoint ***out, size_t *n, mg_err *err)
{
	*out = NULL;
	*n = 0;
	if (mg_store_lock(st, err) < 0)
		return -1;
	char *dir = mg_store_path(st, "endpoints");
	size_t cnt;
	char **names = list_dir(dir, ".yaml", NULL, &cnt);
	mg_endpoint **v = xcalloc(cnt + 1, sizeof *v);
	size_t k = 0;
	int rc = 0;
	for (size_t i = 0; i < cnt; i++) {
		char *p = mg_path_join(dir, names[i]);
		if (endpoint_read(p, &v[k], err) < 0)
			rc = -1;
		else
			k++;
		free(p);
		if (rc < 0)
			break;
	}
	mg_strv_free_all(names);
	free(dir);
	mg_store_unlock(st);
	if (rc < 0) {
		mg_endpoint_list_free(v, k);
		return -1;
	}
	*out = v;
	*n = k;
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

int mg_store_endpoint_load(mg_store *st, const char *identity, mg_endpoint **out, mg_err *err)
{
	if (!identity || !*identity)
		return endpoint_not_found(err, identity ? identity : "");
	if (mg_store_lock(st, err) < 0)
		return -1;
	char *p = endpoint_path(st, identity);
	int rc;
	if (exists(p)) {
		rc = endpoint_read(p, out, err);
	} else {
		/* by Guid */
		mg_endpoint **v;
		size_t n;
		rc = mg_store_endpoint_list(st, &v, &n, err);
		if (rc == 0) {
			rc = endpoint_not_found(err, identity);
			for (size_t i = 0; i < n; i++)
				if (str_ieq(v[i]->guid, identity)) {
					*out = mg_endpoint_dup(v[i]);
					mg_err_clear(err);
					rc = 0;
					break;
				}
			mg_endpoint_list_free(v, n);
		}
	}
	free(p);
	mg_store_unlock(st);
	return rc;
}

int mg_store_endpoint_create(mg_store *st, const mg_endpoint *e, mg_err *err)
{
	if (!e->name || !*e->name)
		return mg_err_set(err, MGC_INVALIDARG, "EmptyName", "The endpoint name must not be empty.");
	if (mg_store_lock(st, err) < 0)
		return -1;
	char *p = endpoint_path(st, e->name);
	int rc;
	if (exists(p))
		rc = mg_err_set(err, MGC_EXISTS, "MigrationEndpointDuplicate",
		                "A migration endpoint named '%s' already exists. Choose another name, "
		                "or change it with Set-MigrationEndpoint.", e->name);
	else
		rc = write_record(p, mg_endpoint_to_yaml(e), err);
	free(p);
	mg_store_unlock(st);
	return rc;
}

int mg_store_endpoint_save(mg_store *st, const mg_endpoint *e, mg_err *err)
{
	if (mg_store_lock(st, err) < 0)
		return -1;
	char *p = endpoint_path(st, e->name);
	int rc;
	if (!exists(p))
		rc = endpoint_not_found(err, e->name);
	else
		rc = write_record(p, mg_endpoint_to_yaml(e), err);
	free(p);
	mg_store_unlock(st);
	return rc;
}

int mg_store_endpoint_remove(mg_store *st, const char *identity, mg_err *err)
{
	if (mg_store_lock(st, err) < 0)
		return -1;
	mg_endpoint *e = NULL;
	mg_batch **bv = NULL;
	size_t bn = 0;
	int rc = mg_store_endpoint_load(st, identity, &e, err);
	if (rc == 0)
		rc = mg_store_batch_list(st, &bv, &bn, err);
	for (size_t i = 0; rc == 0 && i < bn; i++) {
		if ((bv[i]->source_endpoint && str_ieq(bv[i]->source_endpoint, e->name)) ||
		    (bv[i]->target_endpoint && str_ieq(bv[i]->target_endpoint, e->name)))
			rc = mg_err_set(err, MGC_INVALIDOP, "MigrationEndpointInUse",
			                "The migration endpoint '%s' can't be removed because the migration batch "
			                "'%s' uses it. Remove the batch first (Remove-MigrationBatch).",
			                e->name, bv[i]->name);
	}
	if (rc == 0) {
		char *p = endpoint_path(st, e->name);
		if (unlink(p) < 0)
			rc = mg_err_sys(err, MGC_WRITE, "RemoveEndpoint", "cannot remove '%s'", p);
		else {
			char *dir = mg_store_path(st, "endpoints");
			rc = mg_fsync_dir(dir, err);
			free(dir);
		}
		free(p);
	}
	mg_batch_list_free(bv, bn);
	mg_endpoint_free(e);
	mg_store_unlock(st);
	return rc;
}

/* ---- batches ---- */

static int batch_not_found(mg_err *err, const char *identity)
{
	return mg_err_set(err, MGC_NOTFOUND, "ManagementObjectNotFoundException",
	                  "The migration batch '%s' couldn't be found. Reason: The migration batch '%s' couldn't be found.",
	                  identity, identity);
}

static int batch_read_dir(const char *bdir, mg_batch **out, mg_err *err)
{
	char *p = mg_path_join(bdir, "batch.yaml");
	char *data = NULL;
	size_t len = 0;
	int rc = mg_read_file(p, RECORD_MAX, &data, &len, err);
	if (rc < 0 && err && !strcmp(err->category, MGC_NOTFOUND))
		mg_err_set(err, MGC_INVALIDDATA, "StoreFileMissing",
		           "The batch record '%s' is missing. Remove the batch (Remove-MigrationBatch) "
		           "or restore the file from a backup.", p);
	if (rc == 0)
		rc = mg_batch_from_yaml(data, len, p, out, err);
	free(data);
	free(p);
	return rc;
}

int mg_store_batch_list(mg_store *st, mg_batch ***out, size_t *n, mg_err *err)
{
	*out = NULL;
	*n = 0;
	if (mg_store_lock(st, err) < 0)
		return -1;
	char *dir = mg_store_path(st, "batches");
	size_t cnt;
	char **names = list_dir(dir, NULL, NULL, &cnt);
	mg_batch **v = xcalloc(cnt + 1, sizeof *v);
	size_t k = 0;
	for (size_t i = 0; i < cnt; i++) {
		char *bdir = mg_path_join(dir, names[i]);
		struct stat sb;
		if (stat(bdir, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
			free(bdir);
			continue;
		}
		mg_err e2 = { 0 };
		if (batch_read_dir(bdir, &v[k], &e2) < 0) {
			/* never drop a batch: list it as Corrupted with the reason */
			char *nm = unsafe_name(names[i]);
			v[k] = mg_batch_new(nm);
			free(nm);
			v[k]->status = MG_BS_CORRUPTED;
			v[k]->message = xstrdup(e2.msg);
			v[k]->created = (int64_t)sb.st_mtime;
		}
		k++;
		free(bdir);
	}
	mg_strv_free_all(names);
	free(dir);
	mg_store_unlock(st);
	/* by creation time, then name */
	for (size_t i = 1; i < k; i++)
		for (size_t j = i; j > 0; j--) {
			mg_batch *a = v[j - 1], *b = v[j];
			if (a->created < b->created || (a->created == b->created && strcmp(a->name, b->name) <= 0))
				break;
			v[j - 1] = b;
			v[j] = a;
		}
	*out = v;
	*n = k;
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

size_t mg_store_batch_count(mg_store *st)
{
	char *dir = mg_store_path(st, "batches");
	size_t cnt;
	char **names = list_dir(dir, NULL, NULL, &cnt);
	mg_strv_free_all(names);
	free(dir);
	return cnt;
}

int mg_store_batch_load(mg_store *st, const char *identity, mg_batch **out, mg_err *err)
{
	if (!identity || !*identity)
		return batch_not_found(err, identity ? identity : "");
	if (mg_store_lock(st, err) < 0)
		return -1;
	char *bdir = mg_store_batch_dir(st, identity);
	int rc;
	if (exists(bdir)) {
		rc = batch_read_dir(bdir, out, err);
	} else {
		mg_batch **v;
		size_t n;
		rc = mg_store_batch_list(st, &v, &n, err);
		if (rc == 0) {
			rc = batch_not_found(err, identity);
			for (size_t i = 0; i < n; i++)
				if (str_ieq(v[i]->guid, identity) && v[i]->status != MG_BS_CORRUPTED) {
					*out = mg_batch_dup(v[i]);
					mg_err_clear(err);
					rc = 0;
					break;
				}
			mg_batch_list_free(v, n);
		}
	}
	free(bdir);
	mg_store_unlock(st);
	return rc;
}

int mg_store_batch_create(mg_store *st, const mg_batch *b, mg_user *const *users, size_t n, mg_err *err)
{
	if (!b->name || !*b->name)
		return mg_err_set(err, MGC_INVALIDARG, "EmptyName", "The batch name must not be empty.");
	if (mg_store_lock(st, err) < 0)
		return -1;
	char *bdir = mg_store_batch_dir(st, b->name);
	char *key = mg_safe_name(b->name);
	char *tmp = xasprintf("%s/batches/.new-%s-%ld", st->home, key, (long)getpid());
	int rc = 0;
	if (exists(bdir)) {
		rc = mg_err_set(err, MGC_EXISTS, "MigrationBatchDuplicate",
		                "A migration batch named '%s' already exists. Choose another name, or "
		                "remove the old batch first (Remove-MigrationBatch).", b->name);
		goto out;
	}
	(void)mg_rm_rf(tmp, NULL);
	char *udir = xasprintf("%s/users", tmp);
	char *rdir = xasprintf("%s/reports", tmp);
	rc = mg_mkdir_p(udir, 0700, err);
	if (rc == 0)
		rc = mg_mkdir_p(rdir, 0700, err);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		char *uk = mg_safe_name(users[i]->email);
		char *up = xasprintf("%s/%s.yaml", udir, uk);
		if (exists(up))
			rc = mg_err_set(err, MGC_EXISTS, "DuplicateUser",
			                "The user '%s' appears twice in batch '%s'.", users[i]->email, b->name);
		else
			rc = write_record_unsynced(up, mg_user_to_yaml(users[i]), err);
		free(up);
		free(uk);
	}
	if (rc == 0) {
		char *bp = xasprintf("%s/batch.yaml", tmp);
		rc = write_record_unsynced(bp, mg_batch_to_yaml(b), err);
		free(bp);
	}
	if (rc == 0) {
		const char *const subs[] = { udir, rdir, NULL };
		rc = sync_tree(tmp, subs, err);
	}
	if (rc == 0 && rename(tmp, bdir) < 0)
		rc = mg_err_sys(err, MGC_WRITE, "CreateBatch", "cannot create '%s'", bdir);
	if (rc == 0) {
		char *dir = mg_store_path(st, "batches");
		rc = mg_fsync_dir(dir, err);
		free(dir);
	} else {
		(void)mg_rm_rf(tmp, NULL);
	}
	free(udir);
	free(rdir);
out:
	free(tmp);
	free(key);
	free(bdir);
	mg_store_unlock(st);
	return rc;
}

int mg_store_batch_save(mg_store *st, const mg_batch *b, mg_err *err)
{
	if (mg_store_lock(st, err) < 0)
		return -1;
	char *bdir = mg_store_batch_dir(st, b->name);
	int rc;
	if (!exists(bdir)) {
		rc = batch_not_found(err, b->name);
	} else {
		char *p = mg_path_join(bdir, "batch.yaml");
		rc = write_record(p, mg_batch_to_yaml(b), err);
		free(p);
	}
	free(bdir);
	mg_store_unlock(st);
	return rc;
}

int mg_store_batch_delete(mg_store *st, const char *name, mg_err *err)
{
	if (mg_store_lock(st, err) < 0)
		return -1;
	char *bdir = mg_store_batch_dir(st, name);
	char *key = mg_safe_name(name);
	char *tmp = xasprintf("%s/batches/.del-%s-%ld", st->home, key, (long)getpid());
	int rc = 0;
	if (!exists(bdir))
		rc = batch_not_found(err, name);
	else if (rename(bdir, tmp) < 0)
		rc = mg_err_sys(err, MGC_WRITE, "RemoveBatch", "cannot remove '%s'", bdir);
	if (rc == 0) {
		char *dir = mg_store_path(st, "batches");
		rc = mg_fsync_dir(dir, err);
		free(dir);
		(void)mg_rm_rf(tmp, NULL);
	}
	free(tmp);
	free(key);
	free(bdir);
	mg_store_unlock(st);
	return rc;
}

/* ---- users ---- */

static int user_not_found(mg_err *err, const char *identity)
{
	return mg_err_set(err, MGC_NOTFOUND, "ManagementObjectNotFoundException",
	                  "The migration user '%s' couldn't be found. Reason: The migration user '%s' couldn't be found.",
	                  identity, identity);
}

static int user_read(const char *path, mg_user **out, mg_err *err)
{
	char *data = NULL;
	size_t len = 0;
	if (mg_read_file(path, RECORD_MAX, &data, &len, err) < 0)
		return -1;
	int rc = mg_user_from_yaml(data, len, path, out, err);
	mg_wipe(data, len);
	free(data);
	return rc;
}

int mg_store_user_load(mg_store *st, const char *batch, const char *email, mg_user **out, mg_err *err)
{
	if (mg_store_lock(st, err) < 0)
		return -1;
	char *p = user_file(st, batch, email, ".yaml");
	int rc = exists(p) ? user_read(p, out, err) : user_not_found(err, email);
	free(p);
	mg_store_unlock(st);
	return rc;
}

int mg_store_user_save(mg_store *st, const mg_user *u, mg_err *err)
{
	if (mg_store_lock(st, err) < 0)
		return -1;
	char *bdir = mg_store_batch_dir(st, u->batch);
	int rc;
	if (!exists(bdir)) {
		rc = batch_not_found(err, u->batch);
	} else {
		char *udir = mg_path_join(bdir, "users");
		rc = mg_mkdir_p(udir, 0700, err);
		free(udir);
		char *p = user_file(st, u->batch, u->email, ".yaml");
		if (rc == 0)
			rc = write_record(p, mg_user_to_yaml(u), err);
		free(p);
	}
	free(bdir);
	mg_store_unlock(st);
	return rc;
}

int mg_store_user_delete(mg_store *st, const char *batch, const char *email, mg_err *err)
{
	if (mg_store_lock(st, err) < 0)
		return -1;
	char *p = user_file(st, batch, email, ".yaml");
	int rc = 0;
	if (!exists(p)) {
		rc = user_not_found(err, email);
	} else if (unlink(p) < 0) {
		rc = mg_err_sys(err, MGC_WRITE, "RemoveUser", "cannot remove '%s'", p);
	} else {
		static const char *const extra[] = { ".skipped.yaml", ".log" };
		for (size_t i = 0; i < 2; i++) {
			char *q = user_file(st, batch, email, extra[i]);
			(void)unlink(q);
			free(q);
		}
		char *d = strrchr(p, '/');
		*d = '\0';
		rc = mg_fsync_dir(p, err);
	}
	free(p);
	mg_store_unlock(st);
	return rc;
}

static int cmp_user(const void *a, const void *b)
{
	const mg_user *x = *(mg_user *const *)a, *y = *(mg_user *const *)b;
	if (x->csv_line != y->csv_line)
		return x->csv_line < y->csv_line ? -1 : 1;
	return strcmp(x->email, y->email);
}

int mg_store_user_list(mg_store *st, const char *batch, mg_user ***out, size_t *n, mg_err *err)
{
	*out = NULL;
	*n = 0;
	if (mg_store_lock(st, err) < 0)
		return -1;
	char *bdir = mg_store_batch_dir(st, batch);
	if (!exists(bdir)) {
		free(bdir);
		mg_store_unlock(st);
		return batch_not_found(err, batch);
	}
	char *udir = mg_path_join(bdir, "users");
	size_t cnt;
	char **names = list_dir(udir, ".yaml", ".skipped.yaml", &cnt);
	mg_user **v = xcalloc(cnt + 1, sizeof *v);
	size_t k = 0;
	for (size_t i = 0; i < cnt; i++) {
		char *p = mg_path_join(udir, names[i]);
		mg_err e2 = { 0 };
		struct stat sb;
		bool have_stat = stat(p, &sb) == 0;
		if (have_stat && (v[k] = ucache_get(st, p, &sb)) != NULL) {
			k++;
			free(p);
			continue;
		}
		if (user_read(p, &v[k], &e2) == 0) {
			if (have_stat)
				ucache_put(st, p, &sb, v[k]);
		} else {
			/* never drop a user: list it as Corrupted with the reason */
			names[i][strlen(names[i]) - 5] = '\0';
			char *em = unsafe_name(names[i]);
			v[k] = mg_user_new(em, batch);
			free(em);
			v[k]->status = MG_US_CORRUPTED;
			v[k]->error = xstrdup(e2.msg);
			v[k]->error_summary = xstrdup("The user's record is corrupt.");
			v[k]->csv_line = 1L << 30;
		}
		k++;
		free(p);
	}
	mg_strv_free_all(names);
	free(udir);
	free(bdir);
	mg_store_unlock(st);
	qsort(v, k, sizeof *v, cmp_user);
	*out = v;
	*n = k;
	return 0;
}

void mg_user_list_free(mg_user **v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		mg_user_free(v[i]);
	free(v);
}

int mg_store_user_list_all(mg_store *st, mg_user ***out, size_t *n, mg_err *err)
{
	*out = NULL;
	*n = 0;
	mg_batch **bv;
	size_t bn;
	if (mg_store_lock(st, err) < 0)
		return -1;
	if (mg_store_batch_list(st, &bv, &bn, err) < 0) {
		mg_store_unlock(st);
		return -1;
	}
	mg_user **all = NULL;
	size_t cap = 0, k = 0;
	int rc = 0;
	for (size_t i = 0; i < bn; i++) {
		mg_user **uv;
		size_t un;
		mg_err e2 = { 0 };
		if (mg_store_user_list(st, bv[i]->name, &uv, &un, &e2) < 0)
			continue;   /* a corrupt batch directory name: its users can't be read */
		GROW(all, cap, k + un + 1);
		for (size_t j = 0; j < un; j++)
			all[k++] = uv[j];
		free(uv);
	}
	mg_batch_list_free(bv, bn);
	mg_store_unlock(st);
	if (!all)
		all = xcalloc(1, sizeof *all);
	*out = all;
	*n = k;
	return rc;
}

bool mg_store_email_in_use(mg_store *st, const char *email, const char *except_batch, char **batch_out)
{
	bool found = false;
	if (mg_store_lock(st, NULL) < 0)
		return false;
	char *dir = mg_store_path(st, "batches");
	size_t cnt;
	char **names = list_dir(dir, NULL, NULL, &cnt);
	char *uk = mg_safe_name(email);
	char *except = except_batch ? mg_safe_name(except_batch) : NULL;
	for (size_t i = 0; i < cnt && !found; i++) {
		if (except && !strcmp(except, names[i]))
			continue;
		char *p = xasprintf("%s/%s/users/%s.yaml", dir, names[i], uk);
		if (exists(p)) {
			found = true;
			if (batch_out) {
				mg_batch *b = NULL;
				char *bdir = xasprintf("%s/%s", dir, names[i]);
				if (batch_read_dir(bdir, &b, NULL) == 0) {
					*batch_out = xstrdup(b->name);
					mg_batch_free(b);
				} else {
					*batch_out = unsafe_name(names[i]);
				}
				free(bdir);
			}
		}
		free(p);
	}
	free(except);
	free(uk);
	mg_strv_free_all(names);
	free(dir);
	mg_store_unlock(st);
	return found;
}

int mg_store_user_find(mg_store *st, const char *identity, mg_user **out, mg_err *err)
{
	if (!identity || !*identity)
		return user_not_found(err, "");
	if (mg_store_lock(st, err) < 0)
		return -1;
	char *batch = NULL;
	int rc;
	if (mg_store_email_in_use(st, identity, NULL, &batch)) {
		rc = mg_store_user_load(st, batch, identity, out, err);
	} else {
		mg_user **v;
		size_t n;
		rc = mg_store_user_list_all(st, &v, &n, err);
		if (rc == 0) {
			rc = user_not_found(err, identity);
			for (size_t i = 0; i < n; i++)
				if (str_ieq(v[i]->guid, identity)) {
					*out = mg_user_dup(v[i]);
					mg_err_clear(err);
					rc = 0;
					break;
				}
			mg_user_list_free(v, n);
		}
	}
	free(batch);
	mg_store_unlock(st);
	return rc;
}

/* ---- skipped items ---- */

int mg_store_skipped_load(mg_store *st, const char *batch, const char *email,
                          mg_skipped_rec **out, size_t *n, mg_err *err)
{
	*out = NULL;
	*n = 0;
	if (mg_store_lock(st, err) < 0)
		return -1;
	char *p = user_file(st, batch, email, ".skipped.yaml");
	char *data = NULL;
	size_t len = 0;
	mg_err e2 = { 0 };
	int rc = 0;
	if (mg_read_file(p, SKIPPED_MAX, &data, &len, &e2) < 0) {
		if (strcmp(e2.category, MGC_NOTFOUND)) {
			mg_err_copy(err, &e2);
			rc = -1;
		}
	} else {
		rc = mg_skipped_from_yaml(data, len, p, out, n, err);
	}
	free(data);
	free(p);
	mg_store_unlock(st);
	return rc;
}

int mg_store_skipped_save(mg_store *st, const char *batch, const char *email,
                          const mg_skipped_rec *v, size_t n, mg_err *err)
{
	if (mg_store_lock(st, err) < 0)
		return -1;
	char *p = user_file(st, batch, email, ".skipped.yaml");
	int rc = write_record(p, mg_skipped_to_yaml(v, n), err);
	free(p);
	mg_store_unlock(st);
	return rc;
}

/* ---- per-user report ---- */

int mg_store_user_report_append(mg_store *st, const char *batch, const char *email,
                                const char *line, mg_err *err)
{
	char *p = user_file(st, batch, email, ".log");
	char ts[32];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(ts, sizeof ts, "%Y-%m-%d %H:%M:%S", &tm);
	char *txt = xasprintf("%s UTC %s\n", ts, line);
	int rc = 0;
	int fd = open(p, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = mg_err_sys(err, MGC_WRITE, "ReportWrite", "cannot open the user report '%s'", p);
	} else {
		size_t len = strlen(txt);
		if (write(fd, txt, len) != (ssize_t)len)
			rc = mg_err_sys(err, MGC_WRITE, "ReportWrite", "cannot write the user report '%s'", p);
		close(fd);
	}
	free(txt);
	free(p);
	return rc;
}

int mg_store_user_report_read(mg_store *st, const char *batch, const char *email,
                              char **out, mg_err *err)
{
	char *p = user_file(st, batch, email, ".log");
	size_t len;
	mg_err e2 = { 0 };
	int rc = 0;
	*out = NULL;
	if (mg_read_file(p, SKIPPED_MAX, out, &len, &e2) < 0) {
		if (strcmp(e2.category, MGC_NOTFOUND)) {
			mg_err_copy(err, &e2);
			rc = -1;
		} else {
			*out = xstrdup("");
		}
	}
	free(p);
	return rc;
}
