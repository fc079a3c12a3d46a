/*
 * sync_copy_imap.c - copy a chunk of source messages to a target IMAP
 * folder: keep small bodies in memory and spool the rest to a file (bounded
 * memory), journal the intent, APPEND (MULTIAPPEND batches or pipelined by
 * the client; spooled messages can be rewound for a resend), journal
 * APPENDUID results; after a crash, reconcile unconfirmed appends by content
 * hash, and at the end of each pass remove late copies of them that a dead
 * run's server session stored after they were copied again (see the CRASH
 * SAFETY comment in sync.c).
 */
#include "config.h"
#include "engine/sync_internal.h"
#include "common/fileio.h"
#include "common/mem.h"
#include "common/str.h"
#include "net/imap_throttle.h"

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

/* how long after an interrupted append a late copy of it is looked for */
#define WATCH_SECS (15 * 60)

/* ---- imap target: spool + append ---- */

static int sp_begin(void *arg, uint32_t uid, uint64_t size)
{
	fctx *f = arg;
	if (sync_cancelled(f->x))
		return -1;
	f->cur = sync_find_item(f->items, f->n_items, uid);
	f->writing = f->cur != NULL;
	if (!f->writing)
		return 0;
	GROW(f->sp, f->cap_sp, f->n_sp + 1);
	struct spooled *s = &f->sp[f->n_sp];
	memset(s, 0, sizeof *s);
	s->it = f->cur;
	s->off = f->spool_end;
	/* small messages stay in memory (bounded per chunk), the rest goes to the spool */
	if (size <= MEM_MSG_MAX && f->mem_used + size <= MEM_CHUNK_MAX) {
		s->mcap = size;
		s->mem = xmalloc(size ? (size_t)size : 1);
		f->mem_used += size;
	}
	sync_hash_start(&f->h);
	return 0;
}

static int spool_write(fctx *f, struct spooled *s, const char *p, size_t len)
{
	while (len) {
		ssize_t n = pwrite(f->spool_fd, p, len, f->spool_end);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			mg_err_sys(&f->cb_err, MGC_WRITE, "SpoolWrite", "cannot write spool file '%s'",
			           f->spool_path);
			f->cb_failed = true;
			return -1;
		}
		p += n;
		len -= (size_t)n;
		f->spool_end += n;
		s->len += (uint64_t)n;
	}
	return 0;
}

static int sp_data(void *arg, uint32_t uid, const void *chunk, size_t len)
{
	fctx *f = arg;
	(void)uid;
	f->x->st->bytes_transferred += (long long)len;
	if (!f->writing)
		return 0;
	sync_hash_add(&f->h, chunk, len);
	struct spooled *s = &f->sp[f->n_sp];
	if (s->mem && s->len + len <= s->mcap) {
		memcpy(s->mem + s->len, chunk, len);
		s->len += len;
		return 0;
	}
	if (s->mem) {        /* more than announced: move it to the spool */
		char *m = s->mem;
		uint64_t have = s->len;
		s->mem = NULL;
		s->off = f->spool_end;
		s->len = 0;
		int rc = spool_write(f, s, m, (size_t)have);
		free(m);
		if (rc < 0)
			return -1;
	}
	return spool_write(f, s, chunk, len);
}

static int sp_end(void *arg, uint32_t uid)
{
	fctx *f = arg;
	(void)uid;
	if (!f->writing)
		return 0;
	f->writing = false;
	sync_hash_end(&f->h, f->sp[f->n_sp].hash);
	f->n_sp++;
	return 0;
}

typedef struct sp_reader { fctx *f; struct spooled *s; uint64_t pos; } sp_reader;

/* MULTIAPPEND resends a refused batch message by message: start again at byte 0 */
static int sp_rewind(void *arg)
{
	sp_reader *r = arg;
	r->pos = 0;
	return 0;
}

/* free the in-memory messages of the chunk (also one cut short by an error) */
static void sp_release(fctx *f)
{
	for (size_t i = 0; i < f->n_sp; i++) {
		free(f->sp[i].mem);
		f->sp[i].mem = NULL;
	}
	if (f->writing && f->n_sp < f->cap_sp) {
		free(f->sp[f->n_sp].mem);
		f->sp[f->n_sp].mem = NULL;
	}
	f->mem_used = 0;
}

