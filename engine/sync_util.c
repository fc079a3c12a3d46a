/*
 * sync_util.c - helpers of the sync engine: hashing, log/progress/cancel,
 * skipped-item records, message metadata lists, orphan matching after a
 * UIDVALIDITY change.
 */
#include "config.h"
#include "engine/sync_internal.h"
#include "common/fileio.h"
#include "common/mem.h"
#include "common/str.h"
#include "net/mutf7.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

void sync_hash_start(hasher *h)
{
	if (!h->c)
		h->c = EVP_MD_CTX_new();
	EVP_DigestInit_ex(h->c, EVP_sha256(), NULL);
}
void sync_hash_add(hasher *h, const void *p, size_t n) { EVP_DigestUpdate(h->c, p, n); }
void sync_hash_end(hasher *h, char out[72])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned len = 0;
	EVP_DigestFinal_ex(h->c, md, &len);
	for (unsigned i = 0; i < len && i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}
void sync_hash_free(hasher *h)
{
	if (h->c)
		EVP_MD_CTX_free(h->c);
	h->c = NULL;
}

void sync_slog(sctx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sync_slog(sctx *x, const char *fmt, ...)
{
	if (!x->job->log)
		return;
	va_list ap;
	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);
	va_end(ap);
	x->job->log(x->job->log_arg, s);
	free(s);
}

bool sync_cancelled(const sctx *x)
{
	return x->job->cancel && *x->job->cancel;
}

void sync_progress(sctx *x, bool force)
{
	time_t now = time(NULL);
	if (!x->job->progress || (!force && now == x->last_progress))
		return;
	x->last_progress = now;
	x->job->progress(x->job->progress_arg, x->st);
}

/* Text that goes into a stored record: printable UTF-8 only (server bytes escaped). */
char *sync_safe_text(const char *s)
{
	if (!s)
		return NULL;
	for (const unsigned char *u = (const unsigned char *)s; *u; u++)
		if (*u < 0x20 || *u == 0x7f)
			return mg_name_escape(s, strlen(s));
	return mg_utf8_valid(s) ? xstrdup(s) : mg_name_escape(s, strlen(s));
}

void sync_add_skip(mg_skipped_item **v, size_t *n, size_t *cap, const char *folder, uint32_t uid,
                     long long size, int64_t date, const char *kind, const char *reason)
{
	GROW(*v, *cap, *n + 1);
	mg_skipped_item *s = &(*v)[(*n)++];
	memset(s, 0, sizeof *s);
	s->folder = sync_safe_text(folder);
	s->uid = uid;
	s->size = size;
	s->date = date;
	s->kind = xstrdup(kind);
	s->reason = sync_safe_text(reason);
}

void sync_fskip(fstats *fs, const char *folder, const item *it, const char *kind, const char *reason)
{
	sync_add_skip(&fs->sk, &fs->n_sk, &fs->cap_sk, folder, it ? it->uid : 0,
	         it ? (long long)it->size : 0, it ? it->date : 0, kind, reason);
}

void sync_skip_free(mg_skipped_item *s)
{
	free(s->folder);
	free(s->subject);
	free(s->kind);
	free(s->reason);
}

char *sync_imap_date(int64_t t, int tz)
{
	static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t lt = (time_t)(t + (int64_t)tz * 60);
	struct tm tm;
	gmtime_r(&lt, &tm);
	int a = tz < 0 ? -tz : tz;
	return xasprintf("%02d-%s-%04d %02d:%02d:%02d %c%02d%02d", tm.tm_mday, mon[tm.tm_mon],
	                 tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec, tz < 0 ? '-' : '+',
	                 a / 60, a % 60);
}

int sync_meta_cb(void *arg, const mg_imap_msg_meta *m)
{
	meta_acc *a = arg;
	GROW(a->v, a->cap, a->n + 1);
	item *it = &a->v[a->n++];
	memset(it, 0, sizeof *it);
	it->uid = m->uid;
	it->size = m->size;
	it->date = m->internaldate;
	it->tz = m->tz_minutes;
	it->flags = mg_flags_normalize(m->flags, m->n_flags);
	if (m->n_bad_flags) {
		if (!a->bad_flags) {
			a->bad_uid = m->uid;
			a->bad_flag = mg_name_escape(m->bad_flag, strlen(m->bad_flag));
		}
		a->bad_flags += (long long)m->n_bad_flags;
	}
	return 0;
}

int sync_cmp_item_uid(const void *a, const void *b)
{
	uint32_t x = ((const item *)a)->uid, y = ((const item *)b)->uid;
	return x < y ? -1 : x > y;
}

