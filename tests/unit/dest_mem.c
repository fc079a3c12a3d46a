/*
 * dest_mem.c - the in-memory destination of the sync unit tests (see
 * dest_mem.h).  Written against engine/dest.h like dest_maildir.c, so the
 * driver's logic runs unchanged; "durable" is trivially true in memory.
 */
#include "config.h"
#include "dest_mem.h"
#include "engine/sync_internal.h"
#include "common/mem.h"
#include "common/str.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct mem_fstate {
	fctx *f;
	mem_folder *mf;
	item *cur;
	strbuf body;
	bool writing;
	mg_err cb_err;
	bool cb_failed;
} mem_fstate;

static mem_dest *M(const mg_dest *d) { return d->state; }
static mem_fstate *F(const fctx *f) { return f->dfolder; }

mem_dest *mem_dest_of(mg_dest *d) { return M(d); }

static char *join(char *const *comps, size_t n)
{
	strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, "");
	for (size_t i = 0; i < n; i++) {
		if (i)
			strbuf_addc(&sb, '/');
		strbuf_adds(&sb, comps[i]);
	}
	return strbuf_detach(&sb, NULL);
}

mem_folder *mem_dest_folder(mem_dest *m, const char *name)
{
	for (size_t i = 0; i < m->nf; i++)
		if (strcmp(m->f[i].name, name) == 0)
			return &m->f[i];
	return NULL;
}

size_t mem_dest_count(mem_dest *m, const char *folder, const char *text)
{
	mem_folder *f = mem_dest_folder(m, folder);
	size_t n = 0;
	for (size_t i = 0; f && i < f->n; i++)
		n += strstr(f->m[i].body, text) != NULL;
	return n;
}

mem_msg *mem_dest_find(mem_dest *m, const char *folder, const char *body)
{
	mem_folder *f = mem_dest_folder(m, folder);
	for (size_t i = 0; f && i < f->n; i++)
		if (strcmp(f->m[i].body, body) == 0)
			return &f->m[i];
	return NULL;
}

static mem_msg *by_ref(mem_folder *f, const char *ref)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->m[i].ref, ref) == 0)
			return &f->m[i];
	return NULL;
}

static void msg_drop(mem_folder *mf, mem_msg *msg)
{
	size_t k = (size_t)(msg - mf->m);
	free(msg->ref);
	free(msg->key);
	free(msg->body);
	free(msg->flags);
	memmove(&mf->m[k], &mf->m[k + 1], (mf->n - k - 1) * sizeof *mf->m);
	mf->n--;
}

static char *key_of(fctx *f, uint32_t uid)
{
	return xasprintf("%s/%" PRIu32 "/%" PRIu32, f->fp->wire, f->uidvalidity, uid);
}

/* ---- the destination ---- */

static mg_dscope m_open(mg_dest *d, sctx *x, mg_err *err)
{
	(void)x;
	(void)err;
	M(d)->opens++;
	d->sep = '/';
	d->max_name_bytes = 200;
	return MG_DS_OK;
}

static void m_close(mg_dest *d) { (void)d; }

static void m_free(mg_dest *d)
{
	mem_dest *m = M(d);
	for (size_t i = 0; i < m->nf; i++) {
		for (size_t k = 0; k < m->f[i].n; k++) {
			free(m->f[i].m[k].ref);
			free(m->f[i].m[k].key);
			free(m->f[i].m[k].body);
			free(m->f[i].m[k].flags);
		}
		free(m->f[i].m);
		free(m->f[i].name);
	}
	free(m->f);
	free(m);
	d->state = NULL;
}

static mem_folder *folder_make(mem_dest *m, const char *name)
{
	mem_folder *f = mem_dest_folder(m, name);
	if (f)
		return f;
	GROW(m->f, m->capf, m->nf + 1);
	f = &m->f[m->nf++];
	memset(f, 0, sizeof *f);
	f->name = xstrdup(name);
	return f;
}