static ssize_t sp_read(void *arg, void *buf, size_t cap)
{
	sp_reader *r = arg;
	uint64_t left = r->s->len - r->pos;
	if (!left)
		return 0;
	if (cap > left)
		cap = (size_t)left;
	ssize_t n;
	do
		n = pread(r->f->spool_fd, buf, cap, r->s->off + (off_t)r->pos);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return -1;
	r->pos += (uint64_t)n;
	return n;
}

/* Subject header of a spooled message (unfolded, decoded), for reports. */
static char *spool_subject(fctx *f, const struct spooled *s)
{
	char buf[16384];
	size_t want = s->len < sizeof buf - 1 ? (size_t)s->len : sizeof buf - 1;
	ssize_t n;
	if (s->mem) {
		memcpy(buf, s->mem, want);
		n = (ssize_t)want;
	} else {
		n = pread(f->spool_fd, buf, want, s->off);
	}
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	for (char *p = buf; *p; ) {
		if (*p == '\r' || *p == '\n')
			break;                      /* end of the header */
		if (strncasecmp(p, "Subject:", 8) == 0) {
			strbuf sb = STRBUF_INIT;
			p += 8;
			for (;;) {
				while (*p == ' ' || *p == '\t')
					p++;
				size_t l = strcspn(p, "\r\n");
				if (sb.len && l)
					strbuf_addc(&sb, ' ');
				strbuf_add(&sb, p, l);
				p += l;
				if (*p == '\r')
					p++;
				if (*p == '\n')
					p++;
				if (*p != ' ' && *p != '\t')
					break;          /* no continuation line */
			}
			char *d = mg_mime_decode_subject(sb.buf, sb.len, 256);
			strbuf_free(&sb);
			return d;
		}
		p += strcspn(p, "\n");
		if (*p)
			p++;
	}
	return NULL;
}

int sync_tgt_store_flags(fctx *f, const char *dest, const char *flags, mg_err *err)
{
	if (strcmp(dest, "0") == 0)
		return 0;      /* no UIDPLUS: the target uid is unknown */
	return mg_imap_uid_store_flags(f->x->tgt->c, dest, '=', flags, err);
}

/* APPEND msgs[0..n) (readers rd).  Messages the server refused only to ask
 * for a slower pace (imap_throttle.h) are not bad items: they are sent again
 * after the wait it asked for (ends early on stop), at most
 * MG_THROTTLE_TRIES times; then the chunk fails with a retryable error.
 * A throttled NO means the message was not stored, and the intents of the
 * chunk still cover the resend. */
static int append_paced(fctx *f, const mg_imap_append_msg *msgs, sp_reader *rd, size_t n,
                        mg_imap_append_result *res, mg_err *err)
{
	size_t idx[APPEND_GROUP], m = n;
	for (size_t i = 0; i < n; i++)
		idx[i] = i;
	for (int attempt = 0;; attempt++) {
		mg_imap_append_msg sub[APPEND_GROUP];
		mg_imap_append_result sr[APPEND_GROUP];
		for (size_t k = 0; k < m; k++) {
			sub[k] = msgs[idx[k]];
			rd[idx[k]].pos = 0;
		}
		if (mg_imap_append_many(f->x->tgt->c, f->twire, sub, m, sr, err) < 0)
			return -1;
		long wait = 0;
		size_t again = 0;
		for (size_t k = 0; k < m; k++) {
			long w = sr[k].ok ? 0 : mg_imap_throttle_ms(sr[k].text, attempt);
			res[idx[k]] = sr[k];
			if (w) {
				idx[again++] = idx[k];
				wait = w > wait ? w : wait;
			}
		}
		if (!again)
			return 0;
		if (attempt >= MG_THROTTLE_TRIES)
			return mg_err_set(err, MGC_TIMEOUT, "ServerThrottled",
			                  "APPEND to '%s' failed: the target kept asking to slow down: %s",
			                  f->fp->name, res[idx[0]].text);
		sync_slog(f->x, "folder '%s': the target asked to slow down; sending %zu messages again in %ld ms",
		          f->fp->name, again, wait);
		for (; wait > 0 && !sync_cancelled(f->x); wait -= 100) {
			struct timespec ts = { 0, (wait < 100 ? wait : 100) * 1000000L };
			nanosleep(&ts, NULL);
		}
		if (sync_cancelled(f->x))
			return mg_err_set(err, MGC_STOPPED, "SyncStopped", "the sync was stopped");
		m = again;
	}
}

