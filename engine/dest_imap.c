/*
 * dest_imap.c - the IMAP destination (engine/dest.h): a target account
 * (imap_target.c holds the login, namespace and folder list).  Copy a chunk
 * of source messages: keep small bodies in memory and spool the rest to a
 * file (bounded memory), journal the intent, APPEND (MULTIAPPEND batches or
 * pipelined by the client; spooled messages can be rewound for a resend),
 * then sync_commit journals the APPENDUID results; after a crash, reconcile
 * unconfirmed appends by content hash, and at the end of each pass (settle)
 * remove late copies of them that a dead run's server session stored after
 * they were copied again (see the CRASH SAFETY comment in sync.c).  A
 * message's reference is its target UID in decimal ("0": the server gave
 * none, no UIDPLUS).
 */
#include "config.h"
#include "engine/dest_internal.h"
#include "engine/imap_target.h"
#include "common/fileio.h"
#include "common/mem.h"
#include "common/str.h"
#include "net/imap_subscribe.h"
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
#define APPEND_GROUP 100     /* = the client's MULTIAPPEND batch; intents cover the whole chunk */
#define UNKNOWN_FLAGS "\\migsh-unknown"
#define MEM_MSG_MAX   (1u << 20)    /* messages up to this size stay in memory ... */
#define MEM_CHUNK_MAX (4u << 20)    /* ... up to this much per chunk (per user copied at once); the rest is spooled */
/* reconcile waits for three of these without a new UIDNEXT (a testability
 * hook: the target unit test, tests/unit/test_sync_mem_target, compiles this
 * file with a shorter one; migsh never does) */
#ifndef MG_TGT_QUIET_NS
#define MG_TGT_QUIET_NS 500000000L
#endif

typedef struct im_dest {
	const mg_sync_job *job;
	mg_itarget *tgt;
} im_dest;

typedef struct spooled {
	item *it; off_t off; uint64_t len; char hash[72];
	char *mem; uint64_t mcap;   /* small message kept in memory (mem != NULL) */
} spooled;

typedef struct im_folder {
	fctx *f;
	mg_itarget *tgt;
	char *twire;              /* the target folder's wire name (selected) */
	item *cur;
	bool writing;
	hasher h;
	mg_err cb_err;
	bool cb_failed;
	int spool_fd;
	char *spool_path;
	spooled *sp; size_t n_sp, cap_sp;
	off_t spool_end;
	uint64_t mem_used;        /* bytes of this chunk kept in memory */
} im_folder;

static im_dest *S(const mg_dest *d) { return d->state; }
static im_folder *F(const fctx *f) { return f->dfolder; }

/* ---- imap target: spool + append ---- */

static int sp_begin(void *arg, uint32_t uid, uint64_t size)
{
	im_folder *f = arg;
	if (sync_cancelled(f->f->x))
		return -1;
	f->cur = sync_find_item(f->f->items, f->f->n_items, uid);
	f->writing = f->cur != NULL;
	if (!f->writing)
		return 0;
	GROW(f->sp, f->cap_sp, f->n_sp + 1);
	spooled *s = &f->sp[f->n_sp];
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

static int spool_write(im_folder *f, spooled *s, const char *p, size_t len)
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
	im_folder *f = arg;
	(void)uid;
	f->f->x->st->bytes_transferred += (long long)len;
	if (!f->writing)
		return 0;
	sync_hash_add(&f->h, chunk, len);
	spooled *s = &f->sp[f->n_sp];
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
	im_folder *f = arg;
	(void)uid;
	if (!f->writing)
		return 0;
	f->writing = false;
	sync_hash_end(&f->h, f->sp[f->n_sp].hash);
	f->n_sp++;
	return 0;
}

static void sp_missing(void *arg, uint32_t uid, const char *reason)
{
	sync_bad_missing(((im_folder *)arg)->f, uid, reason);
}

typedef struct sp_reader { im_folder *f; spooled *s; uint64_t pos; } sp_reader;

/* MULTIAPPEND resends a refused batch message by message: start again at byte 0 */
static int sp_rewind(void *arg)
{
	sp_reader *r = arg;
	r->pos = 0;
	return 0;
}

