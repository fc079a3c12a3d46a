/*
 * sync.c - the data plane driver: mg_sync_mailbox() copies one user's
 * folders from the source IMAP server (read-only: EXAMINE, UID FETCH
 * BODY.PEEK[]) to a Maildir++ tree or a target IMAP account, and on later
 * passes carries new messages and flag changes.
 *
 * CRASH SAFETY (why SIGKILL at any instant leaves nothing missing and
 * nothing duplicated)
 *
 * State: one journal per source folder (sync_journal.c).  A record counts
 * only when complete with a valid CRC; a torn tail is cut off at the next
 * open.  So after a crash the journal says exactly what was flushed, and
 * "M uid -> dest" is flushed only AFTER the destination copy is durable.
 * Therefore: a message the journal maps is at the destination (nothing
 * missing), and every message at the destination that the journal does not
 * map is found again before anything is copied twice (nothing duplicated):
 *
 * Maildir destination.  The file name is a pure function of the source
 * identity: BASE = date.mg<hash(source folder)>-<UIDVALIDITY>-<UID>.migsh.
 * A message is written to tmp/BASE, its mtime set, then renamed into
 * cur/BASE,S=<size>:2,<flags>; rename is atomic, so cur/ holds only complete
 * files.  After a group of messages, one syncfs() makes the group durable,
 * and only then are their M records appended and fdatasync'ed.  A crash
 * before the journal flush leaves files the journal does not know; the next
 * pass wants to copy them again, looks up BASE in the folder index, finds a
 * complete file (size matches) and records it instead of writing a second
 * copy; even if it did re-copy, the same BASE replaces the earlier file
 * (rename over it and unlink the old flag variant).  Files in tmp/ are never
 * visible as mail.  Flag changes are renames of the same BASE (the old and the
 * new name can never both exist), journalled after the group's syncfs.
 *
 * IMAP destination.  APPEND is not idempotent, so intent is journalled first:
 * before each group of APPENDs the journal gets P <target UIDNEXT> and one
 * I record per message (source uid, size, date, SHA-256 of the bytes), and is
 * fdatasync'ed.  After the server's OK the M record (with the APPENDUID uid)
 * is written.  A crash between the intent and the M record leaves I records:
 * the next pass, before copying anything in that folder, SELECTs the target
 * folder, checks its UIDVALIDITY is the one recorded, fetches every target
 * message with UID >= P whose size equals a pending intent, hashes it and
 * maps the intents it finds (nothing duplicated); intents not found are
 * simply copied again (nothing missing: the server never acknowledged them
 * durably, or we never sent them).  Then Z clears the intents.
 *
 * UIDVALIDITY change at the source: the journal's mapped messages become
 * orphans (V record); each message of the new incarnation is fetched and
 * hashed, and when an orphan with the same size and content hash exists
 * (Message-ID, date and bytes are all inside the hash) it is re-mapped to the
 * existing copy instead of being copied again.  Crash in the middle: M
 * records written so far remove their orphans at replay, the rest is redone.
 *
 * Cancel (job->cancel) is checked between messages; a stop mid-group leaves
 * the same state as a crash, which the argument above covers.
 *
 * Speed: metadata with one UID FETCH 1:* per folder, bodies with the client's
 * pipelined UID FETCH, written straight to the destination file (Maildir) or
 * a spool file (IMAP) in chunks, so memory does not grow with message size;
 * durability per group (one syncfs per up to 500 messages / 64 MiB).
 */
#include "config.h"
#include "engine/sync.h"
#include "engine/folder_map.h"
#include "engine/imap_target.h"
#include "engine/maildir_store.h"
#include "engine/sync_filter.h"
#include "engine/sync_journal.h"
#include "common/fileio.h"
#include "common/mem.h"
#include "common/str.h"
#include "net/imap_client.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CHUNK_MSGS   500
#define CHUNK_BYTES  (64LL << 20)
#define APPEND_GROUP 32
#define UNKNOWN_FLAGS "\\migsh-unknown"

/* ------------------------------------------------------------ types --- */

typedef struct item {
	uint32_t  uid;
	uint64_t  size;
	int64_t   date;
	int       tz;
	char     *flags;       /* normalized */
	mg_item_verdict v;
} item;

typedef struct fstats {
	long long in_source, bytes, synced, large, bad, filtered, over;
	mg_skipped_item *sk; size_t n_sk, cap_sk;
} fstats;

typedef struct sctx {
	const mg_sync_job *job;
	mg_sync_stats *st;
	mg_imap   *src;
	char      *src_prefix;
	char       src_sep;
	mg_imap_mailbox *list; size_t n_list;
	mg_maildir *md;
	mg_itarget *tgt;
	char     **done; size_t n_done, cap_done;
	long long  items_taken;
	long long  bad_total, large_total;
	time_t     last_progress;
} sctx;

typedef struct hasher { EVP_MD_CTX *c; } hasher;

static void hash_start(hasher *h)
{
	if (!h->c)
		h->c = EVP_MD_CTX_new();
	EVP_DigestInit_ex(h->c, EVP_sha256(), NULL);
}
static void hash_add(hasher *h, const void *p, size_t n) { EVP_DigestUpdate(h->c, p, n); }
static void hash_end(hasher *h, char out[72])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned len = 0;
	EVP_DigestFinal_ex(h->c, md, &len);
	for (unsigned i = 0; i < len && i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}
static void hash_free(hasher *h)
{
	if (h->c)
		EVP_MD_CTX_free(h->c);
	h->c = NULL;
}

