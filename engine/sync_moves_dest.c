/*
 * sync_moves_dest.c - the destination's part of moving a message between
 * folders (sync_moves.c has the why, the order and the crash-safety
 * argument): Maildir - rename(2) of the copy into the new folder's cur/
 * under the base name of the new source identity, with the new folder's
 * flag letters, one syncfs; IMAP target - UID MOVE (or COPY + STORE
 * \Deleted + UID EXPUNGE), the new uid from COPYUID.
 */
#include "config.h"
#include "engine/sync_moves_dest.h"
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

/* ---- Maildir ---- */

static int md_read_msgid(mg_mdfolder *f, const char *base, char **mid)
{
	*mid = NULL;
	const char *rel = mg_mdfolder_find(f, base, NULL);
	if (!rel)
		return 0;
	char *p = mg_path_join(mg_mdfolder_path(f), rel);
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	free(p);
	if (fd < 0)
		return 0;
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
	return 0;
}

static int md_message_ids(sctx *x, char *const *comps, size_t nc, char *const *dests, size_t n,
                          char **mids, mg_err *err)
{
	mg_mdfolder *f;
	if (mg_mdfolder_open(x->md, comps, nc, &f, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		md_read_msgid(f, dests[i], &mids[i]);
	mg_mdfolder_close(f);
	return 0;
}

static int md_prepare(sctx *x, const mg_folder_plan *a, const mg_folder_plan *b, uint32_t uidv_a,
                      mv *v, size_t n, uint32_t *mark, uint32_t *uidv, mg_err *err)
{
	(void)b; (void)uidv_a;
	*mark = 0;
	*uidv = 0;
	mg_mdfolder *f;
	if (mg_mdfolder_open(x->md, a->comps, a->n_comps, &f, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		v[i].drop = mg_mdfolder_find(f, v[i].da, NULL) == NULL;
	mg_mdfolder_close(f);
	return 0;
}

static int md_move(sctx *x, const mg_folder_plan *a, const mg_folder_plan *b, uint32_t uidv_b,
                   uint32_t dst_uidv_b, const uint32_t *ub, const int64_t *date, const char *const *flags, mv *v, size_t n,
                   mg_err *err)
{
	mg_mdfolder *fa = NULL, *fb = NULL;
	int rc = -1;
	(void)dst_uidv_b;
	if (mg_mdfolder_open(x->md, a->comps, a->n_comps, &fa, err) < 0 ||
	    mg_mdfolder_open(x->md, b->comps, b->n_comps, &fb, err) < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		if (v[i].drop)
			continue;
		long long size = 0;
		const char *rel = mg_mdfolder_find(fa, v[i].da, &size);
		if (!rel) {
			v[i].drop = true;
			continue;
		}
		char *store;
		const char **fl;
		size_t nfl = mg_flags_split(flags[i], &store, &fl);
		char letters[64];
		int lrc = mg_mdfolder_flag_letters(fb, fl, nfl, letters, NULL, err);
		free(store);
		free(fl);
		if (lrc < 0)
			goto out;
		char *base = mg_maildir_base(b->wire, uidv_b, ub[i], date[i]);
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
		v[i].db = base;
	}
	/* one syncfs makes the renames of both directories durable */
	rc = mg_mdfolder_sync(fb, err);
	if (rc == 0)
		rc = mg_mdfolder_sync(fa, err);
out:
	mg_mdfolder_close(fa);
	mg_mdfolder_close(fb);
	return rc;
}

static int md_remove(sctx *x, char *const *comps, size_t nc, uint32_t uidv, const char *dest, mg_err *err)
{
	(void)uidv;
	mg_mdfolder *f;
	if (mg_mdfolder_open(x->md, comps, nc, &f, err) < 0)
		return -1;
	int rc = mg_mdfolder_remove(f, dest, err);
	if (rc == 0)
		rc = mg_mdfolder_sync(f, err);
	mg_mdfolder_close(f);
	return rc;
}

static int md_has(sctx *x, char *const *comps, size_t nc, const char *dest, bool *yes, mg_err *err)
{
	mg_mdfolder *f;
	*yes = false;
	if (mg_mdfolder_open(x->md, comps, nc, &f, err) < 0)
		return -1;
	*yes = mg_mdfolder_find(f, dest, NULL) != NULL;
	mg_mdfolder_close(f);
	return 0;
}

const move_ops sync_md_move_ops = { md_message_ids, md_prepare, md_move, md_remove, md_has };

/* ---- IMAP target ---- */

static int cmp_u32(const void *a, const void *b)
{
	uint32_t p = *(const uint32_t *)a, q = *(const uint32_t *)b;
	return p < q ? -1 : p > q;
}

static int tgt_select(sctx *x, char *const *comps, size_t nc, char **wire, mg_err *err)
{
	if (mg_itarget_wire(x->tgt, comps, nc, wire, err) < 0)
		return -1;
	return mg_itarget_select(x->tgt, *wire, true, err);
}

/* A NO from the target (a folder that is gone, a name it refuses) makes the
 * messages concerned not movable (they are copied as before); 1 then, 0 when
 * err is not such a refusal. */
static int refused(mg_err *err)
{
	if (!err || !err->set || (strcmp(err->category, MGC_NOTFOUND) != 0 && strcmp(err->category, MGC_INVALIDOP) != 0))
		return 0;
	mg_err_clear(err);
	return 1;
}

static int tgt_message_ids(sctx *x, char *const *comps, size_t nc, char *const *dests, size_t n,
                           char **mids, mg_err *err)
{
	char *w = NULL;
	int rc = tgt_select(x, comps, nc, &w, err);
	free(w);
	if (rc < 0)
		return refused(err) ? 0 : -1;    /* no Message-IDs: nothing is moved */
	uint32_t *u = xmalloc((n ? n : 1) * sizeof *u);
	for (size_t i = 0; i < n; i++)
		u[i] = (uint32_t)strtoul(dests[i], NULL, 10);
	mid_ctx c = { u, mids, n };
	size_t k = 0;
	uint32_t *q = xmalloc((n ? n : 1) * sizeof *q);
	for (size_t i = 0; i < n; i++)
		if (u[i])
			q[k++] = u[i];
	rc = mg_imap_fetch_header_fields(x->tgt->c, q, k, "MESSAGE-ID", sync_mid_cb, &c, err);
	free(q);
	free(u);
	return rc;
}

static int tgt_prepare(sctx *x, const mg_folder_plan *a, const mg_folder_plan *b, uint32_t uidv_a,
                       mv *v, size_t n, uint32_t *mark, uint32_t *uidv, mg_err *err)
{
	char *wa = NULL, *wb = NULL;
	int rc = -1;
	if (!x->tgt->uidplus) {        /* the new copy's uid would be unknown */
		for (size_t i = 0; i < n; i++)
			v[i].drop = true;
		return 0;
	}
	if (mg_itarget_ensure(x->tgt, b->comps, b->n_comps, err) < 0 ||
	    mg_itarget_wire(x->tgt, b->comps, b->n_comps, &wb, err) < 0 ||
	    tgt_select(x, a->comps, a->n_comps, &wa, err) < 0) {
		if (refused(err)) {
			for (size_t i = 0; i < n; i++)
				v[i].drop = true;
			rc = 0;
		}
		goto out;
	}
	uint32_t *u = xmalloc((n ? n : 1) * sizeof *u);
	for (size_t i = 0; i < n; i++) {
		u[i] = (uint32_t)strtoul(v[i].da, NULL, 10);
		v[i].drop = !u[i] || x->tgt->sel.uidvalidity != uidv_a;
	}
	char (*h)[72] = xcalloc(n ? n : 1, 72);
	rc = sync_target_hashes(x, u, n, h, err);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		if (!strcmp(h[i], "missing"))
			v[i].drop = true;
		memcpy(v[i].hash, h[i], 72);
	}
	free(h);
	free(u);
	mg_imap_mbox_status s;
	if (rc == 0 && (rc = mg_imap_status(x->tgt->c, wb, &s, err)) == 0) {
		*mark = s.uidnext;
		*uidv = s.uidvalidity;
	}
out:
	free(wa);
	free(wb);
	return rc;
}

static int tgt_move(sctx *x, const mg_folder_plan *a, const mg_folder_plan *b, uint32_t src_uidv_b,
                    uint32_t uidv_b, const uint32_t *ub, const int64_t *date, const char *const *flags, mv *v, size_t n,
                    mg_err *err)
{
	(void)src_uidv_b; (void)ub; (void)date; (void)flags;
	char *wa = NULL, *wb = NULL;
	int rc = -1;
	uint32_t *u = xmalloc((n ? n : 1) * sizeof *u);
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (!v[i].drop)
			u[k++] = (uint32_t)strtoul(v[i].da, NULL, 10);
	if (mg_itarget_wire(x->tgt, b->comps, b->n_comps, &wb, err) < 0 ||
	    tgt_select(x, a->comps, a->n_comps, &wa, err) < 0)
		goto out;
	qsort(u, k, sizeof *u, cmp_u32);
	char *set = mg_imap_uid_set(u, k);
	mg_imap_copyuid map;
	rc = mg_imap_uid_move(x->tgt->c, set, wb, &map, err);
	free(set);
	if (rc < 0) {
		/* refused: the intents in B and the pending entries settle it (B's pass
		 * finds what arrived or copies it; then the copy in A goes) */
		if (refused(err))
			rc = 0;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		uint32_t su = (uint32_t)strtoul(v[i].da, NULL, 10);
		for (size_t q = 0; !v[i].drop && map.uidvalidity == uidv_b && q < map.n; q++)
			if (map.src[q] == su) {
				v[i].db = xasprintf("%" PRIu32, map.dst[q]);
				break;
			}
	}
	mg_imap_copyuid_free(&map);
	free(x->tgt->selected);     /* the folder changed: SELECT it again before use */
	x->tgt->selected = NULL;
out:
	free(u);
	free(wa);
	free(wb);
	return rc;
}

static int tgt_remove(sctx *x, char *const *comps, size_t nc, uint32_t uidv, const char *dest, mg_err *err)
{
	uint32_t u = (uint32_t)strtoul(dest, NULL, 10);
	char *w = NULL;
	int rc = tgt_select(x, comps, nc, &w, err);
	free(w);
	if (rc < 0)
		return refused(err) ? 0 : -1;    /* the folder is gone, and the copy with it */
	if (!u || x->tgt->sel.uidvalidity != uidv)
		return 0;             /* not ours to touch any more */
	char set[16];
	snprintf(set, sizeof set, "%" PRIu32, u);
	rc = mg_imap_uid_store_flags(x->tgt->c, set, '+', "\\Deleted", err);
	if (rc == 0)
		rc = mg_imap_uid_expunge(x->tgt->c, set, err);
	return rc;
}

const move_ops sync_tgt_move_ops = { tgt_message_ids, tgt_prepare, tgt_move, tgt_remove, NULL };