void sync_items_free(item *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].flags);
	free(v);
}

item *sync_find_item(item *v, size_t n, uint32_t uid)
{
	if (!n)
		return NULL;
	item key = { .uid = uid };
	return bsearch(&key, v, n, sizeof *v, sync_cmp_item_uid);
}

void sync_copied(fctx *f, uint32_t uid, const char *ref, bool matched)
{
	GROW(f->dn, f->cap_dn, f->n_dn + 1);
	f->dn[f->n_dn++] = (done_rec){ uid, xstrdup(ref), matched };
}

void sync_dn_clear(fctx *f)
{
	for (size_t i = 0; i < f->n_dn; i++)
		free(f->dn[i].dest);
	f->n_dn = 0;
}

/* The one place M records are written: only after the destination said
 * the copies are durable (the CRASH SAFETY argument in sync.c). */
mg_dscope sync_commit(fctx *f, mg_err *err)
{
	if (!f->n_dn)
		return MG_DS_OK;
	mg_dscope sc = f->x->dest->ops->durable(f, err);
	if (sc != MG_DS_OK) {
		sync_dn_clear(f);
		return sc;
	}
	for (size_t i = 0; i < f->n_dn; i++) {
		item *it = sync_find_item(f->items, f->n_items, f->dn[i].uid);
		mg_journal_add(f->j, it->uid, (long long)it->size, it->date, it->flags, f->dn[i].dest);
	}
	int rc = mg_journal_flush(f->j, err);
	if (rc == 0) {
		for (size_t i = 0; i < f->n_dn; i++)
			if (f->dn[i].matched)
				f->matched++;
			else
				f->x->st->items_copied++;
		f->fs.synced += (long long)f->n_dn;
	}
	sync_dn_clear(f);
	return rc == 0 ? MG_DS_OK : MG_DS_DEST;
}

int sync_fetch_bodies(fctx *f, const uint32_t *uids, const uint64_t *sizes, size_t n,
                      const mg_imap_body_cb *cb, mg_err *err)
{
	return mg_source_fetch_bodies(f->x->src, uids, sizes, n, cb, err);
}

mg_dscope sync_fail_scope(fctx *f)
{
	return sync_cancelled(f->x) ? MG_DS_CANCELLED : MG_DS_DEST;
}

int sync_scope_rc(sctx *x, mg_dscope sc, mg_err *err)
{
	(void)x;
	if (sc == MG_DS_OK)
		return 0;
	if (sc == MG_DS_CANCELLED)
		mg_err_set(err, MGC_STOPPED, "SyncStopped", "the sync was stopped");
	return -1;
}

void sync_bad_missing(fctx *f, uint32_t uid, const char *reason)
{
	item *it = sync_find_item(f->items, f->n_items, uid);
	if (reason && strncmp(reason, "the server did not return", 25) == 0) {
		sync_slog(f->x, "folder '%s': message uid %" PRIu32 " disappeared at the source meanwhile",
		     f->fp->name, uid);
		return;
	}
	f->fs.bad++;
	char *r = xasprintf("the source server could not deliver it: %s", reason ? reason : "");
	sync_fskip(&f->fs, f->fp->name, it, "BadItem", r);
	free(r);
}

void sync_body_missing(void *arg, uint32_t uid, const char *reason)
{
	sync_bad_missing(arg, uid, reason);
}

/* ---- orphan matching (UIDVALIDITY change) ---- */

/* Index of the orphan with this size and hash, or -1. */
long sync_find_orphan(fctx *f, uint64_t size, const char *hash)
{
	mg_journal *j = f->j;
	for (size_t i = 0; f->ohash && i < j->n_orphans; i++) {
		if ((uint64_t)j->orphans[i].size != size || !f->ohash[i][0])
			continue;
		if (strcmp(f->ohash[i], hash) == 0)
			return (long)i;
	}
	return -1;
}

mg_dscope sync_use_orphan(fctx *f, const item *it, size_t i, mg_err *err)
{
	mg_jmsg *o = &f->j->orphans[i];
	if (strcmp(o->flags, it->flags) != 0) {
		mg_dscope sc = f->x->dest->ops->set_flags(f, o->dest, it->flags, err);
		if (sc != MG_DS_OK && sc != MG_DS_MESSAGE)
			return sc;
		mg_err_clear(err);
	}
	sync_copied(f, it->uid, o->dest, true);
	size_t last = f->j->n_orphans - 1;
	if (i != last)
		memcpy(f->ohash[i], f->ohash[last], 72);
	mg_journal_orphan_used(f->j, i);
	return MG_DS_OK;
}