/* ------------------------------------------------------------ helpers - */

static void slog(sctx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void slog(sctx *x, const char *fmt, ...)
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

static bool cancelled(const sctx *x)
{
	return x->job->cancel && *x->job->cancel;
}

static void progress(sctx *x, bool force)
{
	time_t now = time(NULL);
	if (!x->job->progress || (!force && now == x->last_progress))
		return;
	x->last_progress = now;
	x->job->progress(x->job->progress_arg, x->st);
}

static void add_skip(mg_skipped_item **v, size_t *n, size_t *cap, const char *folder, uint32_t uid,
                     long long size, int64_t date, const char *kind, const char *reason)
{
	GROW(*v, *cap, *n + 1);
	mg_skipped_item *s = &(*v)[(*n)++];
	memset(s, 0, sizeof *s);
	s->folder = xstrdup(folder);
	s->uid = uid;
	s->size = size;
	s->date = date;
	s->kind = xstrdup(kind);
	s->reason = xstrdup(reason);
}

static void fskip(fstats *fs, const char *folder, const item *it, const char *kind, const char *reason)
{
	add_skip(&fs->sk, &fs->n_sk, &fs->cap_sk, folder, it ? it->uid : 0,
	         it ? (long long)it->size : 0, it ? it->date : 0, kind, reason);
}

static void skip_free(mg_skipped_item *s)
{
	free(s->folder);
	free(s->subject);
	free(s->kind);
	free(s->reason);
}

static bool is_done(sctx *x, const char *key)
{
	for (size_t i = 0; i < x->n_done; i++)
		if (strcmp(x->done[i], key) == 0)
			return true;
	return false;
}

static void mark_done(sctx *x, const char *key)
{
	GROW(x->done, x->cap_done, x->n_done + 1);
	x->done[x->n_done++] = xstrdup(key);
}

static uint64_t fnv64(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

static char *imap_date(int64_t t, int tz)
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

static bool retryable(const mg_err *e)
{
	return strcmp(e->category, MGC_CONNECTION) == 0 || strcmp(e->category, MGC_TIMEOUT) == 0 ||
	       strcmp(e->category, MGC_PROTOCOL) == 0;
}

/* ------------------------------------------------------------ meta ---- */

typedef struct meta_acc { item *v; size_t n, cap; } meta_acc;

static int meta_cb(void *arg, const mg_imap_msg_meta *m)
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
	return 0;
}

static int cmp_item_uid(const void *a, const void *b)
{
	uint32_t x = ((const item *)a)->uid, y = ((const item *)b)->uid;
	return x < y ? -1 : x > y;
}

static void items_free(item *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].flags);
	free(v);
}

static item *find_item(item *v, size_t n, uint32_t uid)
{
	item key = { .uid = uid };
	return bsearch(&key, v, n, sizeof *v, cmp_item_uid);
}

/* ------------------------------------------------------------ folder -- */

typedef struct done_rec { uint32_t uid; char *dest; } done_rec;

typedef struct fctx {
	sctx *x;
	const mg_folder_plan *fp;
	mg_journal *j;
	fstats fs;
	item *items; size_t n_items;
	uint32_t uidvalidity;
	/* maildir */
	mg_mdfolder *mf;
	char (*ohash)[72];        /* lazily computed orphan hashes ("" = not yet) */
	/* imap target */
	char *twire;
	char (*thash)[72];        /* orphan hashes read from the target */
	/* current chunk */
	done_rec *dn; size_t n_dn, cap_dn;
	item *cur;
	mg_mdwrite w;
	bool writing;
	hasher h;
	bool rescan;
	mg_err cb_err;
	bool cb_failed;
	/* spool (imap) */
	int spool_fd;
	char *spool_path;
	struct spooled { item *it; off_t off; uint64_t len; char hash[72]; } *sp;
	size_t n_sp, cap_sp;
	off_t spool_end;
} fctx;

static void dn_add(fctx *f, uint32_t uid, const char *dest)
{
	GROW(f->dn, f->cap_dn, f->n_dn + 1);
	f->dn[f->n_dn++] = (done_rec){ uid, xstrdup(dest) };
}

static void dn_clear(fctx *f)
{
	for (size_t i = 0; i < f->n_dn; i++)
		free(f->dn[i].dest);
	f->n_dn = 0;
}

static void bad_missing(fctx *f, uint32_t uid, const char *reason)
{
	item *it = find_item(f->items, f->n_items, uid);
	if (reason && strncmp(reason, "the server did not return", 25) == 0) {
		slog(f->x, "folder '%s': message uid %" PRIu32 " disappeared at the source meanwhile",
		     f->fp->name, uid);
		return;
	}
	f->fs.bad++;
	char *r = xasprintf("the source server could not deliver it: %s", reason ? reason : "");
	fskip(&f->fs, f->fp->name, it, "BadItem", r);
	free(r);
}

/* ---- orphan matching (UIDVALIDITY change) ---- */

static int hash_file(const char *path, char out[72])
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	hasher h = { 0 };
	hash_start(&h);
	char buf[65536];
	ssize_t n;
	while ((n = read(fd, buf, sizeof buf)) > 0)
		hash_add(&h, buf, (size_t)n);
	close(fd);
	hash_end(&h, out);
	hash_free(&h);
	return n < 0 ? -1 : 0;
}