int sync_tgt_copy_chunk(fctx *f, item **chunk, size_t n, mg_err *err)
{
	sctx *x = f->x;
	uint32_t *uids = xmalloc(n * sizeof *uids);
	uint64_t *sizes = xmalloc(n * sizeof *sizes);
	for (size_t i = 0; i < n; i++) {
		uids[i] = chunk[i]->uid;
		sizes[i] = chunk[i]->size;
	}
	int rc = -1;
	f->n_sp = 0;
	f->spool_end = 0;
	f->mem_used = 0;
	if (ftruncate(f->spool_fd, 0) < 0) {
		mg_err_sys(err, MGC_WRITE, "SpoolWrite", "cannot reset spool file '%s'", f->spool_path);
		goto out;
	}
	mg_imap_body_cb cb = { sp_begin, sp_data, sp_end, sync_md_missing, f };
	f->cb_failed = false;
	rc = mg_imap_fetch_bodies(x->src, uids, sizes, n, &cb, err);
	if (f->writing) {        /* stopped inside a message: drop its partial copy */
		free(f->sp[f->n_sp].mem);
		f->sp[f->n_sp].mem = NULL;
	}
	f->writing = false;
	if (rc < 0) {
		if (f->cb_failed)
			mg_err_copy(err, &f->cb_err);
		goto out;
	}
	/* rescan: messages already at the target under an old UIDVALIDITY */
	size_t k = 0;
	for (size_t i = 0; i < f->n_sp; i++) {
		struct spooled *s = &f->sp[i];
		long oi = f->j->n_orphans ? sync_find_orphan(f, s->it->size, s->hash) : -1;
		if (oi < 0) {
			f->sp[k++] = *s;
			continue;
		}
		mg_jmsg *o = &f->j->orphans[oi];
		if (strcmp(o->flags, s->it->flags) != 0 &&
		    sync_tgt_store_flags(f, o->dest, s->it->flags, err) < 0)
			goto out;
		free(s->mem);
		s->mem = NULL;
		mg_journal_add(f->j, s->it->uid, (long long)s->it->size, s->it->date, s->it->flags, o->dest);
		sync_orphan_used(f, (size_t)oi);
		f->fs.synced++;
		f->matched++;
	}
	f->n_sp = k;
	if (!f->n_sp) {
		rc = mg_journal_flush(f->j, err);
		goto out;
	}
	/* intent first */
	mg_imap_mbox_status ts;
	if (mg_imap_status(x->tgt->c, f->twire, &ts, err) < 0) {
		rc = -1;
		goto out;
	}
	mg_journal_mark(f->j, ts.uidnext);
	for (size_t i = 0; i < f->n_sp; i++)
		mg_journal_intent(f->j, f->sp[i].it->uid, (long long)f->sp[i].len, f->sp[i].it->date,
		                  f->sp[i].hash);
	if ((rc = mg_journal_flush(f->j, err)) < 0)
		goto out;
	for (size_t g = 0; g < f->n_sp; g += APPEND_GROUP) {
		size_t gn = f->n_sp - g < APPEND_GROUP ? f->n_sp - g : APPEND_GROUP;
		mg_imap_append_msg msgs[APPEND_GROUP];
		mg_imap_append_result res[APPEND_GROUP];
		sp_reader rd[APPEND_GROUP];
		char *dates[APPEND_GROUP];
		memset(msgs, 0, sizeof msgs);
		memset(res, 0, sizeof res);
		for (size_t i = 0; i < gn; i++) {
			struct spooled *s = &f->sp[g + i];
			rd[i] = (sp_reader){ f, s, 0 };
			dates[i] = sync_imap_date(s->it->date, s->it->tz);
			msgs[i].flags = s->it->flags[0] ? s->it->flags : NULL;
			msgs[i].internaldate = dates[i];
			msgs[i].size = s->len;
			if (s->mem) {
				msgs[i].data = s->mem;
			} else {
				msgs[i].read = sp_read;
				msgs[i].read_arg = &rd[i];
				msgs[i].rewind = sp_rewind;
			}
		}
		rc = append_paced(f, msgs, rd, gn, res, err);
		for (size_t i = 0; i < gn; i++)
			free(dates[i]);
		if (rc < 0)
			goto out;
		for (size_t i = 0; i < gn; i++) {
			item *it = f->sp[g + i].it;
			if (res[i].ok) {
				char dest[16];
				snprintf(dest, sizeof dest, "%" PRIu32, res[i].uid);
				mg_journal_add(f->j, it->uid, (long long)it->size, it->date, it->flags, dest);
				f->fs.synced++;
				x->st->items_copied++;
			} else {
				f->fs.bad++;
				char *r = xasprintf("the target refused it: %s", res[i].text);
				sync_fskip(&f->fs, f->fp->name, it, "TargetRejected", r);
				free(r);
				f->fs.sk[f->fs.n_sk - 1].subject = spool_subject(f, &f->sp[g + i]);
			}
		}
		if ((rc = mg_journal_flush(f->j, err)) < 0)
			goto out;
		sync_progress(x, false);
		if (sync_cancelled(x))
			break;
	}
	mg_journal_clear_intents(f->j);
	rc = mg_journal_flush(f->j, err);
out:
	sp_release(f);
	free(uids);
	free(sizes);
	return rc;
}