/* free the in-memory messages of the chunk (also one cut short by an error) */
static void sp_release(im_folder *f)
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
static char *spool_subject(im_folder *f, const spooled *s)
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

static mg_dscope im_set_flags(fctx *f, const char *ref, const char *flags, mg_err *err)
{
	if (strcmp(ref, "0") == 0)
		return MG_DS_OK;      /* no UIDPLUS: the target uid is unknown */
	return mg_imap_uid_store_flags(F(f)->tgt->c, ref, '=', flags, err) < 0 ? sync_fail_scope(f) : MG_DS_OK;
}

/* APPEND msgs[0..n) (readers rd).  Messages the server refused only to ask
 * for a slower pace (imap_throttle.h) are not bad items: they are sent again
 * after the wait it asked for (ends early on stop), at most
 * MG_THROTTLE_TRIES times; then the chunk fails with a retryable error.
 * A throttled NO means the message was not stored, and the intents of the
 * chunk still cover the resend. */
static int append_paced(im_folder *im, const mg_imap_append_msg *msgs, sp_reader *rd, size_t n,
                        mg_imap_append_result *res, mg_err *err)
{
	fctx *f = im->f;
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
		if (mg_imap_append_many(im->tgt->c, im->twire, sub, m, sr, err) < 0)
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

static mg_dscope im_copy_chunk(fctx *f, item **chunk, size_t n, mg_err *err)
{
	sctx *x = f->x;
	im_folder *m = F(f);
	uint32_t *uids = xmalloc((n ? n : 1) * sizeof *uids);
	uint64_t *sizes = xmalloc((n ? n : 1) * sizeof *sizes);
	for (size_t i = 0; i < n; i++) {
		uids[i] = chunk[i]->uid;
		sizes[i] = chunk[i]->size;
	}
	mg_dscope sc = MG_DS_DEST;
	m->n_sp = 0;
	m->spool_end = 0;
	m->mem_used = 0;
	if (ftruncate(m->spool_fd, 0) < 0) {
		mg_err_sys(err, MGC_WRITE, "SpoolWrite", "cannot reset spool file '%s'", m->spool_path);
		goto out;
	}
	mg_imap_body_cb cb = { sp_begin, sp_data, sp_end, sp_missing, m };
	m->cb_failed = false;
	int rc = sync_fetch_bodies(f, uids, sizes, n, &cb, err);
	if (m->writing) {        /* stopped inside a message: drop its partial copy */
		free(m->sp[m->n_sp].mem);
		m->sp[m->n_sp].mem = NULL;
	}
	m->writing = false;
	if (rc < 0) {
		if (m->cb_failed)
			mg_err_copy(err, &m->cb_err);
		sc = sync_fail_scope(f);
		goto out;
	}
	/* rescan: messages already at the target under an old UIDVALIDITY */
	size_t k = 0;
	for (size_t i = 0; i < m->n_sp; i++) {
		spooled *s = &m->sp[i];
		long oi = f->j->n_orphans ? sync_find_orphan(f, s->it->size, s->hash) : -1;
		if (oi < 0) {
			m->sp[k++] = *s;
			continue;
		}
		if ((sc = sync_use_orphan(f, s->it, (size_t)oi, err)) != MG_DS_OK)
			goto out;
		free(s->mem);
		s->mem = NULL;
	}
	m->n_sp = k;
	if ((sc = sync_commit(f, err)) != MG_DS_OK || !m->n_sp)
		goto out;
	sc = MG_DS_DEST;
	/* intent first */
	mg_imap_mbox_status ts;
	if (mg_imap_status(m->tgt->c, m->twire, &ts, err) < 0) {
		sc = sync_fail_scope(f);
		goto out;
	}
	mg_journal_mark(f->j, ts.uidnext);
	for (size_t i = 0; i < m->n_sp; i++)
		mg_journal_intent(f->j, m->sp[i].it->uid, (long long)m->sp[i].len, m->sp[i].it->date,
		                  m->sp[i].hash);
	if (mg_journal_flush(f->j, err) < 0)
		goto out;
	for (size_t g = 0; g < m->n_sp; g += APPEND_GROUP) {
		size_t gn = m->n_sp - g < APPEND_GROUP ? m->n_sp - g : APPEND_GROUP;
		mg_imap_append_msg msgs[APPEND_GROUP];
		mg_imap_append_result res[APPEND_GROUP];
		sp_reader rd[APPEND_GROUP];
		char *dates[APPEND_GROUP];
		memset(msgs, 0, sizeof msgs);
		memset(res, 0, sizeof res);
		for (size_t i = 0; i < gn; i++) {
			spooled *s = &m->sp[g + i];
			rd[i] = (sp_reader){ m, s, 0 };
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
		rc = append_paced(m, msgs, rd, gn, res, err);
		for (size_t i = 0; i < gn; i++)
			free(dates[i]);
		if (rc < 0) {
			sc = sync_fail_scope(f);
			goto out;
		}
		for (size_t i = 0; i < gn; i++) {
			item *it = m->sp[g + i].it;
			if (res[i].ok) {
				char dest[16];
				snprintf(dest, sizeof dest, "%" PRIu32, res[i].uid);
				sync_copied(f, it->uid, dest, false);
			} else {
				f->fs.bad++;
				char *r = xasprintf("the target refused it: %s", res[i].text);
				sync_fskip(&f->fs, f->fp->name, it, "TargetRejected", r);
				free(r);
				f->fs.sk[f->fs.n_sk - 1].subject = spool_subject(m, &m->sp[g + i]);
			}
		}
		/* the server's OK is durability: sync_commit journals the M records */
		if ((sc = sync_commit(f, err)) != MG_DS_OK)
			goto out;
		sc = MG_DS_DEST;
		sync_progress(x, false);
		if (sync_cancelled(x))
			break;
	}
	mg_journal_clear_intents(f->j);
	sc = mg_journal_flush(f->j, err) < 0 ? MG_DS_DEST : MG_DS_OK;
out:
	sync_dn_clear(f);
	sp_release(m);
	free(uids);
	free(sizes);
	return sc;
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
static int target_hashes(im_folder *m, uint32_t *uids, size_t n, char (*hash)[72], mg_err *err)
{
	th_ctx t = { uids, hash, n, { 0 }, -1 };
	for (size_t i = 0; i < n; i++)
		snprintf(hash[i], 72, "missing");
	mg_imap_body_cb cb = { th_begin, th_data, th_end, NULL, &t };
	int rc = n ? mg_imap_fetch_bodies(m->tgt->c, uids, NULL, n, &cb, err) : 0;
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
static int unmapped_candidates(im_folder *m, uint32_t min, const long long *sizes, size_t ns, tmeta *tm,
                               char (**hash)[72], mg_err *err)
{
	char set[32];
	snprintf(set, sizeof set, "%" PRIu32 ":*", min ? min : 1);
	tm->min = min;
	*hash = NULL;
	if (mg_imap_fetch_meta(m->tgt->c, set, 0, tmeta_cb, tm, err) < 0)
		return -1;
	size_t nm;
	uint32_t *mapped = mapped_uids(m->f->j, &nm);
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
	return target_hashes(m, tm->uids, tm->n, *hash, err);
}

/* After a crash between intent and M: find what the target already has. */
static int reconcile(fctx *f, mg_err *err)
{
	mg_journal *j = f->j;
	sctx *x = f->x;
	im_folder *m = F(f);
	if (j->n_watches && j->dst_uidvalidity && m->tgt->sel.uidvalidity != j->dst_uidvalidity) {
		sync_slog(x, "folder '%s': target folder changed; no late copies to look for", f->fp->name);
		mg_journal_retire_watches(j, keep_none, NULL);
	}
	if (!j->n_intents)
		return mg_journal_flush(j, err);
	if (!j->dst_mark || m->tgt->sel.uidvalidity != j->dst_uidvalidity) {
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
		if (mg_imap_status(m->tgt->c, m->twire, &s, err) < 0)
			return -1;
		stable = (t && s.uidnext == last) ? stable + 1 : 0;
		last = s.uidnext;
		if (stable < 3) {
			struct timespec ts = { 0, MG_TGT_QUIET_NS };
			nanosleep(&ts, NULL);
		}
	}
	size_t ni = j->n_intents;
	long long *isz = xmalloc((ni ? ni : 1) * sizeof *isz);
	for (size_t q = 0; q < ni; q++)
		isz[q] = j->intents[q].size;
	tmeta tm = { 0 };
	char (*h)[72] = NULL;
	int rc = unmapped_candidates(m, j->dst_mark, isz, ni, &tm, &h, err);
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

static int sweep(fctx *f, mg_err *err)
{
	mg_journal *j = f->j;
	sctx *x = f->x;
	im_folder *m = F(f);
	if (!j->n_watches)
		return 0;
	int64_t started = (int64_t)time(NULL);
	bool unknown = !m->tgt->uidplus;
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
	int rc = unmapped_candidates(m, min, wsz, j->n_watches, &tm, &h, err);
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
		rc = mg_imap_uid_store_flags(m->tgt->c, set, '+', "\\Deleted", err);
		if (rc == 0)
			rc = mg_imap_uid_expunge(m->tgt->c, set, err);
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

/* ---- the destination ---- */

static mg_dscope im_open(mg_dest *d, sctx *x, mg_err *err)
{
	im_dest *s = S(d);
	const mg_sync_job *job = s->job;
	if (!s->tgt) {
		if (mg_itarget_open(job, &s->tgt, err) < 0) {
			if (err)
				err->side = MG_SIDE_TARGET;
			return MG_DS_DEST;
		}
		sync_slog(x, "connected to target %s:%d as %s", job->dst->host, job->dst->port,
		          job->dst_authz ? job->dst_authz : job->dst_user);
	}
	d->sep = s->tgt->sep;
	d->max_name_bytes = 1000;
	for (int r = MG_ROLE_SENT; r < MG_ROLE_COUNT; r++)
		d->role_name[r] = s->tgt->role_name[r];
	return MG_DS_OK;
}

static void im_close(mg_dest *d)
{
	im_dest *s = S(d);
	mg_itarget_close(s->tgt);
	s->tgt = NULL;
	for (int r = 0; r < MG_ROLE_COUNT; r++)
		d->role_name[r] = NULL;
}

static void im_free(mg_dest *d)
{
	free(d->state);
	d->state = NULL;
}

/* Did the target refuse the folder's name (rather than fail)?  A NO to
 * CREATE that is about the server's state is not a refusal of the name. */
static bool name_refused(const mg_err *e)
{
	if (!e || !e->set)
		return false;
	if (e->code == MGE_FolderNameInvalid)
		return true;
	if (e->code != MGE_CreateFailed)
		return false;
	static const char *const state[] = { "[UNAVAILABLE]", "[OVERQUOTA]", "[LIMIT]", "[INUSE]",
	                                     "[SERVERBUG]", "[THROTTLED]", NULL };
	for (int i = 0; state[i]; i++)
		if (strstr(e->msg, state[i]))
			return false;
	return true;
}

/* The reason shown for a refused name: the cause, whole, without the (maybe
 * very long) name the message repeats. */
static mg_dscope refused(mg_err *e)
{
	if (e->sys_errno)
		return dest_refused(e, xasprintf("the destination file system refused the folder name: %s",
		                                 strerror(e->sys_errno)));
	const char *said = strstr(e->msg, " answered ");
	if (e->code == MGE_CreateFailed && said)
		return dest_refused(e, xasprintf("the target server refused to create the folder: it%s", said));
	return dest_refused(e, xasprintf("the destination refused the folder name: %s", e->msg));
}

static mg_dscope im_folder_open(fctx *f, mg_err *err)
{
	im_folder *m = xcalloc(1, sizeof *m);
	m->f = f;
	m->tgt = S(f->x->dest)->tgt;
	m->spool_fd = -1;
	f->dfolder = m;
	if (mg_itarget_ensure(m->tgt, f->fp->comps, f->fp->n_comps, err) < 0)
		return name_refused(err) ? refused(err) : sync_fail_scope(f);
	if (mg_itarget_wire(m->tgt, f->fp->comps, f->fp->n_comps, &m->twire, err) < 0 ||
	    mg_itarget_select(m->tgt, m->twire, true, err) < 0)
		return sync_fail_scope(f);
	mg_journal *j = f->j;
	if (j->dst_uidvalidity && j->dst_uidvalidity != m->tgt->sel.uidvalidity && (j->n_msgs || j->n_orphans)) {
		mg_err_set(err, MGC_INVALIDOP, "TargetFolderRecreated",
		           "target folder '%s' was recreated (UIDVALIDITY %" PRIu32 " -> %" PRIu32
		           "); remove the user's sync state (%s) to copy it again",
		           m->twire, j->dst_uidvalidity, m->tgt->sel.uidvalidity, j->path);
		return MG_DS_DEST;
	}
	m->spool_path = mg_path_join(S(f->x->dest)->job->state_dir, "spool.tmp");
	m->spool_fd = open(m->spool_path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (m->spool_fd < 0) {
		mg_err_sys(err, MGC_WRITE, "SpoolOpen", "cannot create spool file '%s'", m->spool_path);
		return MG_DS_DEST;
	}
	return MG_DS_OK;
}

/* appends a crash left unconfirmed, settled under the UIDVALIDITY they were made with */
static mg_dscope im_reconcile(fctx *f, mg_err *err)
{
	if (reconcile(f, err) < 0)
		return sync_fail_scope(f);
	mg_journal_set_dst_uidvalidity(f->j, F(f)->tgt->sel.uidvalidity);
	return MG_DS_OK;
}

static void im_folder_close(fctx *f)
{
	im_folder *m = F(f);
	if (!m)
		return;
	sp_release(m);
	free(m->sp);
	sync_hash_free(&m->h);
	if (m->spool_fd >= 0) {
		close(m->spool_fd);
		unlink(m->spool_path);
	}
	free(m->spool_path);
	free(m->twire);
	free(m);
	f->dfolder = NULL;
}

static mg_dscope im_durable(fctx *f, mg_err *err)
{
	(void)f;
	(void)err;
	return MG_DS_OK;      /* the server's OK to APPEND / STORE is its promise */
}

static mg_dscope im_lookup(fctx *f, const item *it, char **ref, mg_err *err)
{
	(void)f;
	(void)it;
	(void)ref;
	(void)err;
	return MG_DS_MESSAGE;    /* unconfirmed appends are found by reconcile, by content */
}

static mg_dscope im_hash_copies(fctx *f, const char *const *refs, size_t n, char (*out)[72], mg_err *err)
{
	uint32_t *uids = xmalloc((n ? n : 1) * sizeof *uids);
	for (size_t i = 0; i < n; i++)
		uids[i] = (uint32_t)strtoul(refs[i], NULL, 10);
	int rc = target_hashes(F(f), uids, n, out, err);
	free(uids);
	return rc < 0 ? sync_fail_scope(f) : MG_DS_OK;
}

static mg_dscope im_remove(fctx *f, const char *const *refs, size_t n, bool *gone, mg_err *err)
{
	mg_imap *c = F(f)->tgt->c;
	uint32_t *t = xmalloc((n ? n : 1) * sizeof *t);
	size_t nt = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t tu = (uint32_t)strtoul(refs[i], NULL, 10);
		gone[i] = false;
		if (tu)
			t[nt++] = tu;         /* 0: the target gave no uid (no UIDPLUS): left */
	}
	qsort(t, nt, sizeof *t, cmp_u32);
	int rc = 0;
	for (size_t pos = 0; rc == 0 && pos < nt;) {
		char *set = sync_uidset_next(t, nt, &pos, 4000);
		rc = mg_imap_uid_store_flags(c, set, '+', "\\Deleted", err);
		if (rc == 0)
			rc = mg_imap_uid_expunge(c, set, err);
		free(set);
	}
	free(t);
	if (rc < 0)
		return err->category == MGC_INVALIDOP ? MG_DS_FOLDER : sync_fail_scope(f);
	for (size_t i = 0; i < n; i++)
		gone[i] = strtoul(refs[i], NULL, 10) != 0;
	return MG_DS_OK;
}

static mg_dscope im_settle(fctx *f, mg_err *err)
{
	return sweep(f, err) < 0 ? sync_fail_scope(f) : MG_DS_OK;    /* late copies of interrupted appends */
}

/* ---- folders ---- */

static bool target_has(const mg_itarget *t, const char *wire)
{
	for (size_t i = 0; i < t->n_list; i++)
		if (strcmp(t->list[i].wire, wire) == 0)
			return true;
	return false;
}

/* the target's folder list after RENAME: the folder and its subfolders moved */
static void target_renamed(mg_itarget *t, const char *from, const char *to)
{
	size_t fl = strlen(from);
	for (size_t i = 0; i < t->n_list; i++) {
		char *w = t->list[i].wire;
		if (strncmp(w, from, fl) != 0 || (w[fl] && w[fl] != t->sep))
			continue;
		char *nw = xasprintf("%s%s", to, w + fl);
		free(t->list[i].wire);
		t->list[i].wire = nw;
	}
}

static mg_dscope im_rename_folder(mg_dest *d, sctx *x, char *const *from, size_t nf, char *const *to,
                                  size_t nt, mg_err *err)
{
	mg_itarget *t = S(d)->tgt;
	char *wa = NULL, *wb = NULL;
	mg_dscope sc = MG_DS_FOLDER;
	if (mg_itarget_wire(t, from, nf, &wa, err) < 0 || mg_itarget_wire(t, to, nt, &wb, err) < 0) {
		sc = MG_DS_DEST;
	} else if (!target_has(t, wa) && target_has(t, wb)) {
		sc = MG_DS_OK;                     /* moved with its parent, or before a crash */
	} else if (target_has(t, wa) && !target_has(t, wb)) {
		if (t->selected && strcmp(t->selected, wa) == 0) {
			free(t->selected);     /* never RENAME the selected folder */
			t->selected = NULL;
		}
		if (mg_imap_rename(t->c, wa, wb, err) == 0) {
			target_renamed(t, wa, wb);
			sc = MG_DS_OK;
		} else if (err->category == MGC_INVALIDOP) {
			sync_slog(x, "the target refused to rename '%s' to '%s': %s", wa, wb, err->msg);
			mg_err_clear(err);
		} else {
			sc = MG_DS_DEST;
		}
	}
	free(wa);
	free(wb);
	return sc;
}

static bool listed(char **v, size_t n, const char *wire)
{
	bool inbox = strcasecmp(wire, "INBOX") == 0;
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], wire) == 0 || (inbox && strcasecmp(v[i], "INBOX") == 0))
			return true;
	return false;
}

/* SUBSCRIBE what the target does not list yet (a target subscription is
 * never removed: the user may have made it there) */
static mg_dscope im_subscribe(mg_dest *d, sctx *x, const mg_dest_folder_ref *want, size_t n_want,
                              mg_err *err)
{
	mg_itarget *t = S(d)->tgt;
	char **have = NULL;
	size_t n_have = 0, added = 0;
	if (mg_imap_lsub(t->c, "*", &have, &n_have, err) < 0) {
		if (err->category != MGC_INVALIDOP && err->category != MGC_PROTOCOL)
			return MG_DS_DEST;
		sync_slog(x, "subscriptions not carried: the %s refused LSUB: %s", "target", err->msg);
		mg_err_clear(err);
		return MG_DS_OK;
	}
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < n_want; i++) {
		char *wire = NULL;
		if (mg_itarget_wire(t, want[i].comps, want[i].n, &wire, err) < 0) {
			rc = -1;
			break;
		}
		if (!listed(have, n_have, wire)) {
			if (mg_imap_subscribe(t->c, wire, err) == 0) {
				added++;
			} else if (err->category == MGC_INVALIDOP) {
				sync_slog(x, "folder '%s' not subscribed at the target: %s", wire, err->msg);
				mg_err_clear(err);
			} else {
				rc = -1;
			}
		}
		free(wire);
	}
	if (rc == 0)
		sync_slog(x, "subscriptions: %zu migrated folder(s) subscribed at the source, %zu newly "
		          "subscribed at the target", n_want, added);
	mg_imap_lsub_free(have, n_have);
	return rc < 0 ? MG_DS_DEST : MG_DS_OK;
}

/* ---- moves (sync_moves.c has the order and the crash-safety argument) ----
 * UID MOVE when offered, else UID COPY + UID STORE \Deleted + UID EXPUNGE of
 * exactly the moved uids; COPYUID gives the new target uid.  Not atomic and
 * the new uid is unknown beforehand: intents (the moved copy is then an
 * interrupted append of the new folder, settled by its reconcile/sweep). */

static int mv_select(mg_itarget *t, char *const *comps, size_t nc, char **wire, mg_err *err)
{
	if (mg_itarget_wire(t, comps, nc, wire, err) < 0)
		return -1;
	return mg_itarget_select(t, *wire, true, err);
}

/* A NO from the target (a folder that is gone, a name it refuses) makes the
 * messages concerned not movable (they are copied as before): true then,
 * err cleared. */
static bool mv_refused(mg_err *err)
{
	if (!err || !err->set || (err->category != MGC_NOTFOUND && err->category != MGC_INVALIDOP))
		return false;
	mg_err_clear(err);
	return true;
}

static mg_dscope mv_message_ids(mg_dest *d, sctx *x, char *const *comps, size_t nc, char *const *refs,
                                size_t n, char **mids, mg_err *err)
{
	(void)x;
	mg_itarget *t = S(d)->tgt;
	char *w = NULL;
	int rc = mv_select(t, comps, nc, &w, err);
	free(w);
	if (rc < 0)
		return mv_refused(err) ? MG_DS_OK : MG_DS_DEST;    /* no Message-IDs: nothing is moved */
	uint32_t *u = xmalloc((n ? n : 1) * sizeof *u), *q = xmalloc((n ? n : 1) * sizeof *q);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		u[i] = (uint32_t)strtoul(refs[i], NULL, 10);
		if (u[i])
			q[k++] = u[i];
	}
	mid_ctx c = { u, mids, n };
	rc = mg_imap_fetch_header_fields(t->c, q, k, "MESSAGE-ID", sync_mid_cb, &c, err);
	free(q);
	free(u);
	return rc < 0 ? MG_DS_DEST : MG_DS_OK;
}

static mg_dscope mv_prepare(mg_dest *d, sctx *x, const mg_folder_plan *a, const mg_folder_plan *b,
                            uint32_t uidv_a, mg_dest_move *v, size_t n, uint32_t *mark, uint32_t *uidv,
                            mg_err *err)
{
	(void)x;
	mg_itarget *t = S(d)->tgt;
	char *wa = NULL, *wb = NULL;
	mg_dscope sc = MG_DS_DEST;
	if (!t->uidplus) {        /* the new copy's uid would be unknown */
		for (size_t i = 0; i < n; i++)
			v[i].drop = true;
		return MG_DS_OK;
	}
	if (mg_itarget_ensure(t, b->comps, b->n_comps, err) < 0 ||
	    mg_itarget_wire(t, b->comps, b->n_comps, &wb, err) < 0 ||
	    mv_select(t, a->comps, a->n_comps, &wa, err) < 0) {
		if (mv_refused(err)) {
			for (size_t i = 0; i < n; i++)
				v[i].drop = true;
			sc = MG_DS_OK;
		}
		goto out;
	}
	uint32_t *u = xmalloc((n ? n : 1) * sizeof *u);
	for (size_t i = 0; i < n; i++) {
		u[i] = (uint32_t)strtoul(v[i].ref, NULL, 10);
		v[i].drop = !u[i] || t->sel.uidvalidity != uidv_a;
	}
	char (*h)[72] = xcalloc(n ? n : 1, 72);
	im_folder tmp = { .tgt = t };
	int rc = target_hashes(&tmp, u, n, h, err);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		if (!strcmp(h[i], "missing"))
			v[i].drop = true;
		memcpy(v[i].hash, h[i], 72);
	}
	free(h);
	free(u);
	mg_imap_mbox_status st;
	if (rc == 0 && (rc = mg_imap_status(t->c, wb, &st, err)) == 0) {
		*mark = st.uidnext;
		*uidv = st.uidvalidity;
		sc = MG_DS_OK;
	}
out:
	free(wa);
	free(wb);
	return sc;
}