/* Index of the orphan with this size and hash, or -1. */
static long find_orphan(fctx *f, uint64_t size, const char *hash)
{
	mg_journal *j = f->j;
	for (size_t i = 0; i < j->n_orphans; i++) {
		if ((uint64_t)j->orphans[i].size != size)
			continue;
		char *oh = f->mf ? f->ohash[i] : f->thash[i];
		if (f->mf && !oh[0]) {
			const char *rel = mg_mdfolder_find(f->mf, j->orphans[i].dest, NULL);
			if (!rel) {
				snprintf(oh, 72, "missing");
				continue;
			}
			char *p = mg_path_join(mg_mdfolder_path(f->mf), rel);
			if (hash_file(p, oh) < 0)
				snprintf(oh, 72, "unreadable");
			free(p);
		}
		if (strcmp(oh, hash) == 0)
			return (long)i;
	}
	return -1;
}

static void orphan_used(fctx *f, size_t i)
{
	size_t last = f->j->n_orphans - 1;
	char (*hv)[72] = f->mf ? f->ohash : f->thash;
	if (hv && i != last)
		memcpy(hv[i], hv[last], 72);
	mg_journal_orphan_used(f->j, i);
}

/* ---- maildir body callbacks ---- */

static int md_begin(void *arg, uint32_t uid, uint64_t size)
{
	fctx *f = arg;
	(void)size;
	if (cancelled(f->x))
		return -1;
	f->cur = find_item(f->items, f->n_items, uid);
	f->writing = false;
	if (!f->cur)
		return 0;                 /* not asked for: ignore its bytes */
	char *base = mg_maildir_base(f->fp->wire, f->uidvalidity, uid, f->cur->date);
	int rc = mg_mdfolder_begin(f->mf, base, &f->w, &f->cb_err);
	free(base);
	if (rc < 0) {
		f->cb_failed = true;
		return -1;
	}
	f->writing = true;
	if (f->rescan)
		hash_start(&f->h);
	return 0;
}

static int md_data(void *arg, uint32_t uid, const void *chunk, size_t len)
{
	fctx *f = arg;
	(void)uid;
	f->x->st->bytes_transferred += (long long)len;
	if (!f->writing)
		return 0;
	if (f->rescan)
		hash_add(&f->h, chunk, len);
	if (mg_mdwrite_data(&f->w, chunk, len, &f->cb_err) < 0) {
		f->cb_failed = true;
		return -1;
	}
	return 0;
}

static int md_end(void *arg, uint32_t uid)
{
	fctx *f = arg;
	if (!f->writing)
		return 0;
	f->writing = false;
	item *it = f->cur;
	char *store;
	const char **fl;
	size_t nfl = mg_flags_split(it->flags, &store, &fl);
	int rc = 0;
	if (f->rescan) {
		char hash[72] = "";
		hash_end(&f->h, hash);
		long oi = find_orphan(f, f->w.written, hash);
		if (oi >= 0) {
			mg_jmsg *o = &f->j->orphans[oi];
			mg_mdwrite_abort(&f->w);
			rc = mg_mdfolder_set_flags(f->mf, o->dest, fl, nfl, &f->cb_err);
			if (rc == 0) {
				dn_add(f, uid, o->dest);
				orphan_used(f, (size_t)oi);
			}
			goto out;
		}
	}
	char *base = xstrdup(f->w.base);
	rc = mg_mdfolder_finish(f->mf, &f->w, fl, nfl, it->date, &f->cb_err);
	if (rc == 0)
		dn_add(f, uid, base);
	free(base);
out:
	free(store);
	free(fl);
	if (rc < 0) {
		f->cb_failed = true;
		return -1;
	}
	return 0;
}

static void md_missing(void *arg, uint32_t uid, const char *reason)
{
	bad_missing(arg, uid, reason);
}

/* Make the chunk durable, then journal it. */
static int md_commit(fctx *f, mg_err *err)
{
	if (!f->n_dn)
		return 0;
	if (mg_mdfolder_sync(f->mf, err) < 0)
		return -1;
	for (size_t i = 0; i < f->n_dn; i++) {
		item *it = find_item(f->items, f->n_items, f->dn[i].uid);
		mg_journal_add(f->j, it->uid, (long long)it->size, it->date, it->flags, f->dn[i].dest);
	}
	int rc = mg_journal_flush(f->j, err);
	if (rc == 0) {
		f->x->st->items_copied += (long long)f->n_dn;
		f->fs.synced += (long long)f->n_dn;
	}
	dn_clear(f);
	return rc;
}

static int md_copy_chunk(fctx *f, item **chunk, size_t n, mg_err *err)
{
	uint32_t *uids = xmalloc(n * sizeof *uids);
	uint64_t *sizes = xmalloc(n * sizeof *sizes);
	size_t nf = 0;
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		item *it = chunk[i];
		if (!f->rescan) {
			/* copied before a crash but not journalled: take it as it is */
			char *base = mg_maildir_base(f->fp->wire, f->uidvalidity, it->uid, it->date);
			long long sz = -1;
			const char *rel = mg_mdfolder_find(f->mf, base, &sz);
			char want[32];
			snprintf(want, sizeof want, ",S=%lld:", sz);
			if (rel && sz >= 0 && strstr(rel, want)) {
				char *store;
				const char **fl;
				size_t nfl = mg_flags_split(it->flags, &store, &fl);
				rc = mg_mdfolder_set_flags(f->mf, base, fl, nfl, err);
				free(store);
				free(fl);
				if (rc == 0)
					dn_add(f, it->uid, base);
				free(base);
				if (rc < 0)
					goto out;
				continue;
			}
			free(base);
		}
		uids[nf] = it->uid;
		sizes[nf++] = it->size;
	}
	if (nf) {
		mg_imap_body_cb cb = { md_begin, md_data, md_end, md_missing, f };
		f->cb_failed = false;
		rc = mg_imap_fetch_bodies(f->x->src, uids, sizes, nf, &cb, err);
		if (f->writing) {
			mg_mdwrite_abort(&f->w);
			f->writing = false;
		}
		if (rc < 0 && f->cb_failed)
			mg_err_copy(err, &f->cb_err);
		if (rc < 0) {
			mg_err e2;
			md_commit(f, &e2);   /* keep what is complete; best effort */
			goto out;
		}
	}
	rc = md_commit(f, err);