static mg_dscope m_folder_open(fctx *f, mg_err *err)
{
	mem_fstate *s = xcalloc(1, sizeof *s);
	s->f = f;
	f->dfolder = s;
	char *name = join(f->fp->comps, f->fp->n_comps);
	if (strstr(name, "Refused")) {     /* a name this destination cannot hold */
		free(name);
		mg_err_set(err, MGC_INVALIDARG, "FolderNameInvalid", "the memory destination refuses this name");
		return MG_DS_FOLDER;
	}
	s->mf = folder_make(M(f->x->dest), name);
	free(name);
	return MG_DS_OK;
}

static mg_dscope m_reconcile(fctx *f, mg_err *err)
{
	(void)f;
	(void)err;
	return MG_DS_OK;
}

static void m_folder_close(fctx *f)
{
	mem_fstate *s = F(f);
	if (!s)
		return;
	strbuf_free(&s->body);
	free(s);
	f->dfolder = NULL;
}

static mem_msg *store(mem_dest *m, mem_folder *mf, const char *key, strbuf *body, const char *flags)
{
	/* every write adds a message (like an APPEND, unlike a Maildir file of
	 * the same name): only lookup keeps a resumed copy from being doubled */
	GROW(mf->m, mf->cap, mf->n + 1);
	mem_msg *msg = &mf->m[mf->n++];
	memset(msg, 0, sizeof *msg);
	msg->ref = xasprintf("m%ld", ++m->next_ref);
	msg->key = xstrdup(key);
	msg->len = body->len;
	msg->body = strbuf_detach(body, NULL);
	msg->flags = xstrdup(flags);
	m->stored++;
	return msg;
}

static int b_begin(void *arg, uint32_t uid, uint64_t size)
{
	mem_fstate *s = arg;
	(void)size;
	mem_dest *m = M(s->f->x->dest);
	if (sync_cancelled(s->f->x))
		return -1;
	if (m->fail_after >= 0 && m->stored >= m->fail_after) {
		mg_err_set(&s->cb_err, MGC_WRITE, "MemDestFull", "the memory destination is full (test fault)");
		s->cb_failed = true;
		return -1;
	}
	s->cur = sync_find_item(s->f->items, s->f->n_items, uid);
	s->writing = s->cur != NULL;
	strbuf_reset(&s->body);
	strbuf_adds(&s->body, "");
	return 0;
}

static int b_data(void *arg, uint32_t uid, const void *p, size_t n)
{
	mem_fstate *s = arg;
	(void)uid;
	s->f->x->st->bytes_transferred += (long long)n;
	if (s->writing)
		strbuf_add(&s->body, p, n);
	return 0;
}

static int b_end(void *arg, uint32_t uid)
{
	mem_fstate *s = arg;
	fctx *f = s->f;
	mem_dest *m = M(f->x->dest);
	if (!s->writing)
		return 0;
	s->writing = false;
	if (f->rescan) {
		hasher h = { 0 };
		char hash[72] = "";
		sync_hash_start(&h);
		sync_hash_add(&h, s->body.buf, s->body.len);
		sync_hash_end(&h, hash);
		sync_hash_free(&h);
		long oi = sync_find_orphan(f, s->cur->size, hash);
		if (oi >= 0)
			return sync_use_orphan(f, s->cur, (size_t)oi, &s->cb_err) == MG_DS_OK ? 0 : -1;
	}
	char *key = key_of(f, uid);
	mem_msg *msg = store(m, s->mf, key, &s->body, s->cur->flags);
	free(key);
	sync_copied(f, uid, msg->ref, false);
	if (m->cancel && m->cancel_after >= 0 && m->stored >= m->cancel_after)
		*m->cancel = 1;
	return 0;
}

static void b_missing(void *arg, uint32_t uid, const char *reason)
{
	sync_bad_missing(((mem_fstate *)arg)->f, uid, reason);
}

