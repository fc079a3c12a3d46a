/*
 * dest_maildir.c - the local destination (engine/dest.h) over the
 * Maildir++ store (maildir_store.c): copy a chunk of source messages by
 * streaming each body into tmp/ and renaming it into cur/ with its flags;
 * the chunk is made durable with one syncfs (durable) before sync_commit
 * journals it (see the crash-safety argument at the top of sync.c).  A
 * message's reference is its file's base name, a pure function of the
 * source identity, so lookup finds a copy a stopped run left unjournalled.
 * After a source UIDVALIDITY change, copies are re-mapped by content.
 */
#include "config.h"
#include "engine/dest_internal.h"
#include "engine/maildir_store.h"
#include "common/fileio.h"
#include "common/mem.h"
#include "common/str.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct md_dest {
	const mg_sync_job *job;
	mg_maildir *md;
} md_dest;

typedef struct md_folder {
	fctx *f;
	mg_mdfolder *mf;
	item *cur;
	mg_mdwrite w;
	bool writing;
	hasher h;
	mg_err cb_err;
	bool cb_failed;
} md_folder;

static md_dest *S(const mg_dest *d) { return d->state; }
static md_folder *F(const fctx *f) { return f->dfolder; }

/* ---- the destination ---- */

static mg_dscope md_open(mg_dest *d, sctx *x, mg_err *err)
{
	(void)x;
	md_dest *s = S(d);
	if (!s->md && mg_maildir_open(s->job->maildir_root, &s->md, err) < 0)
		return MG_DS_DEST;
	d->sep = '.';
	d->max_name_bytes = 240;      /* one directory name (NAME_MAX 255) holds the whole path */
	return MG_DS_OK;
}

static void md_close(mg_dest *d)
{
	md_dest *s = S(d);
	mg_maildir_close(s->md);
	s->md = NULL;
}

static void md_free(mg_dest *d)
{
	free(d->state);
	d->state = NULL;
}

/* Did the file system refuse the folder's name (rather than fail)? */
static bool name_refused(const mg_err *e)
{
	if (!e || !e->set)
		return false;
	if (e->code == MGE_FolderNameInvalid)
		return true;
	return (e->code == MGE_MaildirCreate || e->code == MGE_CreateDirectory ||
	        e->code == MGE_MaildirOpen) &&
	       (e->sys_errno == ENAMETOOLONG || e->sys_errno == EILSEQ || e->sys_errno == EINVAL);
}

static mg_dscope md_folder_open(fctx *f, mg_err *err)
{
	md_folder *m = xcalloc(1, sizeof *m);
	m->f = f;
	f->dfolder = m;
	if (mg_mdfolder_open(S(f->x->dest)->md, f->fp->comps, f->fp->n_comps, &m->mf, err) == 0)
		return MG_DS_OK;
	if (!name_refused(err))
		return MG_DS_DEST;
	if (err->sys_errno)
		return dest_refused(err, xasprintf("the destination file system refused the folder name: %s",
		                                   strerror(err->sys_errno)));
	return dest_refused(err, xasprintf("the destination refused the folder name: %s", err->msg));
}

static mg_dscope md_reconcile(fctx *f, mg_err *err)
{
	(void)f;
	(void)err;
	return MG_DS_OK;      /* nothing is ever pending: a file is complete or not there */
}

static void md_folder_close(fctx *f)
{
	md_folder *m = F(f);
	if (!m)
		return;
	if (m->writing)
		mg_mdwrite_abort(&m->w);
	sync_hash_free(&m->h);
	mg_mdfolder_close(m->mf);
	free(m);
	f->dfolder = NULL;
}

/* ---- copying: body callbacks ---- */

static int body_begin(void *arg, uint32_t uid, uint64_t size)
{
	md_folder *m = arg;
	fctx *f = m->f;
	(void)size;
	if (sync_cancelled(f->x))
		return -1;
	m->cur = sync_find_item(f->items, f->n_items, uid);
	m->writing = false;
	if (!m->cur)
		return 0;                 /* not asked for: ignore its bytes */
	char *base = mg_maildir_base(f->fp->wire, f->uidvalidity, uid, m->cur->date);
	int rc = mg_mdfolder_begin(m->mf, base, &m->w, &m->cb_err);
	free(base);
	if (rc < 0) {
		m->cb_failed = true;
		return -1;
	}
	m->writing = true;
	if (f->rescan)
		sync_hash_start(&m->h);
	return 0;
}