out:
	free(uids);
	free(sizes);
	return rc;
}

/* ---- imap target: spool + append ---- */

static int sp_begin(void *arg, uint32_t uid, uint64_t size)
{
	fctx *f = arg;
	(void)size;
	if (cancelled(f->x))
		return -1;
	f->cur = find_item(f->items, f->n_items, uid);
	f->writing = f->cur != NULL;
	if (!f->writing)
		return 0;
	GROW(f->sp, f->cap_sp, f->n_sp + 1);
	struct spooled *s = &f->sp[f->n_sp];
	memset(s, 0, sizeof *s);
	s->it = f->cur;
	s->off = f->spool_end;
	hash_start(&f->h);
	return 0;
}

static int sp_data(void *arg, uint32_t uid, const void *chunk, size_t len)
{
	fctx *f = arg;
	(void)uid;
	f->x->st->bytes_transferred += (long long)len;
	if (!f->writing)
		return 0;
	hash_add(&f->h, chunk, len);
	const char *p = chunk;
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
		f->sp[f->n_sp].len += (uint64_t)n;
	}
	return 0;
}

static int sp_end(void *arg, uint32_t uid)
{
	fctx *f = arg;
	(void)uid;
	if (!f->writing)
		return 0;
	f->writing = false;
	hash_end(&f->h, f->sp[f->n_sp].hash);
	f->n_sp++;
	return 0;
}

typedef struct sp_reader { fctx *f; struct spooled *s; uint64_t pos; } sp_reader;

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

static int tgt_store_flags(fctx *f, const char *dest, const char *flags, mg_err *err)
{
	if (strcmp(dest, "0") == 0)
		return 0;      /* no UIDPLUS: the target uid is unknown */
	return mg_imap_uid_store_flags(f->x->tgt->c, dest, '=', flags, err);
}

static int tgt_copy_chunk(fctx *f, item **chunk, size_t n, mg_err *err)
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
	if (ftruncate(f->spool_fd, 0) < 0) {
		mg_err_sys(err, MGC_WRITE, "SpoolWrite", "cannot reset spool file '%s'", f->spool_path);
		goto out;
	}
	mg_imap_body_cb cb = { sp_begin, sp_data, sp_end, md_missing, f };
	f->cb_failed = false;
	rc = mg_imap_fetch_bodies(x->src, uids, sizes, n, &cb, err);
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
		long oi = f->j->n_orphans ? find_orphan(f, s->len, s->hash) : -1;
		if (oi < 0) {
			f->sp[k++] = *s;
			continue;
		}
		mg_jmsg *o = &f->j->orphans[oi];
		if (strcmp(o->flags, s->it->flags) != 0 &&
		    tgt_store_flags(f, o->dest, s->it->flags, err) < 0)
			goto out;
		mg_journal_add(f->j, s->it->uid, (long long)s->it->size, s->it->date, s->it->flags, o->dest);
		orphan_used(f, (size_t)oi);
		f->fs.synced++;
		x->st->items_copied++;
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
			dates[i] = imap_date(s->it->date, s->it->tz);
			msgs[i].flags = s->it->flags[0] ? s->it->flags : NULL;
			msgs[i].internaldate = dates[i];
			msgs[i].size = s->len;
			msgs[i].read = sp_read;
			msgs[i].read_arg = &rd[i];
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
				fskip(&f->fs, f->fp->name, it, "BadItem", r);
				free(r);
			}
		}
		if ((rc = mg_journal_flush(f->j, err)) < 0)
			goto out;
		progress(x, false);
		if (cancelled(x))
			break;
	}
	mg_journal_clear_intents(f->j);
	rc = mg_journal_flush(f->j, err);
out:
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
	hash_start(&t->h);
	return 0;
}
static int th_data(void *arg, uint32_t uid, const void *c, size_t n)
{
	th_ctx *t = arg;
	(void)uid;
	hash_add(&t->h, c, n);
	return 0;
}
static int th_end(void *arg, uint32_t uid)
{
	th_ctx *t = arg;
	(void)uid;
	char out[72] = "";
	hash_end(&t->h, out);
	if (t->cur >= 0)
		memcpy(t->hash[t->cur], out, 72);
	return 0;
}

