/*
 * store_names.c - names for tab completion (store.h, mg_store_names):
 * endpoint names, batch names and user addresses that start with what was
 * typed, asked of the store's index by a range of keys and a LIMIT, so that
 * completing an -Identity costs the same with 100 or 100,000 users.
 *
 * A key (mg_safe_name) encodes a name character by character, lower-cased,
 * and no encoded character is a prefix of another, so the names that start
 * with P (ignoring case) are exactly those whose key starts with key(P): the
 * keys in [key(P), key(P) + "\x7f"), every key character being below 0x7f.
 * When more names match than asked for, the last match is added to the
 * first ones: the common prefix of a sorted list is the common prefix of its
 * first and last entries, so what the shell completes to stays right.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common/mem.h"
#include "engine/store.h"
#include "engine/store_sql.h"

/* Run s (bound: key range 1-2, limit 3) and append its names to v, skipping
 * a key equal to the one before (an address in two batches). */
static int add_names(mg_store *st, sqlite3_stmt *s, char ***v, size_t *n, size_t *cap,
                     char **last_key, mg_err *err)
{
	int r;
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		const char *key = (const char *)sqlite3_column_text(s, 0);
		const char *name = (const char *)sqlite3_column_text(s, 1);
		if (!key || !name || (*last_key && !strcmp(*last_key, key)))
			continue;
		free(*last_key);
		*last_key = xstrdup(key);
		GROW(*v, *cap, *n + 2);
		(*v)[(*n)++] = xstrdup(name);
		(*v)[*n] = NULL;
	}
	return r == SQLITE_DONE ? 0 : sq_fail(st, err, "listing names");
}

char **mg_store_names(mg_store *st, mg_store_name_kind kind, const char *prefix, size_t max, mg_err *err)
{
	static const char *const tables[] = { "endpoints", "batches", "users" };
	static const char *const keys[] = { "name_key", "name_key", "email_key" };
	static const char *const names[] = { "\"Name\"", "\"Name\"", "\"EmailAddress\"" };
	if ((unsigned)kind > MG_NAMES_USER)
		return NULL;
	char *lo = prefix && *prefix ? mg_safe_name(prefix) : xstrdup("");
	char *hi = xasprintf("%s\x7f", lo);
	char *fwd = xasprintf("SELECT %s, %s FROM %s WHERE %s >= ?1 AND %s < ?2 ORDER BY %s LIMIT ?3",
	                      keys[kind], names[kind], tables[kind], keys[kind], keys[kind], keys[kind]);
	char *back = xasprintf("SELECT %s, %s FROM %s WHERE %s >= ?1 AND %s < ?2 ORDER BY %s DESC LIMIT 1",
	                       keys[kind], names[kind], tables[kind], keys[kind], keys[kind], keys[kind]);
	char **v = xcalloc(1, sizeof *v);
	size_t n = 0, cap = 1;
	char *last_key = NULL;
	int rc = -1;
	pthread_mutex_lock(&st->mu);
	sqlite3_stmt *s = sq_prepare(st, -1, fwd, err);
	if (s) {
		sqlite3_bind_text(s, 1, lo, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, hi, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 3, (sqlite3_int64)max + 1);
		rc = add_names(st, s, &v, &n, &cap, &last_key, err);
		sq_done(st, -1, s);
	}
	if (rc == 0 && n > max) {
		/* more than max: the first max, then the last match */
		free(v[max]);
		v[max] = NULL;
		n = max;
		free(last_key);
		last_key = NULL;
		rc = -1;
		s = sq_prepare(st, -1, back, err);
		if (s) {
			sqlite3_bind_text(s, 1, lo, -1, SQLITE_STATIC);
			sqlite3_bind_text(s, 2, hi, -1, SQLITE_STATIC);
			rc = add_names(st, s, &v, &n, &cap, &last_key, err);
			sq_done(st, -1, s);
		}
	}
	pthread_mutex_unlock(&st->mu);
	free(last_key);
	free(back);
	free(fwd);
	free(hi);
	free(lo);
	if (rc < 0) {
		mg_strv_free_all(v);
		return NULL;
	}
	return v;
}
