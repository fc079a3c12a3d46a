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
 * Order: destination first (Maildir unlink made durable, or UID STORE
 * \Deleted + UID EXPUNGE of those target UIDs), journal X records second; a
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

static int remove_at_target(fctx *f, uint32_t *tuids, size_t n, mg_err *err)
{
	mg_imap *c = f->x->tgt->c;
	qsort(tuids, n, sizeof *tuids, cmp_u32);
	for (size_t pos = 0; pos < n;) {
		char *set = sync_uidset_next(tuids, n, &pos, 4000);
		int rc = mg_imap_uid_store_flags(c, set, '+', "\\Deleted", err);
		if (rc == 0)
			rc = mg_imap_uid_expunge(c, set, err);
		free(set);
		if (rc < 0)
			return -1;
	}
	return 0;
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
	} else if (mg_imap_uid_search(x->src, "ALL", &present, &np, err) < 0) {
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
	if (f->mf) {
		for (size_t i = 0; i < ng && rc == 0; i++)
			rc = mg_mdfolder_remove(f->mf, mg_journal_find(j, gone[i])->dest, err);
		if (rc == 0)
			rc = mg_mdfolder_sync(f->mf, err);
		removed = rc == 0 ? ng : 0;
	} else {
		uint32_t *t = xmalloc(ng * sizeof *t);
		size_t nt = 0;
		for (size_t i = 0; i < ng; i++) {
			uint32_t tu = (uint32_t)strtoul(mg_journal_find(j, gone[i])->dest, NULL, 10);
			if (tu)
				t[nt++] = tu;
			else
				unknown++;
		}
		bool ok = false;
		if (nt) {
			rc = remove_at_target(f, t, nt, err);
			ok = rc == 0;
			if (rc < 0 && err->category == MGC_INVALIDOP) {
				sync_slog(x, "folder '%s': %zu message(s) deleted at the source were not deleted "
				          "at the target: %s", f->fp->name, nt, err->msg);
				mg_err_clear(err);
				rc = 0;
			}
		}
		removed = ok ? nt : 0;
		size_t k = 0;     /* forget only the mappings whose copy is gone */
		for (size_t i = 0; ok && i < ng; i++)
			if (strtoul(mg_journal_find(j, gone[i])->dest, NULL, 10))
				gone[k++] = gone[i];
		ng = k;
		free(t);
	}
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