static mg_dscope m_copy_chunk(fctx *f, item **chunk, size_t n, mg_err *err)
{
	mem_fstate *s = F(f);
	uint32_t *uids = xmalloc((n ? n : 1) * sizeof *uids);
	for (size_t i = 0; i < n; i++)
		uids[i] = chunk[i]->uid;
	mg_imap_body_cb cb = { b_begin, b_data, b_end, b_missing, s };
	s->cb_failed = false;
	int rc = n ? sync_fetch_bodies(f, uids, NULL, n, &cb, err) : 0;
	free(uids);
	if (rc < 0) {
		if (s->cb_failed)
			mg_err_copy(err, &s->cb_err);
		sync_dn_clear(f);        /* stored, never journalled: like a crash before the commit */
		return sync_fail_scope(f);
	}
	return sync_commit(f, err);
}

static mg_dscope m_set_flags(fctx *f, const char *ref, const char *flags, mg_err *err)
{
	mem_msg *msg = by_ref(F(f)->mf, ref);
	if (!msg) {
		mg_err_set(err, MGC_NOTFOUND, "MemMessageGone", "message %s is not in the memory destination", ref);
		return MG_DS_MESSAGE;
	}
	free(msg->flags);
	msg->flags = xstrdup(flags);
	return MG_DS_OK;
}

static mg_dscope m_durable(fctx *f, mg_err *err)
{
	(void)f;
	(void)err;
	return MG_DS_OK;
}

static mg_dscope m_lookup(fctx *f, const item *it, char **ref, mg_err *err)
{
	(void)err;
	mem_fstate *s = F(f);
	if (M(f->x->dest)->no_lookup)
		return MG_DS_MESSAGE;
	char *key = key_of(f, it->uid);
	mg_dscope sc = MG_DS_MESSAGE;
	for (size_t i = 0; i < s->mf->n; i++)
		if (strcmp(s->mf->m[i].key, key) == 0) {
			*ref = xstrdup(s->mf->m[i].ref);
			sc = MG_DS_OK;
			break;
		}
	free(key);
	return sc;
}

static mg_dscope m_hash_copies(fctx *f, const char *const *refs, size_t n, char (*out)[72], mg_err *err)
{
	(void)err;
	for (size_t i = 0; i < n; i++) {
		mem_msg *msg = by_ref(F(f)->mf, refs[i]);
		if (!msg) {
			snprintf(out[i], 72, "missing");
			continue;
		}
		hasher h = { 0 };
		sync_hash_start(&h);
		sync_hash_add(&h, msg->body, msg->len);
		sync_hash_end(&h, out[i]);
		sync_hash_free(&h);
	}
	return MG_DS_OK;
}

static mg_dscope m_remove(fctx *f, const char *const *refs, size_t n, bool *gone, mg_err *err)
{
	(void)err;
	mem_folder *mf = F(f)->mf;
	for (size_t i = 0; i < n; i++) {
		mem_msg *msg = by_ref(mf, refs[i]);
		if (msg)
			msg_drop(mf, msg);
		gone[i] = true;
	}
	return MG_DS_OK;
}

static mg_dscope m_settle(fctx *f, mg_err *err)
{
	(void)f;
	(void)err;
	return MG_DS_OK;
}

static mg_dscope m_rename_folder(mg_dest *d, sctx *x, char *const *from, size_t nf, char *const *to,
                                 size_t nt, mg_err *err)
{
	(void)x;
	(void)err;
	char *a = join(from, nf), *b = join(to, nt);
	mem_folder *fa = mem_dest_folder(M(d), a), *fb = mem_dest_folder(M(d), b);
	mg_dscope sc = MG_DS_FOLDER;
	if (fa && !fb) {
		free(fa->name);
		fa->name = xstrdup(b);
		sc = MG_DS_OK;
	} else if (!fa && fb) {
		sc = MG_DS_OK;
	}
	free(a);
	free(b);
	return sc;
}