static int body_data(void *arg, uint32_t uid, const void *chunk, size_t len)
{
	md_folder *m = arg;
	(void)uid;
	m->f->x->st->bytes_transferred += (long long)len;
	if (!m->writing)
		return 0;
	if (m->f->rescan)
		sync_hash_add(&m->h, chunk, len);
	if (mg_mdwrite_data(&m->w, chunk, len, &m->cb_err) < 0) {
		m->cb_failed = true;
		return -1;
	}
	return 0;
}

static int body_end(void *arg, uint32_t uid)
{
	md_folder *m = arg;
	fctx *f = m->f;
	if (!m->writing)
		return 0;
	m->writing = false;
	item *it = m->cur;
	int rc = 0;
	if (f->rescan) {
		char hash[72] = "";
		sync_hash_end(&m->h, hash);
		long oi = sync_find_orphan(f, it->size, hash);
		if (oi >= 0) {
			mg_mdwrite_abort(&m->w);
			rc = sync_use_orphan(f, it, (size_t)oi, &m->cb_err) == MG_DS_OK ? 0 : -1;
			goto out;
		}
	}
	char *store;
	const char **fl;
	size_t nfl = mg_flags_split(it->flags, &store, &fl);
	char *base = xstrdup(m->w.base);
	rc = mg_mdfolder_finish(m->mf, &m->w, fl, nfl, it->date, &m->cb_err);
	if (rc == 0)
		sync_copied(f, uid, base, false);
	free(base);
	free(store);
	free(fl);
out:
	if (rc < 0) {
		m->cb_failed = true;
		return -1;
	}
	return 0;
}

static void body_missing(void *arg, uint32_t uid, const char *reason)
{
	sync_bad_missing(((md_folder *)arg)->f, uid, reason);
}

static mg_dscope md_copy_chunk(fctx *f, item **chunk, size_t n, mg_err *err)
{
	md_folder *m = F(f);
	uint32_t *uids = xmalloc((n ? n : 1) * sizeof *uids);
	uint64_t *sizes = xmalloc((n ? n : 1) * sizeof *sizes);
	for (size_t i = 0; i < n; i++) {
		uids[i] = chunk[i]->uid;
		sizes[i] = chunk[i]->size;
	}
	mg_dscope sc = MG_DS_OK;
	if (n) {
		mg_imap_body_cb cb = { body_begin, body_data, body_end, body_missing, m };
		m->cb_failed = false;
		int rc = sync_fetch_bodies(f, uids, sizes, n, &cb, err);
		if (m->writing) {
			mg_mdwrite_abort(&m->w);
			m->writing = false;
		}
		if (rc < 0) {
			if (m->cb_failed)
				mg_err_copy(err, &m->cb_err);
			sc = sync_fail_scope(f);
			mg_err e2;
			sync_commit(f, &e2);   /* keep what is complete; best effort */
		}
	}
	if (sc == MG_DS_OK)
		sc = sync_commit(f, err);
	free(uids);
	free(sizes);
	return sc;
}

/* ---- single messages ---- */

static mg_dscope md_set_flags(fctx *f, const char *ref, const char *flags, mg_err *err)
{
	char *store;
	const char **fl;
	size_t nfl = mg_flags_split(flags, &store, &fl);
	int rc = mg_mdfolder_set_flags(F(f)->mf, ref, fl, nfl, err);
	free(store);
	free(fl);
	if (rc == 0)
		return MG_DS_OK;
	return err->category == MGC_NOTFOUND ? MG_DS_MESSAGE : MG_DS_DEST;
}

static mg_dscope md_durable(fctx *f, mg_err *err)
{
	return mg_mdfolder_sync(F(f)->mf, err) < 0 ? MG_DS_DEST : MG_DS_OK;
}

