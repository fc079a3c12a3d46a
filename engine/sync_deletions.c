/*
 * sync_deletions.c - messages deleted (or moved away) at the source after
 * they were copied.  Every pass compares the folder's journal with the
 * UIDs the source folder still has (from the metadata fetch of a full
 * pass, else one UID SEARCH ALL): a mapped UID that is gone was deleted or
 * moved to another folder (where it is a new message and gets copied).
 * They are counted and reported always; only with deletion sync on (the
 * job's sync_deletions, off by default, beyond what Exchange does) is the
 * destination copy removed - exactly the copy the journal maps, never any
 * other message at the destination - and then the mapping is forgotten.
 * Order: destination first (its remove operation, engine/dest.h: Maildir
 * unlink made durable, or UID STORE \Deleted + UID EXPUNGE of those target
 * UIDs), journal X records second; a
 * crash in between leaves mappings whose copy is already gone, removed
 * again (a no-op) by the next pass.  A target without UIDPLUS or a copy
 * whose target UID is unknown is reported and left.
 *
 * Finding the gone messages without listing every uid: when the source
 * offers QRESYNC (RFC 7162; enabled at connect) and the folder's last
 * complete pass recorded a HIGHESTMODSEQ, the folder is examined with
 * (QRESYNC (UIDVALIDITY modseq)) and the server lists the uids expunged
 * since in VANISHED (EARLIER); the uids found gone by earlier passes whose
 * copies were kept (deletion sync off, or a target uid unknown) are in
 * "<journal>.gone" (the skipped-items file format), written before the pass
 * is recorded as done, so the two together are every mapped uid that is
 * gone.  Otherwise one UID SEARCH ALL is compared with the journal.
 */
#include "config.h"
#include "engine/sync_internal.h"
#include "common/mem.h"
#include "common/str.h"
#include "net/imap_subscribe.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* mapped uids of j not in present[0..np) (sorted) */
static uint32_t *mapped_not_in(const mg_journal *j, const uint32_t *present, size_t np, size_t *ng)
{
	uint32_t *gone = xmalloc((j->n_msgs ? j->n_msgs : 1) * sizeof *gone);
	*ng = 0;
	for (size_t i = 0; i < j->n_msgs; i++) {
		uint32_t u = j->msgs[i].uid;
		if (!np || !bsearch(&u, present, np, sizeof *present, cmp_u32))
			gone[(*ng)++] = u;
	}
	return gone;
}

static char *gone_path(const mg_journal *j)
{
	return xasprintf("%s.gone", j->path);
}

/* The mapped uids of j gone from the source folder `wire` (examined here):
 * by QRESYNC when possible (*vanished_used), else by UID SEARCH ALL.
 * Sorted. */
static int gone_of(sctx *x, const char *name, const char *wire, mg_journal *j, bool *vanished_used,
                   uint32_t **gone, size_t *ng, mg_err *err)
{
	*gone = NULL;
	*ng = 0;
	*vanished_used = false;
	mg_imap_mbox_status ss;
	if (mg_source_qresync(x->src) && j->modseq && j->uidvalidity) {
		uint32_t *v = NULL, *known = NULL;
		size_t nv = 0, nk = 0;
		char *gp = gone_path(j);
		int lrc = sync_skipset_load(gp, j->uidvalidity, &known, &nk, err);
		free(gp);
		if (lrc < 0)
			return -1;
		if (mg_source_examine_qresync(x->src, wire, j->uidvalidity, j->modseq, &ss, &v, &nv, err) < 0) {
			free(known);
			return -1;
		}
		if (ss.uidvalidity != j->uidvalidity) {
			free(v);
			free(known);
			return 0;         /* a new incarnation: the folder's pass rescans it */
		}
		v = xrealloc(v, (nv + nk + 1) * sizeof *v);
		if (nk)
			memcpy(v + nv, known, nk * sizeof *known);
		nv += nk;
		free(known);
		if (nv)
			qsort(v, nv, sizeof *v, cmp_u32);
		uint32_t *g = xmalloc((j->n_msgs ? j->n_msgs : 1) * sizeof *g);
		for (size_t i = 0; i < j->n_msgs; i++) {
			uint32_t u = j->msgs[i].uid;
			if (nv && bsearch(&u, v, nv, sizeof *v, cmp_u32))
				g[(*ng)++] = u;
		}
		free(v);
		*gone = g;
		*vanished_used = true;
		if (*ng)
			sync_slog(x, "folder '%s': %zu message(s) copied earlier are gone from the source "
		          "(QRESYNC VANISHED since modseq %" PRIu64 ")", name, *ng, j->modseq);
		return 0;
	}
	if (mg_source_examine(x->src, wire, &ss, err) < 0)
		return -1;
	if (ss.uidvalidity != j->uidvalidity)
		return 0;
	uint32_t *present = NULL;
	size_t np = 0;
	if (ss.exists && mg_source_uid_search(x->src, "ALL", &present, &np, err) < 0)
		return -1;
	if (np)
		qsort(present, np, sizeof *present, cmp_u32);
	*gone = mapped_not_in(j, present, np, ng);
	free(present);
	return 0;
}