/* Hash the target messages uids[0..n) of the selected folder into hash[]. */
static int target_hashes(sctx *x, uint32_t *uids, size_t n, char (*hash)[72], mg_err *err)
{
	th_ctx t = { uids, hash, n, { 0 }, -1 };
	for (size_t i = 0; i < n; i++)
		snprintf(hash[i], 72, "missing");
	mg_imap_body_cb cb = { th_begin, th_data, th_end, NULL, &t };
	int rc = n ? mg_imap_fetch_bodies(x->tgt->c, uids, NULL, n, &cb, err) : 0;
	hash_free(&t.h);
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
static int tgt_reconcile(fctx *f, mg_err *err)
{
	mg_journal *j = f->j;
	sctx *x = f->x;
	if (!j->n_intents)
		return 0;
	if (!j->dst_mark || x->tgt->sel.uidvalidity != j->dst_uidvalidity) {
		slog(x, "folder '%s': target folder changed; %zu unconfirmed appends are redone",
		     f->fp->name, j->n_intents);
		mg_journal_clear_intents(j);
		return mg_journal_flush(j, err);
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
	rc = target_hashes(x, tm.uids, tm.n, h, err);
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
		slog(x, "folder '%s': %zu of %zu interrupted appends were already at the target",
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

/* ---- flags ---- */

static int carry_flags(fctx *f, mg_err *err)
{
	sctx *x = f->x;
	long long n = 0;
	for (size_t i = 0; i < f->n_items; i++) {
		item *it = &f->items[i];
		mg_jmsg *m = mg_journal_find(f->j, it->uid);
		if (!m || strcmp(m->flags, it->flags) == 0)
			continue;
		if (f->mf) {
			char *store;
			const char **fl;
			size_t nfl = mg_flags_split(it->flags, &store, &fl);
			mg_err e;
			mg_err_clear(&e);
			int rc = mg_mdfolder_set_flags(f->mf, m->dest, fl, nfl, &e);
			free(store);
			free(fl);
			if (rc < 0) {
				if (strcmp(e.category, MGC_NOTFOUND) != 0) {
					mg_err_copy(err, &e);
					return -1;
				}
				slog(x, "folder '%s': %s; flags not carried", f->fp->name, e.msg);
				continue;
			}
		} else if (tgt_store_flags(f, m->dest, it->flags, err) < 0) {
			return -1;
		}
		mg_journal_set_flags(f->j, it->uid, it->flags);
		n++;
		if ((n % 256) == 0 && cancelled(x))
			break;
	}
	if (n && f->mf && mg_mdfolder_sync(f->mf, err) < 0)
		return -1;
	if (mg_journal_flush(f->j, err) < 0)
		return -1;
	x->st->flags_updated += n;
	return 0;
}

/* ---- one folder ---- */

static void merge_fstats(sctx *x, fstats *fs)
{
	mg_sync_stats *st = x->st;
	st->items_in_source += fs->in_source;
	st->bytes_in_source += fs->bytes;
	st->items_synced += fs->synced;
	st->items_large += fs->large;
	st->items_bad += fs->bad;
	st->items_filtered += fs->filtered;
	st->items_over_limit += fs->over;
	st->items_skipped += fs->large + fs->bad + fs->filtered + fs->over;
	x->bad_total += fs->bad;
	x->large_total += fs->large;
	for (size_t i = 0; i < fs->n_sk; i++) {
		GROW(st->skipped, st->cap_skipped, st->n_skipped + 1);
		st->skipped[st->n_skipped++] = fs->sk[i];
	}
	free(fs->sk);
	memset(fs, 0, sizeof *fs);
}

static int do_folder(sctx *x, const mg_folder_plan *fp, mg_err *err)
{
	const mg_sync_job *job = x->job;
	fctx f;
	memset(&f, 0, sizeof f);
	f.x = x;
	f.fp = fp;
	f.spool_fd = -1;
	int rc = -1;
	char *jdir = mg_path_join(job->state_dir, "folders");
	char *jname = xasprintf("%016" PRIx64 ".jnl", fnv64(fp->wire));
	char *jpath = mg_path_join(jdir, jname);
	free(jname);

	mg_imap_mbox_status ss;
	if (mg_imap_examine(x->src, fp->wire, &ss, err) < 0) {
		mg_err_prefix(err, "source folder '%s'", fp->name);
		goto out;
	}
	if (mg_journal_open(jpath, &f.j, err) < 0)
		goto out;
	if (f.j->dropped_bytes)
		slog(x, "folder '%s': sync journal had a torn end (%zu bytes, from an interrupted run); "
		     "recovered", fp->name, f.j->dropped_bytes);
	mg_journal_set_folder(f.j, fp->name);
	if (f.j->uidvalidity && f.j->uidvalidity != ss.uidvalidity)
		slog(x, "folder '%s': UIDVALIDITY changed (%" PRIu32 " -> %" PRIu32 "); matching the %zu "
		     "existing copies by content instead of copying again", fp->name, f.j->uidvalidity,
		     ss.uidvalidity, f.j->n_msgs);
	mg_journal_set_uidvalidity(f.j, ss.uidvalidity);
	f.uidvalidity = ss.uidvalidity;

	/* destination folder */
	if (x->md) {
		if (mg_mdfolder_open(x->md, fp->comps, fp->n_comps, &f.mf, err) < 0 ||
		    mg_maildir_subscribe(x->md, fp->comps, fp->n_comps, err) < 0)
			goto out;
		f.ohash = xcalloc(f.j->n_orphans ? f.j->n_orphans : 1, 72);
	} else {
		if (mg_itarget_ensure(x->tgt, fp->comps, fp->n_comps, err) < 0 ||
		    mg_itarget_wire(x->tgt, fp->comps, fp->n_comps, &f.twire, err) < 0 ||
		    mg_itarget_select(x->tgt, f.twire, true, err) < 0)
			goto out;
		if (f.j->dst_uidvalidity && f.j->dst_uidvalidity != x->tgt->sel.uidvalidity &&
		    (f.j->n_msgs || f.j->n_orphans)) {
			rc = mg_err_set(err, MGC_INVALIDOP, "TargetFolderRecreated",
			                "target folder '%s' was recreated (UIDVALIDITY %" PRIu32 " -> %" PRIu32
			                "); remove the user's sync state (%s) to copy it again",
			                f.twire, f.j->dst_uidvalidity, x->tgt->sel.uidvalidity, jpath);
			goto out;
		}
		if (tgt_reconcile(&f, err) < 0)
			goto out;
		mg_journal_set_dst_uidvalidity(f.j, x->tgt->sel.uidvalidity);
		if (mg_journal_flush(f.j, err) < 0)
			goto out;
		if (f.j->n_orphans) {
			size_t no = f.j->n_orphans;
			uint32_t *ou = xmalloc(no * sizeof *ou);
			for (size_t i = 0; i < no; i++)
				ou[i] = (uint32_t)strtoul(f.j->orphans[i].dest, NULL, 10);
			f.thash = xcalloc(no, 72);
			int hrc = target_hashes(x, ou, no, f.thash, err);
			free(ou);
			if (hrc < 0)
				goto out;
		}
		f.spool_path = mg_path_join(job->state_dir, "spool.tmp");
		f.spool_fd = open(f.spool_path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (f.spool_fd < 0) {
			mg_err_sys(err, MGC_WRITE, "SpoolOpen", "cannot create spool file '%s'", f.spool_path);
			goto out;
		}
	}
	f.rescan = f.j->n_orphans > 0;

	/* metadata */
	meta_acc ma = { 0 };
	if (ss.exists) {
		mg_err_clear(err);
		if (mg_imap_fetch_meta(x->src, "1:*", 0, meta_cb, &ma, err) < 0) {
			items_free(ma.v, ma.n);
			goto out;
		}
	}
	qsort(ma.v, ma.n, sizeof *ma.v, cmp_item_uid);
	size_t k = 0;
	for (size_t i = 0; i < ma.n; i++) {      /* duplicate UIDs from a broken server */
		if (k && ma.v[k - 1].uid == ma.v[i].uid) {
			free(ma.v[i].flags);
			continue;
		}
		ma.v[k++] = ma.v[i];
	}
	f.items = ma.v;
	f.n_items = k;

	/* classify */
	mg_item_in *in = xmalloc((k ? k : 1) * sizeof *in);
	mg_item_verdict *vd = xmalloc((k ? k : 1) * sizeof *vd);
	for (size_t i = 0; i < k; i++)
		in[i] = (mg_item_in){ f.items[i].uid, f.items[i].date, f.items[i].size };
	mg_items_classify(in, k, job->date_conds, job->n_date_conds, job->large_item_bytes,
	                  job->max_items, x->items_taken, vd);
	free(in);
	item **todo = xmalloc((k ? k : 1) * sizeof *todo);
	size_t n_todo = 0;
	long long lim = job->large_item_bytes > 0 ? job->large_item_bytes : MG_LARGE_ITEM_BYTES;
	for (size_t i = 0; i < k; i++) {
		item *it = &f.items[i];
		it->v = vd[i];
		f.fs.in_source++;
		f.fs.bytes += (long long)it->size;
		if (mg_journal_find(f.j, it->uid)) {
			f.fs.synced++;
			x->items_taken++;
			continue;
		}
		switch (it->v) {
		case MG_ITEM_FILTERED:
			f.fs.filtered++;
			break;
		case MG_ITEM_LARGE: {
			f.fs.large++;
			char *r = xasprintf("message of %" PRIu64 " bytes is larger than the limit of %lld bytes",
			                    it->size, lim);
			fskip(&f.fs, fp->name, it, "LargeItem", r);
			free(r);
			break;
		}
		case MG_ITEM_OVER_LIMIT:
			f.fs.over++;
			fskip(&f.fs, fp->name, it, "OverItemLimit",
			      "the mailbox has more items than the per-mailbox limit; the newest were copied");
			break;
		case MG_ITEM_COPY:
			x->items_taken++;
			todo[n_todo++] = it;
			break;
		}
	}
	free(vd);

	/* flag changes of messages copied earlier */
	if (carry_flags(&f, err) < 0) {
		free(todo);
		goto out;
	}

	/* copy in chunks */
	for (size_t i = 0; i < n_todo;) {
		if (cancelled(x)) {
			free(todo);
			rc = mg_err_set(err, MGC_STOPPED, "SyncStopped", "the sync was stopped");
			goto out;
		}
		size_t n = 0;
		long long bytes = 0;
		while (i + n < n_todo && n < CHUNK_MSGS && (n == 0 || bytes + (long long)todo[i + n]->size <= CHUNK_BYTES))
			bytes += (long long)todo[i + n++]->size;
		int crc = x->md ? md_copy_chunk(&f, todo + i, n, err) : tgt_copy_chunk(&f, todo + i, n, err);
		if (crc < 0) {
			free(todo);
			if (cancelled(x))
				mg_err_set(err, MGC_STOPPED, "SyncStopped", "the sync was stopped");
			goto out;
		}
		i += n;
		progress(x, false);
	}
	free(todo);
	if (cancelled(x)) {
		rc = mg_err_set(err, MGC_STOPPED, "SyncStopped", "the sync was stopped");
		goto out;
	}
	mg_journal_pass_done(f.j, ss.uidnext, ss.highestmodseq);
	if (mg_journal_compact(f.j, false, err) < 0)
		goto out;
	{ char *dn = fp->n_comps ? mg_fmap_join(fp->comps, fp->n_comps, '/') : xstrdup("INBOX");
	slog(x, "folder '%s' -> '%s': %lld in source, %lld at destination, %lld skipped", fp->name,
	     dn, f.fs.in_source, f.fs.synced,
	     f.fs.large + f.fs.bad + f.fs.filtered + f.fs.over);
	free(dn); }
	merge_fstats(x, &f.fs);
	rc = 0;
out:
	if (rc < 0) {
		for (size_t i = 0; i < f.fs.n_sk; i++)
			skip_free(&f.fs.sk[i]);
		free(f.fs.sk);
	}
	if (f.writing)
		mg_mdwrite_abort(&f.w);
	dn_clear(&f);
	free(f.dn);
	free(f.sp);
	hash_free(&f.h);
	if (f.spool_fd >= 0) {
		close(f.spool_fd);
		unlink(f.spool_path);
	}
	free(f.spool_path);
	items_free(f.items, f.n_items);
	mg_mdfolder_close(f.mf);
	free(f.ohash);
	free(f.thash);
	free(f.twire);
	mg_journal_close(f.j);
	free(jpath);
	free(jdir);
	return rc;
}

/* ------------------------------------------------------------ pass ---- */

static void disconnect(sctx *x)
{
	if (x->src) {
		mg_imap_logout(x->src, NULL);
		mg_imap_close(x->src);
		x->src = NULL;
	}
	mg_imap_mailboxes_free(x->list, x->n_list);
	x->list = NULL;
	x->n_list = 0;
	free(x->src_prefix);
	x->src_prefix = NULL;
	mg_itarget_close(x->tgt);
	x->tgt = NULL;
}

static int connect_source(sctx *x, mg_err *err)
{
	const mg_sync_job *job = x->job;
	x->src = mg_imap_connect(job->src, err);
	if (!x->src)
		goto fail;
	if (mg_imap_login(x->src, job->src_user, job->src_password, NULL, err) < 0)
		goto fail;
	mg_imap_set_readonly(x->src, true);
	if (mg_imap_namespace(x->src, &x->src_prefix, &x->src_sep, err) < 0)
		goto fail;
	const char *pattern = "*";
	char *pat = NULL;
	if (job->src_userroot && *job->src_userroot) {
		char *w = mg_imap_mailbox_wire(x->src, job->src_userroot, err);
		if (!w)
			goto fail;
		pat = xasprintf("%s*", w);
		free(w);
		pattern = pat;
	}
	int rc = mg_imap_list(x->src, "", pattern, &x->list, &x->n_list, err);
	free(pat);
	if (rc < 0)
		goto fail;
	slog(x, "connected to source %s:%d (%s) as %s; %zu folders, separator '%c', prefix '%s'",
	     job->src->host, job->src->port, mg_security_name(job->src->security), job->src_user,
	     x->n_list, x->src_sep ? x->src_sep : ' ', x->src_prefix ? x->src_prefix : "");
	return 0;
fail:
	mg_err_prefix(err, "source %s:%d", job->src->host, job->src->port);
	return -1;
}

static int run_pass(sctx *x, mg_err *err)
{
	const mg_sync_job *job = x->job;
	mg_sync_stats *st = x->st;
	if (!x->src && connect_source(x, err) < 0)
		return -1;
	if (job->dest_kind == MG_DEST_MAILDIR && !x->md &&
	    mg_maildir_open(job->maildir_root, &x->md, err) < 0)
		return -1;
	if (job->dest_kind == MG_DEST_IMAP && !x->tgt) {
		if (mg_itarget_open(job, &x->tgt, err) < 0)
			return -1;
		slog(x, "connected to target %s:%d as %s", job->dst->host, job->dst->port,
		     job->dst_authz ? job->dst_authz : job->dst_user);
	}
	mg_fmap_opts o;
	memset(&o, 0, sizeof o);
	o.prefix = x->src_prefix;
	o.src_sep = x->src_sep;
	o.userroot = job->src_userroot;
	o.include = job->include_folders;
	o.exclude = job->exclude_folders;
	static const char *const defaults[MG_ROLE_COUNT] = { NULL, NULL, "Sent", "Trash", "Junk",
	                                                     "Drafts", "Archive" };
	for (int r = 0; r < MG_ROLE_COUNT; r++)
		o.role_dest[r] = defaults[r];
	if (x->md) {
		o.dst_sep = '.';
	} else {
		o.dst_sep = x->tgt->sep;
		for (int r = MG_ROLE_SENT; r < MG_ROLE_COUNT; r++)
			if (x->tgt->role_name[r])
				o.role_dest[r] = x->tgt->role_name[r];
	}
	mg_folder_plan *plans;
	size_t np;
	if (mg_fmap_build(x->list, x->n_list, &o, &plans, &np, err) < 0)
		return -1;
	int rc = 0;
	st->folders_total = 0;
	for (size_t i = 0; i < np; i++)
		if (plans[i].status != MG_FPLAN_NOSELECT)
			st->folders_total++;
	for (size_t i = 0; i < np && rc == 0; i++) {
		const mg_folder_plan *fp = &plans[i];
		if (fp->status == MG_FPLAN_NOSELECT || is_done(x, fp->wire))
			continue;
		if (cancelled(x)) {
			rc = mg_err_set(err, MGC_STOPPED, "SyncStopped", "the sync was stopped");
			break;
		}
		if (fp->status == MG_FPLAN_INVALID || fp->status == MG_FPLAN_EXCLUDED) {
			bool inv = fp->status == MG_FPLAN_INVALID;
			long long cnt = 0;
			if (!inv) {
				mg_imap_mbox_status s;
				if (mg_imap_status(x->src, fp->wire, &s, err) < 0) {
					rc = -1;
					break;
				}
				cnt = s.exists;
				st->items_excluded += cnt;
			}
			add_skip(&st->skipped, &st->n_skipped, &st->cap_skipped, fp->name, 0, cnt, 0,
			         inv ? "FolderNameInvalid" : "FolderExcluded", fp->reason);
			slog(x, "folder '%s' not migrated: %s", fp->name, fp->reason);
			mark_done(x, fp->wire);
			continue;
		}
		rc = do_folder(x, fp, err);
		if (rc == 0) {
			mark_done(x, fp->wire);
			st->folders_synced++;
			progress(x, false);
			if (job->bad_item_limit >= 0 && x->bad_total > job->bad_item_limit)
				rc = mg_err_set(err, MGC_LIMIT, "BadItemLimitExceeded",
				                "%lld bad items exceed the BadItemLimit of %lld; see the skipped "
				                "items, then raise -BadItemLimit or accept the loss",
				                x->bad_total, job->bad_item_limit);
			else if (job->large_item_limit >= 0 && x->large_total > job->large_item_limit)
				rc = mg_err_set(err, MGC_LIMIT, "LargeItemLimitExceeded",
				                "%lld large items exceed the LargeItemLimit of %lld; raise "
				                "-LargeItemLimit to accept skipping them",
				                x->large_total, job->large_item_limit);
		}
	}
	mg_fmap_free(plans, np);
	return rc;
}

int mg_sync_mailbox(const mg_sync_job *job, mg_sync_stats *stats, mg_err *err)
{
	sctx x;
	memset(&x, 0, sizeof x);
	x.job = job;
	x.st = stats;
	stats->started = (int64_t)time(NULL);
	int rc = -1, lockfd = -1;
	mg_err e;
	mg_err_clear(&e);
	if (!job->src || !job->state_dir ||
	    (job->dest_kind == MG_DEST_MAILDIR && !job->maildir_root) ||
	    (job->dest_kind == MG_DEST_IMAP && !job->dst)) {
		mg_err_set(&e, MGC_INVALIDARG, "SyncJobIncomplete",
		           "the sync job lacks a source, a state directory or a destination");
		goto out;
	}
	free(stats->dest_mailbox);
	if (job->dest_kind == MG_DEST_MAILDIR)
		stats->dest_mailbox = xstrdup(job->maildir_root);
	else
		stats->dest_mailbox = xasprintf("%s@%s:%d", job->dst_authz ? job->dst_authz : job->dst_user,
		                                job->dst->host, job->dst->port);
	char *fdir = mg_path_join(job->state_dir, "folders");
	int mk = mg_mkdir_p(fdir, 0700, &e);
	free(fdir);
	if (mk < 0)
		goto out;
	char *lock = mg_path_join(job->state_dir, "sync.lock");
	lockfd = mg_lock_file(lock, 0, &e);
	free(lock);
	if (lockfd < 0)
		goto out;
	char *marker = mg_path_join(job->state_dir, "initial-sync-done");
	stats->incremental = access(marker, F_OK) == 0;
	int max_retries = job->max_retries > 0 ? job->max_retries : 5;
	for (int attempt = 0;; attempt++) {
		mg_err_clear(&e);
		rc = run_pass(&x, &e);
		if (rc == 0 || cancelled(&x) || !retryable(&e) || attempt >= max_retries)
			break;
		int wait_s = 1 << (attempt < 5 ? attempt : 5);
		slog(&x, "%s; retry %d of %d in %d s", e.msg, attempt + 1, max_retries, wait_s);
		disconnect(&x);
		for (int t = 0; t < wait_s * 10 && !cancelled(&x); t++) {
			struct timespec ts = { 0, 100000000L };
			nanosleep(&ts, NULL);
		}
	}
	if (rc < 0 && cancelled(&x) && strcmp(e.category, MGC_STOPPED) != 0)
		mg_err_set(&e, MGC_STOPPED, "SyncStopped", "the sync was stopped");
	if (rc == 0) {
		if (!stats->incremental) {
			mg_err me;
			if (mg_write_atomic(marker, "done\n", 5, 0600, &me) < 0)
				slog(&x, "%s", me.msg);
		}
		slog(&x, "done: %lld folders, %lld items in source, %lld copied, %lld flag updates, "
		     "%lld skipped (%lld large, %lld bad, %lld filtered, %lld over limit, %lld in "
		     "excluded folders), %lld bytes transferred", stats->folders_synced,
		     stats->items_in_source, stats->items_copied, stats->flags_updated,
		     stats->items_skipped, stats->items_large, stats->items_bad, stats->items_filtered,
		     stats->items_over_limit, stats->items_excluded, stats->bytes_transferred);
	} else {
		slog(&x, "failed: %s", e.msg);
	}
	free(marker);
out:
	disconnect(&x);
	mg_maildir_close(x.md);
	for (size_t i = 0; i < x.n_done; i++)
		free(x.done[i]);
	free(x.done);
	if (lockfd >= 0)
		mg_unlock_file(lockfd);
	stats->finished = (int64_t)time(NULL);
	progress(&x, true);
	if (rc < 0)
		mg_err_copy(err, &e);
	return rc;
}

void mg_sync_stats_free(mg_sync_stats *st)
{
	if (!st)
		return;
	for (size_t i = 0; i < st->n_skipped; i++)
		skip_free(&st->skipped[i]);
	free(st->skipped);
	free(st->dest_mailbox);
	memset(st, 0, sizeof *st);
}
