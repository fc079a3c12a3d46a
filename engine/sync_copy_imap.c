/*
 * sync_copy_imap.c - copy a chunk of source messages to a target IMAP
 * folder: keep small bodies in memory and spool the rest to a file (bounded
 * memory), journal the intent, APPEND (MULTIAPPEND batches or pipelined by
 * the client; spooled messages can be rewound for a resend), journal
 * APPENDUID results; and after a
 * crash, reconcile unconfirmed appends by content hash (see sync.c).
 */
#include "config.h"
#include "engine/sync_internal.h"
#include "common/fileio.h"
#include "common/mem.h"
#include "common/str.h"

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
		rc = mg_imap_append_many(x->tgt->c, f->twire, msgs, gn, res, err);
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

/* After a crash between intent and M: find what the target already has. */
int sync_tgt_reconcile(fctx *f, mg_err *err)
{
	mg_journal *j = f->j;
	sctx *x = f->x;
	if (!j->n_intents)
		return 0;
	if (!j->dst_mark || x->tgt->sel.uidvalidity != j->dst_uidvalidity) {
		sync_slog(x, "folder '%s': target folder changed; %zu unconfirmed appends are redone",
		     f->fp->name, j->n_intents);
		mg_journal_clear_intents(j);
		return mg_journal_flush(j, err);
	}
	/* The killed run's server session may still be storing APPENDs it had
	 * already received (pipelined literals sit in its socket buffer after
	 * our end died).  Wait until the folder is quiet: UIDNEXT unchanged for
	 * 1.5 s (at most 30 s), so everything that will arrive has arrived. */
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
	tmeta tm = { .min = j->dst_mark };
	char set[32];
	snprintf(set, sizeof set, "%" PRIu32 ":*", j->dst_mark);
	int rc = mg_imap_fetch_meta(x->tgt->c, set, 0, tmeta_cb, &tm, err);
	if (rc < 0)
		goto out;
	/* keep only sizes some intent has */
	size_t k = 0;
	for (size_t i = 0; i < tm.n; i++) {
		bool want = false;
		for (size_t q = 0; q < j->n_intents && !want; q++)
			want = (uint64_t)j->intents[q].size == tm.sizes[i];
		if (want) {
			tm.uids[k] = tm.uids[i];
			tm.sizes[k++] = tm.sizes[i];
		}
	}
	tm.n = k;
	char (*h)[72] = xcalloc(tm.n ? tm.n : 1, 72);
	rc = sync_target_hashes(x, tm.uids, tm.n, h, err);
	if (rc == 0) {
		size_t found = 0;
		bool *used = xcalloc(tm.n ? tm.n : 1, sizeof *used);
		/* copy intents: st_add removes entries from j->intents as we go */
		size_t ni = j->n_intents;
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
out:
	free(tm.uids);
	free(tm.sizes);
	return rc;
}