/* ---- hashing target messages (reconcile, rescan) ---- */

typedef struct th_ctx { uint32_t *uids; char (*hash)[72]; size_t n; hasher h; long cur; } th_ctx;

static long th_index(th_ctx *t, uint32_t uid)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->uids[i] == uid)
			return (long)i;
	return -1;
}
static int th_begin(void *arg, uint32_t uid, uint64_t size)
{
	th_ctx *t = arg;
	(void)size;
	t->cur = th_index(t, uid);
	sync_hash_start(&t->h);
	return 0;
}
static int th_data(void *arg, uint32_t uid, const void *c, size_t n)
{
	th_ctx *t = arg;
	(void)uid;
	sync_hash_add(&t->h, c, n);
	return 0;
}
static int th_end(void *arg, uint32_t uid)
{
	th_ctx *t = arg;
	(void)uid;
	char out[72] = "";
	sync_hash_end(&t->h, out);
	if (t->cur >= 0)
		memcpy(t->hash[t->cur], out, 72);
	return 0;
}

/* Hash the target messages uids[0..n) of the selected folder into hash[]. */
int sync_target_hashes(sctx *x, uint32_t *uids, size_t n, char (*hash)[72], mg_err *err)
{
	th_ctx t = { uids, hash, n, { 0 }, -1 };
	for (size_t i = 0; i < n; i++)
		snprintf(hash[i], 72, "missing");
	mg_imap_body_cb cb = { th_begin, th_data, th_end, NULL, &t };
	int rc = n ? mg_imap_fetch_bodies(x->tgt->c, uids, NULL, n, &cb, err) : 0;
	sync_hash_free(&t.h);
	return rc;
}

typedef struct tmeta { uint32_t *uids; uint64_t *sizes; size_t n, cap; uint32_t min; } tmeta;

static int tmeta_cb(void *arg, const mg_imap_msg_meta *m)
{
	tmeta *t = arg;
	if (m->uid < t->min)
		return 0;
	GROW(t->uids, t->cap, t->n + 1);
	t->sizes = xrealloc(t->sizes, t->cap * sizeof *t->sizes);
	t->uids[t->n] = m->uid;
	t->sizes[t->n++] = m->size;
	return 0;
}

static bool keep_none(void *arg, const mg_jwatch *w);

/* Target uids the journal maps (messages and orphans): copies that are ours
 * and wanted, never a late copy.  Sorted, for bsearch. */
static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;
	return x < y ? -1 : x > y;
}

static uint32_t *mapped_uids(const mg_journal *j, size_t *n)
{
	uint32_t *v = xmalloc((j->n_msgs + j->n_orphans + 1) * sizeof *v);
	size_t k = 0;
	for (size_t i = 0; i < j->n_msgs; i++)
		v[k++] = (uint32_t)strtoul(j->msgs[i].dest, NULL, 10);
	for (size_t i = 0; i < j->n_orphans; i++)
		v[k++] = (uint32_t)strtoul(j->orphans[i].dest, NULL, 10);
	qsort(v, k, sizeof *v, cmp_u32);
	*n = k;
	return v;
}

static bool is_mapped(const uint32_t *v, size_t n, uint32_t uid)
{
	return n && bsearch(&uid, v, n, sizeof *v, cmp_u32) != NULL;
}

/* Target messages with uid >= min that the journal does not map and whose
 * size is one of sizes[0..ns): their uids, sizes and content hashes. */