static mg_dscope mv_move(mg_dest *d, sctx *x, const mg_folder_plan *a, const mg_folder_plan *b,
                         uint32_t src_uidv_b, uint32_t dst_uidv_b, mg_dest_move *v, size_t n, mg_err *err)
{
	(void)x; (void)src_uidv_b;
	mg_itarget *t = S(d)->tgt;
	char *wa = NULL, *wb = NULL;
	mg_dscope sc = MG_DS_DEST;
	uint32_t *u = xmalloc((n ? n : 1) * sizeof *u);
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (!v[i].drop)
			u[k++] = (uint32_t)strtoul(v[i].ref, NULL, 10);
	if (mg_itarget_wire(t, b->comps, b->n_comps, &wb, err) < 0 ||
	    mv_select(t, a->comps, a->n_comps, &wa, err) < 0)
		goto out;
	qsort(u, k, sizeof *u, cmp_u32);
	char *set = mg_imap_uid_set(u, k);
	mg_imap_copyuid map;
	int rc = mg_imap_uid_move(t->c, set, wb, &map, err);
	free(set);
	if (rc < 0) {
		/* refused: the intents in B and the pending entries settle it (B's pass
		 * finds what arrived or copies it; then the copy in A goes) */
		if (mv_refused(err))
			sc = MG_DS_OK;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		uint32_t su = (uint32_t)strtoul(v[i].ref, NULL, 10);
		for (size_t q = 0; !v[i].drop && map.uidvalidity == dst_uidv_b && q < map.n; q++)
			if (map.src[q] == su) {
				v[i].new_ref = xasprintf("%" PRIu32, map.dst[q]);
				break;
			}
	}
	mg_imap_copyuid_free(&map);
	free(t->selected);     /* the folder changed: SELECT it again before use */
	t->selected = NULL;
	sc = MG_DS_OK;
out:
	free(u);
	free(wa);
	free(wb);
	return sc;
}

