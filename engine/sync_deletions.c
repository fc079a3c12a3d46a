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
 */
#include "config.h"
#include "engine/sync_internal.h"
#include "common/mem.h"
#include "common/str.h"
#include "net/imap_subscribe.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
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
	uint32_t *present = NULL;
	size_t np = 0;
	if (all_fetched) {
		present = xmalloc((f->n_items ? f->n_items : 1) * sizeof *present);
		for (size_t i = 0; i < f->n_items; i++)
			present[np++] = f->items[i].uid;
	} else if (mg_source_uid_search(x->src, "ALL", &present, &np, err) < 0) {
		return -1;
	}
	if (np)
		qsort(present, np, sizeof *present, cmp_u32);
	uint32_t *gone = NULL;
	size_t ng = 0;
	for (size_t i = 0; i < j->n_msgs; i++) {
		uint32_t u = j->msgs[i].uid;
		if (!np || !bsearch(&u, present, np, sizeof *present, cmp_u32)) {
			gone = xrealloc(gone, (ng + 1) * sizeof *gone);
			gone[ng++] = u;
		}
	}
	free(present);
	if (!ng)
		return 0;
	x->st->items_deleted_at_source += (long long)ng;
	if (!x->job->sync_deletions) {
		sync_slog(x, "folder '%s': %zu message(s) deleted or moved away at the source since they "
		          "were copied; kept at the destination (deletion sync is off)", f->fp->name, ng);
		free(gone);
		return 0;
	}
	int rc = 0;
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
	size_t k = 0;     /* forget only the mappings whose copy is gone */
	for (size_t i = 0; rc == 0 && i < ng; i++) {
		if (rm[i])
			gone[k++] = gone[i];
		else if (!refused)
			unknown++;      /* the destination cannot address it */
	}
	removed = k;
	ng = k;
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
	free(gone);
	return rc;
}