static int unmapped_candidates(fctx *f, uint32_t min, const long long *sizes, size_t ns, tmeta *tm,
                               char (**hash)[72], mg_err *err)
{
	char set[32];
	snprintf(set, sizeof set, "%" PRIu32 ":*", min ? min : 1);
	tm->min = min;
	*hash = NULL;
	if (mg_imap_fetch_meta(f->x->tgt->c, set, 0, tmeta_cb, tm, err) < 0)
		return -1;
	size_t nm;
	uint32_t *mapped = mapped_uids(f->j, &nm);
	long long *sz = xmalloc((ns ? ns : 1) * sizeof *sz);
	memcpy(sz, sizes, ns * sizeof *sz);
	qsort(sz, ns, sizeof *sz, cmp_ll);
	size_t k = 0;
	for (size_t i = 0; i < tm->n; i++) {
		long long want = (long long)tm->sizes[i];
		if (ns && bsearch(&want, sz, ns, sizeof *sz, cmp_ll) && !is_mapped(mapped, nm, tm->uids[i])) {
			tm->uids[k] = tm->uids[i];
			tm->sizes[k++] = tm->sizes[i];
		}
	}
	tm->n = k;
	free(sz);
	free(mapped);
	*hash = xcalloc(tm->n ? tm->n : 1, 72);
	return sync_target_hashes(f->x, tm->uids, tm->n, *hash, err);
}

/* After a crash between intent and M: find what the target already has. */
int sync_tgt_reconcile(fctx *f, mg_err *err)
{
	mg_journal *j = f->j;
	sctx *x = f->x;
	if (j->n_watches && j->dst_uidvalidity && x->tgt->sel.uidvalidity != j->dst_uidvalidity) {
		sync_slog(x, "folder '%s': target folder changed; no late copies to look for", f->fp->name);
		mg_journal_retire_watches(j, keep_none, NULL);
	}
	if (!j->n_intents)
		return mg_journal_flush(j, err);
	if (!j->dst_mark || x->tgt->sel.uidvalidity != j->dst_uidvalidity) {
		sync_slog(x, "folder '%s': target folder changed; %zu unconfirmed appends are redone",
		     f->fp->name, j->n_intents);
		mg_journal_clear_intents(j);
		return mg_journal_flush(j, err);
	}
	/* Every unconfirmed append may still be stored later by the dead run's
	 * server session, whatever we find now: watch for such late copies
	 * (sync_tgt_sweep removes them).  Journalled before the intents are
	 * cleared, so no crash can forget them. */
	int64_t now = (int64_t)time(NULL);
	for (size_t q = 0; q < j->n_intents; q++)
		mg_journal_watch(j, j->intents[q].size, j->intents[q].hash, j->dst_mark, now);
	if (mg_journal_flush(j, err) < 0)
		return -1;
	/* The killed run's server session may still be storing APPENDs it had
	 * already received (pipelined literals sit in its socket buffer after
	 * our end died).  Wait until the folder is quiet: UIDNEXT unchanged for
	 * 1.5 s (at most 30 s), so that most of what will arrive has arrived and
	 * is mapped here instead of being copied again and removed later. */
	uint32_t last = 0;
	int stable = 0;
	for (int t = 0; t < 60 && stable < 3 && !sync_cancelled(x); t++) {
		mg_imap_mbox_status s;
		if (mg_imap_status(x->tgt->c, f->twire, &s, err) < 0)
			return -1;
		stable = (t && s.uidnext == last) ? stable + 1 : 0;
		last = s.uidnext;
		if (stable < 3) {
			struct timespec ts = { 0, 500000000L };
			nanosleep(&ts, NULL);
		}
	}
	size_t ni = j->n_intents;
	long long *isz = xmalloc((ni ? ni : 1) * sizeof *isz);
	for (size_t q = 0; q < ni; q++)
		isz[q] = j->intents[q].size;
	tmeta tm = { 0 };
	char (*h)[72] = NULL;
	int rc = unmapped_candidates(f, j->dst_mark, isz, ni, &tm, &h, err);
	free(isz);
	if (rc == 0) {
		size_t found = 0;
		bool *used = xcalloc(tm.n ? tm.n : 1, sizeof *used);
		/* copy intents: st_add removes entries from j->intents as we go */
		mg_jintent *iv = xmalloc((ni ? ni : 1) * sizeof *iv);
		memcpy(iv, j->intents, ni * sizeof *iv);
		for (size_t q = 0; q < ni; q++) {
			for (size_t i = 0; i < tm.n; i++) {
				if (used[i] || tm.sizes[i] != (uint64_t)iv[q].size || strcmp(h[i], iv[q].hash))
					continue;
				used[i] = true;
				char dest[16];
				snprintf(dest, sizeof dest, "%" PRIu32, tm.uids[i]);
				mg_journal_add(j, iv[q].uid, iv[q].size, iv[q].date, UNKNOWN_FLAGS, dest);
				found++;
				break;
			}
		}
		free(iv);
		free(used);
		sync_slog(x, "folder '%s': %zu of %zu interrupted appends were already at the target",
		     f->fp->name, found, ni);
		mg_journal_clear_intents(j);
		rc = mg_journal_flush(j, err);
	}
	free(h);
	free(tm.uids);
	free(tm.sizes);
	return rc;
}