static mg_dscope mv_remove_one(mg_dest *d, sctx *x, char *const *comps, size_t nc, uint32_t dst_uidv,
                               const char *ref, mg_err *err)
{
	(void)x;
	mg_itarget *t = S(d)->tgt;
	uint32_t u = (uint32_t)strtoul(ref, NULL, 10);
	char *w = NULL;
	int rc = mv_select(t, comps, nc, &w, err);
	free(w);
	if (rc < 0)
		return mv_refused(err) ? MG_DS_OK : MG_DS_DEST;   /* the folder is gone, and the copy with it */
	if (!u || t->sel.uidvalidity != dst_uidv)
		return MG_DS_OK;             /* not ours to touch any more */
	char set[16];
	snprintf(set, sizeof set, "%" PRIu32, u);
	rc = mg_imap_uid_store_flags(t->c, set, '+', "\\Deleted", err);
	if (rc == 0)
		rc = mg_imap_uid_expunge(t->c, set, err);
	return rc < 0 ? MG_DS_DEST : MG_DS_OK;
}

static const mg_dest_move_ops imap_moves = {
	.intents = true,
	.same_folder = false,     /* no MOVE into the folder itself */
	.message_ids = mv_message_ids,
	.prepare = mv_prepare,
	.planned_ref = NULL,
	.move = mv_move,
	.remove_one = mv_remove_one,
	.has = NULL,
};

static const mg_dest_ops imap_ops = {
	.kind = "imap",
	.open = im_open,
	.close = im_close,
	.free = im_free,
	.folder_open = im_folder_open,
	.reconcile = im_reconcile,
	.copy_chunk = im_copy_chunk,
	.set_flags = im_set_flags,
	.durable = im_durable,
	.lookup = im_lookup,
	.hash_copies = im_hash_copies,
	.remove = im_remove,
	.settle = im_settle,
	.folder_close = im_folder_close,
	.rename_folder = im_rename_folder,
	.subscribe = im_subscribe,
	.moves = &imap_moves,
};

int mg_dest_imap_init(const mg_sync_job *job, mg_dest *d, mg_err *err)
{
	(void)err;
	im_dest *s = xcalloc(1, sizeof *s);
	s->job = job;
	d->ops = &imap_ops;
	d->state = s;
	d->describe = xasprintf("%s@%s:%d", job->dst_authz ? job->dst_authz : job->dst_user,
	                        job->dst->host, job->dst->port);
	return 0;
}