static mg_dscope m_subscribe(mg_dest *d, sctx *x, const mg_dest_folder_ref *v, size_t n, mg_err *err)
{
	(void)x;
	(void)err;
	mem_dest *m = M(d);
	for (size_t i = 0; i < m->nf; i++)
		m->f[i].subscribed = false;
	for (size_t i = 0; i < n; i++) {
		char *name = join(v[i].comps, v[i].n);
		folder_make(m, name)->subscribed = true;
		free(name);
	}
	return MG_DS_OK;
}

/* ---- moves (engine/dest.h mg_dest_move_ops; sync_moves.c drives them) ----
 * Atomic like dest_maildir.c's rename(2): no intents.  A moved copy takes the
 * source identity of its new place (folder b, b's UIDVALIDITY, the new uid),
 * so b's lookup finds it as it finds a copy a stopped run stored there; its
 * reference is made of that identity (planned_ref), like the Maildir base
 * name. */

static mem_folder *folder_of(mem_dest *m, char *const *comps, size_t n)
{
	char *name = join(comps, n);
	mem_folder *f = mem_dest_folder(m, name);
	free(name);
	return f;
}

static mg_dscope mv_message_ids(mg_dest *d, sctx *x, char *const *comps, size_t nc, char *const *refs,
                                size_t n, char **mids, mg_err *err)
{
	(void)x;
	(void)err;
	mem_folder *f = folder_of(M(d), comps, nc);
	for (size_t i = 0; i < n; i++) {
		mem_msg *msg = f ? by_ref(f, refs[i]) : NULL;
		mids[i] = msg ? sync_msgid_of(msg->body, msg->len) : NULL;
	}
	return MG_DS_OK;
}

static mg_dscope mv_prepare(mg_dest *d, sctx *x, const mg_folder_plan *a, const mg_folder_plan *b,
                            uint32_t uidv_a, mg_dest_move *v, size_t n, uint32_t *mark, uint32_t *uidv,
                            mg_err *err)
{
	(void)x; (void)uidv_a; (void)err;
	*mark = 0;
	*uidv = 0;
	mem_dest *m = M(d);
	char *nb = join(b->comps, b->n_comps);
	folder_make(m, nb);
	free(nb);
	mem_folder *fa = folder_of(m, a->comps, a->n_comps);    /* after folder_make: it may move m->f */
	for (size_t i = 0; i < n; i++)
		v[i].drop = !fa || !by_ref(fa, v[i].ref);
	return MG_DS_OK;
}

static char *mv_planned_ref(mg_dest *d, const mg_folder_plan *b, uint32_t src_uidv_b, uint32_t uid,
                            int64_t date)
{
	(void)d;
	(void)date;
	return xasprintf("v:%s/%" PRIu32 "/%" PRIu32, b->wire, src_uidv_b, uid);
}

static mg_dscope mv_move(mg_dest *d, sctx *x, const mg_folder_plan *a, const mg_folder_plan *b,
                         uint32_t src_uidv_b, uint32_t dst_uidv_b, mg_dest_move *v, size_t n, mg_err *err)
{
	(void)x; (void)dst_uidv_b;
	mem_dest *m = M(d);
	mem_folder *fa = folder_of(m, a->comps, a->n_comps), *fb = folder_of(m, b->comps, b->n_comps);
	if (!fa || !fb) {
		mg_err_set(err, MGC_NOTFOUND, "MemFolderGone", "a folder of the move is not in the memory destination");
		return MG_DS_DEST;
	}
	for (size_t i = 0; i < n; i++) {
		if (v[i].drop)
			continue;
		mem_msg *msg = by_ref(fa, v[i].ref);
		if (!msg) {          /* refused: stays unmoved (no new_ref) */
			v[i].drop = true;
			continue;
		}
		if (m->move_fail_after >= 0 && m->moved >= m->move_fail_after) {
			mg_err_set(err, MGC_WRITE, "MemMoveFailed", "the memory destination failed while moving (test fault)");
			return MG_DS_DEST;   /* the moves before this one are done, as after a crash */
		}
		mem_msg old = *msg;                 /* fa may be fb: GROW may move msg */
		size_t k = (size_t)(msg - fa->m);
		GROW(fb->m, fb->cap, fb->n + 1);
		mem_msg *nm = &fb->m[fb->n++];
		nm->ref = mv_planned_ref(d, b, src_uidv_b, v[i].uid, v[i].date);
		nm->key = xasprintf("%s/%" PRIu32 "/%" PRIu32, b->wire, src_uidv_b, v[i].uid);
		nm->body = old.body;
		nm->len = old.len;
		nm->flags = xstrdup(v[i].flags);
		free(old.ref);
		free(old.key);
		free(old.flags);
		memmove(&fa->m[k], &fa->m[k + 1], (fa->n - k - 1) * sizeof *fa->m);   /* the new one is after k */
		fa->n--;
		v[i].new_ref = xstrdup(nm->ref);
		m->moved++;
	}
	return MG_DS_OK;
}