int sync_gone_uids(sctx *x, const mg_folder_plan *fp, mg_journal *j, uint32_t **gone, size_t *ng,
                   mg_err *err)
{
	bool vu;
	return gone_of(x, fp->name, fp->wire, j, &vu, gone, ng, err);
}

/* Remember the mapped uids that are gone (their copies kept), for the next
 * pass's QRESYNC; before the folder's pass is recorded as done. */
static int save_kept(sctx *x, mg_journal *j, const uint32_t *gone, size_t ng, mg_err *err)
{
	(void)x;
	char *gp = gone_path(j);
	uint32_t *k = xmalloc((ng ? ng : 1) * sizeof *k);
	size_t nk = 0;
	for (size_t i = 0; i < ng; i++)
		if (mg_journal_find(j, gone[i]))
			k[nk++] = gone[i];
	int rc = 0;
	if (nk || access(gp, F_OK) == 0)
		rc = sync_skipset_save(gp, j->uidvalidity, k, nk, err);
	free(k);
	free(gp);
	return rc;
}

int sync_deletions(fctx *f, bool all_fetched, uint32_t exists, mg_err *err)
{
	sctx *x = f->x;
	mg_journal *j = f->j;
	if (!j->n_msgs || f->rescan)
		return 0;
	if (!all_fetched) {
		/* every uid of the folder that is not mapped was fetched (new, or skipped
		 * before): when they and the mapped ones add up to EXISTS, none is gone */
		size_t unmapped = 0;
		for (size_t i = 0; i < f->n_items; i++)
			unmapped += mg_journal_find(j, f->items[i].uid) == NULL;
		if ((size_t)exists == j->n_msgs + unmapped)
			return 0;
	}
	size_t ng = 0;
	uint32_t *gone = NULL;
	if (all_fetched) {
		uint32_t *present = xmalloc((f->n_items ? f->n_items : 1) * sizeof *present);
		size_t np = 0;
		for (size_t i = 0; i < f->n_items; i++)
			present[np++] = f->items[i].uid;
		if (np)
			qsort(present, np, sizeof *present, cmp_u32);
		gone = mapped_not_in(j, present, np, &ng);
		free(present);
	} else {
		bool vu;
		if (gone_of(x, f->fp->name, f->fp->wire, j, &vu, &gone, &ng, err) < 0)
			return -1;
	}
	/* a message whose move (sync_moves.c) is not finished is neither deleted nor kept */
	uint32_t *pend = NULL;
	size_t npend = 0;
	if (ng && sync_moves_pending_uids(x, j->path, &pend, &npend, err) < 0) {
		free(gone);
		return -1;
	}
	size_t k = 0;
	for (size_t i = 0; i < ng; i++) {
		bool p = false;
		for (size_t q = 0; q < npend && !p; q++)
			p = pend[q] == gone[i];
		if (!p)
			gone[k++] = gone[i];
	}
	ng = k;
	free(pend);
	uint32_t *all = xmalloc((ng ? ng : 1) * sizeof *all);   /* kept copies are remembered from these */
	size_t nall = ng;
	if (ng)
		memcpy(all, gone, ng * sizeof *gone);
	int rc = 0;
	if (!ng)
		goto done;
	x->st->items_deleted_at_source += (long long)ng;
	if (!x->job->sync_deletions) {
		sync_slog(x, "folder '%s': %zu message(s) deleted or moved away at the source since they "
		          "were copied; kept at the destination (deletion sync is off)", f->fp->name, ng);
		goto done;
	}
	size_t total = ng, removed = 0, unknown = 0;
	const char **refs = xmalloc(ng * sizeof *refs);
	bool *rm = xcalloc(ng, sizeof *rm);
	for (size_t i = 0; i < ng; i++)
		refs[i] = mg_journal_find(j, gone[i])->dest;
	mg_dscope sc = x->dest->ops->remove(f, refs, ng, rm, err);
	bool refused = sc == MG_DS_FOLDER;
	if (refused) {
		sync_slog(x, "folder '%s': %zu message(s) deleted at the source were not deleted "
		          "at the target: %s", f->fp->name, ng, err->msg);
		mg_err_clear(err);
		sc = MG_DS_OK;
	}
	rc = sync_scope_rc(x, sc, err);
	size_t kg = 0;     /* forget only the mappings whose copy is gone */
	for (size_t i = 0; rc == 0 && i < ng; i++) {
		if (rm[i])
			gone[kg++] = gone[i];
		else if (!refused)
			unknown++;      /* the destination cannot address it */
	}
	removed = kg;
	ng = kg;
	free(rm);
	free(refs);
	if (rc == 0) {
		for (size_t i = 0; i < ng; i++)
			mg_journal_forget(j, gone[i]);
		rc = mg_journal_flush(j, err);
	}
	if (rc == 0) {
		x->st->items_expunged += (long long)removed;
		sync_slog(x, "folder '%s': %zu message(s) deleted or moved away at the source since they "
		          "were copied; %zu deleted at the destination too (deletion sync)%s", f->fp->name,
		          total, removed,
		          unknown ? "; the others' target UID is unknown (the target lacked UIDPLUS)" : "");
	}
done:
	if (rc == 0)
		rc = save_kept(x, j, all, nall, err);
	free(all);
	free(gone);
	return rc;
}