/* copied before a crash but not journalled: the file with the base of this
 * source message, complete (its actual size is the one in its name) */
static mg_dscope md_lookup(fctx *f, const item *it, char **ref, mg_err *err)
{
	(void)err;
	char *base = mg_maildir_base(f->fp->wire, f->uidvalidity, it->uid, it->date);
	long long sz = -1;
	const char *rel = mg_mdfolder_find(F(f)->mf, base, &sz);
	char want[32];
	snprintf(want, sizeof want, ",S=%lld:", sz);
	if (rel && sz >= 0 && strstr(rel, want)) {
		*ref = base;
		return MG_DS_OK;
	}
	free(base);
	return MG_DS_MESSAGE;
}

static int hash_file(const char *path, char out[72])
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	hasher h = { 0 };
	sync_hash_start(&h);
	char buf[65536];
	ssize_t n;
	while ((n = read(fd, buf, sizeof buf)) > 0)
		sync_hash_add(&h, buf, (size_t)n);
	close(fd);
	sync_hash_end(&h, out);
	sync_hash_free(&h);
	return n < 0 ? -1 : 0;
}

static mg_dscope md_hash_copies(fctx *f, const char *const *refs, size_t n, char (*out)[72], mg_err *err)
{
	(void)err;
	md_folder *m = F(f);
	for (size_t i = 0; i < n; i++) {
		const char *rel = mg_mdfolder_find(m->mf, refs[i], NULL);
		if (!rel) {
			snprintf(out[i], 72, "missing");
			continue;
		}
		char *p = mg_path_join(mg_mdfolder_path(m->mf), rel);
		if (hash_file(p, out[i]) < 0)
			snprintf(out[i], 72, "unreadable");
		free(p);
	}
	return MG_DS_OK;
}

static mg_dscope md_remove(fctx *f, const char *const *refs, size_t n, bool *gone, mg_err *err)
{
	md_folder *m = F(f);
	for (size_t i = 0; i < n; i++)
		if (mg_mdfolder_remove(m->mf, refs[i], err) < 0)
			return MG_DS_DEST;
	if (mg_mdfolder_sync(m->mf, err) < 0)
		return MG_DS_DEST;
	for (size_t i = 0; i < n; i++)
		gone[i] = true;
	return MG_DS_OK;
}

/* Keywords a Maildir folder could not hold are reported, not lost silently. */
static mg_dscope md_settle(fctx *f, mg_err *err)
{
	(void)err;
	sctx *x = f->x;
	const char *const *names;
	size_t n;
	bool more;
	long long msgs = mg_mdfolder_keywords_lost(F(f)->mf, &names, &n, &more);
	if (!msgs)
		return MG_DS_OK;
	strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < n; i++)
		strbuf_addf(&sb, "%s%s", i ? ", " : "", names[i]);
	sync_slog(x, "folder '%s': %lld message(s) stored without some of their keywords (%s%s): "
	          "a Maildir folder keeps at most 26 keywords (Dovecot's limit)", f->fp->name, msgs,
	          sb.buf ? sb.buf : "", more ? ", and others" : "");
	strbuf_free(&sb);
	x->st->keywords_lost += msgs;
	return MG_DS_OK;
}

/* ---- folders ---- */

static mg_dscope md_rename_folder(mg_dest *d, sctx *x, char *const *from, size_t nf, char *const *to,
                                  size_t nt, mg_err *err)
{
	(void)x;
	md_dest *s = S(d);
	char *a = NULL, *b = NULL;
	if (mg_maildir_dirname(from, nf, &a, err) < 0 || mg_maildir_dirname(to, nt, &b, err) < 0) {
		free(a);
		free(b);
		mg_err_clear(err);
		return MG_DS_FOLDER;
	}
	char *pa = mg_path_join(mg_maildir_root(s->md), a), *pb = mg_path_join(mg_maildir_root(s->md), b);
	bool had_old = access(pa, F_OK) == 0, has_new = access(pb, F_OK) == 0;
	mg_dscope sc = MG_DS_FOLDER;
	if (!had_old && has_new)
		sc = MG_DS_OK;                 /* renamed before a crash */
	else if (had_old && !has_new)
		sc = mg_maildir_rename_folder(s->md, from, nf, to, nt, err) < 0 ? MG_DS_DEST : MG_DS_OK;
	free(a);
	free(b);
	free(pa);
	free(pb);
	return sc;
}