/* ---- late copies: a dead run's APPEND stored after we copied again ---- */

static bool keep_none(void *arg, const mg_jwatch *w)
{
	(void)arg;
	(void)w;
	return false;
}

/* A watch is kept until a sweep that started WATCH_SECS after the append was
 * seen unconfirmed has looked: by then the dead run's connection is long
 * gone (its bytes reached the server or were dropped with it). */
static bool keep_recent(void *arg, const mg_jwatch *w)
{
	return w->since + WATCH_SECS > *(const int64_t *)arg;
}

int sync_tgt_sweep(fctx *f, mg_err *err)
{
	mg_journal *j = f->j;
	sctx *x = f->x;
	if (!j->n_watches)
		return 0;
	int64_t started = (int64_t)time(NULL);
	bool unknown = !x->tgt->uidplus;
	for (size_t i = 0; i < j->n_msgs && !unknown; i++)
		unknown = strcmp(j->msgs[i].dest, "0") == 0;
	if (unknown) {
		/* without APPENDUID the journal cannot tell our copy from a late one */
		sync_slog(x, "folder '%s': the target does not give the uids of appended messages (UIDPLUS): "
		     "late copies of %zu interrupted appends cannot be told apart from the copies made "
		     "since and are not removed",
		     f->fp->name, j->n_watches);
		mg_journal_retire_watches(j, keep_recent, &started);
		return mg_journal_flush(j, err);
	}
	uint32_t min = UINT32_MAX;
	long long *wsz = xmalloc(j->n_watches * sizeof *wsz);
	for (size_t q = 0; q < j->n_watches; q++) {
		wsz[q] = j->watches[q].size;
		if (j->watches[q].mark < min)
			min = j->watches[q].mark;
	}
	tmeta tm = { 0 };
	char (*h)[72] = NULL;
	int rc = unmapped_candidates(f, min, wsz, j->n_watches, &tm, &h, err);
	free(wsz);
	uint32_t *late = xmalloc((tm.n ? tm.n : 1) * sizeof *late);
	size_t nl = 0;
	for (size_t i = 0; rc == 0 && i < tm.n; i++)
		for (size_t q = 0; q < j->n_watches; q++) {
			const mg_jwatch *w = &j->watches[q];
			if (tm.uids[i] >= w->mark && tm.sizes[i] == (uint64_t)w->size && strcmp(h[i], w->hash) == 0) {
				late[nl++] = tm.uids[i];
				break;
			}
		}
	if (rc == 0 && nl) {
		qsort(late, nl, sizeof *late, cmp_u32);
		char *set = mg_imap_uid_set(late, nl);
		rc = mg_imap_uid_store_flags(x->tgt->c, set, '+', "\\Deleted", err);
		if (rc == 0)
			rc = mg_imap_uid_expunge(x->tgt->c, set, err);
		if (rc == 0)
			sync_slog(x, "folder '%s': removed %zu late copies of interrupted appends (stored by a "
			     "stopped run's server session after they had been copied again)", f->fp->name, nl);
		else
			mg_err_prefix(err, "cannot remove %zu late copies of interrupted appends in '%s'", nl,
			              f->fp->name);
		free(set);
	}
	free(late);
	free(h);
	free(tm.uids);
	free(tm.sizes);
	if (rc < 0)
		return -1;
	mg_journal_retire_watches(j, keep_recent, &started);
	return mg_journal_flush(j, err);
}