static mg_dscope mv_remove_one(mg_dest *d, sctx *x, char *const *comps, size_t nc, uint32_t dst_uidv,
                               const char *ref, mg_err *err)
{
	(void)x; (void)dst_uidv; (void)err;
	mem_folder *f = folder_of(M(d), comps, nc);
	mem_msg *msg = f ? by_ref(f, ref) : NULL;
	if (msg)
		msg_drop(f, msg);
	return MG_DS_OK;
}

static mg_dscope mv_has(mg_dest *d, sctx *x, char *const *comps, size_t nc, const char *ref, bool *yes,
                        mg_err *err)
{
	(void)x; (void)err;
	mem_folder *f = folder_of(M(d), comps, nc);
	*yes = f && by_ref(f, ref);
	return MG_DS_OK;
}

static const mg_dest_move_ops mem_moves = {
	.intents = false,
	.same_folder = true,
	.message_ids = mv_message_ids,
	.prepare = mv_prepare,
	.planned_ref = mv_planned_ref,
	.move = mv_move,
	.remove_one = mv_remove_one,
	.has = mv_has,
};

/* the operations of both tables below */
#define MEM_OPS_COMMON                                  \
	.kind = "memory",                               \
	.open = m_open,                                 \
	.close = m_close,                               \
	.free = m_free,                                 \
	.folder_open = m_folder_open,                   \
	.reconcile = m_reconcile,                       \
	.copy_chunk = m_copy_chunk,                     \
	.set_flags = m_set_flags,                       \
	.durable = m_durable,                           \
	.lookup = m_lookup,                             \
	.hash_copies = m_hash_copies,                   \
	.remove = m_remove,                             \
	.settle = m_settle,                             \
	.folder_close = m_folder_close,                 \
	.rename_folder = m_rename_folder,               \
	.subscribe = m_subscribe

static const mg_dest_ops mem_ops = { MEM_OPS_COMMON, .moves = &mem_moves };

/* the same without moves (moves NULL): a message moved at the source is
 * copied into its new folder again, its old copy handled as a deletion */
static const mg_dest_ops mem_ops_nomove = { MEM_OPS_COMMON, .moves = NULL };

void mem_dest_no_moves(mg_dest *d)
{
	d->ops = &mem_ops_nomove;
}

void mem_dest_put(mem_dest *m, const char *folder, const char *body)
{
	strbuf b = STRBUF_INIT;
	strbuf_adds(&b, body);
	store(m, folder_make(m, folder), "someone else's", &b, "");
}

void mem_dest_delete(mem_dest *m, const char *folder, const char *body)
{
	mem_folder *f = mem_dest_folder(m, folder);
	mem_msg *msg = mem_dest_find(m, folder, body);
	if (f && msg)
		msg_drop(f, msg);
}

void mem_dest_init(mg_dest *d)
{
	memset(d, 0, sizeof *d);
	mem_dest *m = xcalloc(1, sizeof *m);
	m->fail_after = -1;
	m->cancel_after = -1;
	m->move_fail_after = -1;
	d->ops = &mem_ops;
	d->state = m;
	d->describe = xstrdup("memory");
}