static mg_dscope md_subscribe(mg_dest *d, sctx *x, const mg_dest_folder_ref *v, size_t n, mg_err *err)
{
	mg_md_folder_ref *want = xmalloc((n ? n : 1) * sizeof *want);
	for (size_t i = 0; i < n; i++)
		want[i] = (mg_md_folder_ref){ v[i].comps, v[i].n };
	int rc = mg_maildir_set_subscriptions(S(d)->md, want, n, err);
	free(want);
	if (rc < 0)
		return MG_DS_DEST;
	sync_slog(x, "subscriptions: %zu migrated folder(s) subscribed, as at the source", n);
	return MG_DS_OK;
}

/* ---- moves (sync_moves.c has the order and the crash-safety argument) ----
 * rename(2) of the copy from the old folder's cur/ into the new folder's
 * cur/, under the base name the new folder's copy of that source message
 * would have (mg_maildir_base: planned_ref) and with the flag letters of the
 * new folder's keyword table; then one syncfs.  Atomic: no intents. */

static void md_read_msgid(mg_mdfolder *f, const char *base, char **mid)
{
	*mid = NULL;
	const char *rel = mg_mdfolder_find(f, base, NULL);
	if (!rel)
		return;
	char *p = mg_path_join(mg_mdfolder_path(f), rel);
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	free(p);
	if (fd < 0)
		return;
	char *buf = xmalloc(65536);
	size_t got = 0;
	for (ssize_t r; got < 65536 && (r = read(fd, buf + got, 65536 - got)) != 0;) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		got += (size_t)r;
	}
	close(fd);
	*mid = sync_msgid_of(buf, got);
	free(buf);
}

static mg_dscope mv_message_ids(mg_dest *d, sctx *x, char *const *comps, size_t nc, char *const *refs,
                                size_t n, char **mids, mg_err *err)
{
	(void)x;
	mg_mdfolder *f;
	if (mg_mdfolder_open(S(d)->md, comps, nc, &f, err) < 0)
		return MG_DS_DEST;
	for (size_t i = 0; i < n; i++)
		md_read_msgid(f, refs[i], &mids[i]);
	mg_mdfolder_close(f);
	return MG_DS_OK;
}

static mg_dscope mv_prepare(mg_dest *d, sctx *x, const mg_folder_plan *a, const mg_folder_plan *b,
                            uint32_t uidv_a, mg_dest_move *v, size_t n, uint32_t *mark, uint32_t *uidv,
                            mg_err *err)
{
	(void)x; (void)b; (void)uidv_a;
	*mark = 0;
	*uidv = 0;
	mg_mdfolder *f;
	if (mg_mdfolder_open(S(d)->md, a->comps, a->n_comps, &f, err) < 0)
		return MG_DS_DEST;
	for (size_t i = 0; i < n; i++)
		v[i].drop = mg_mdfolder_find(f, v[i].ref, NULL) == NULL;
	mg_mdfolder_close(f);
	return MG_DS_OK;
}

static char *mv_planned_ref(mg_dest *d, const mg_folder_plan *b, uint32_t src_uidv_b, uint32_t uid,
                            int64_t date)
{
	(void)d;
	return mg_maildir_base(b->wire, src_uidv_b, uid, date);
}

static mg_dscope mv_move(mg_dest *d, sctx *x, const mg_folder_plan *a, const mg_folder_plan *b,
                         uint32_t src_uidv_b, uint32_t dst_uidv_b, mg_dest_move *v, size_t n, mg_err *err)
{
	(void)x; (void)dst_uidv_b;
	mg_mdfolder *fa = NULL, *fb = NULL;
	mg_dscope sc = MG_DS_DEST;
	if (mg_mdfolder_open(S(d)->md, a->comps, a->n_comps, &fa, err) < 0 ||
	    mg_mdfolder_open(S(d)->md, b->comps, b->n_comps, &fb, err) < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		if (v[i].drop)
			continue;
		long long size = 0;
		const char *rel = mg_mdfolder_find(fa, v[i].ref, &size);
		if (!rel) {
			v[i].drop = true;
			continue;
		}
		char *store;
		const char **fl;
		size_t nfl = mg_flags_split(v[i].flags, &store, &fl);
		char letters[64];
		int lrc = mg_mdfolder_flag_letters(fb, fl, nfl, letters, NULL, err);
		free(store);
		free(fl);
		if (lrc < 0)
			goto out;
		char *base = mg_maildir_base(b->wire, src_uidv_b, v[i].uid, v[i].date);
		char *from = mg_path_join(mg_mdfolder_path(fa), rel);
		char *name = xasprintf("cur/%s,S=%lld:2,%s", base, size, letters);
		char *to = mg_path_join(mg_mdfolder_path(fb), name);
		int r = rename(from, to);
		if (r < 0)
			mg_err_sys(err, MGC_WRITE, "MaildirMove", "cannot move '%s' to '%s'", from, to);
		free(from);
		free(name);
		free(to);
		if (r < 0) {
			free(base);
			goto out;
		}
		v[i].new_ref = base;
	}
	/* one syncfs makes the renames of both directories durable */
	if (mg_mdfolder_sync(fb, err) == 0 && mg_mdfolder_sync(fa, err) == 0)
		sc = MG_DS_OK;
out:
	mg_mdfolder_close(fa);
	mg_mdfolder_close(fb);
	return sc;
}

static mg_dscope mv_remove_one(mg_dest *d, sctx *x, char *const *comps, size_t nc, uint32_t dst_uidv,
                               const char *ref, mg_err *err)
{
	(void)x; (void)dst_uidv;
	mg_mdfolder *f;
	if (mg_mdfolder_open(S(d)->md, comps, nc, &f, err) < 0)
		return MG_DS_DEST;
	int rc = mg_mdfolder_remove(f, ref, err);
	if (rc == 0)
		rc = mg_mdfolder_sync(f, err);
	mg_mdfolder_close(f);
	return rc < 0 ? MG_DS_DEST : MG_DS_OK;
}

static mg_dscope mv_has(mg_dest *d, sctx *x, char *const *comps, size_t nc, const char *ref, bool *yes,
                        mg_err *err)
{
	(void)x;
	mg_mdfolder *f;
	*yes = false;
	if (mg_mdfolder_open(S(d)->md, comps, nc, &f, err) < 0)
		return MG_DS_DEST;
	*yes = mg_mdfolder_find(f, ref, NULL) != NULL;
	mg_mdfolder_close(f);
	return MG_DS_OK;
}

static const mg_dest_move_ops maildir_moves = {
	.intents = false,
	.same_folder = true,
	.message_ids = mv_message_ids,
	.prepare = mv_prepare,
	.planned_ref = mv_planned_ref,
	.move = mv_move,
	.remove_one = mv_remove_one,
	.has = mv_has,
};

static const mg_dest_ops maildir_ops = {
	.kind = "maildir",
	.open = md_open,
	.close = md_close,
	.free = md_free,
	.folder_open = md_folder_open,
	.reconcile = md_reconcile,
	.copy_chunk = md_copy_chunk,
	.set_flags = md_set_flags,
	.durable = md_durable,
	.lookup = md_lookup,
	.hash_copies = md_hash_copies,
	.remove = md_remove,
	.settle = md_settle,
	.folder_close = md_folder_close,
	.rename_folder = md_rename_folder,
	.subscribe = md_subscribe,
	.moves = &maildir_moves,
};

int mg_dest_maildir_init(const mg_sync_job *job, mg_dest *d, mg_err *err)
{
	(void)err;
	md_dest *s = xcalloc(1, sizeof *s);
	s->job = job;
	d->ops = &maildir_ops;
	d->state = s;
	d->describe = xstrdup(job->maildir_root);
	return 0;
}
