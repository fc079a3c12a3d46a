/*
 * sync_count.c - count the mailbox before copying anything: one STATUS
 * (MESSAGES, and SIZE when the server offers STATUS=SIZE) per folder that
 * will be migrated, so a progress bar has its total items and bytes from the
 * start instead of a total that grows as folders are reached.  The count is
 * also what the per-mailbox item limit looks at first (plan_cutoff in
 * sync.c).  A folder the server refuses to STATUS is left out of the count
 * (the pass reports it when it gets there).
 */
#include "config.h"
#include "engine/sync_internal.h"

#include <string.h>

int sync_count_mailbox(sctx *x, const mg_folder_plan *plans, size_t np, sync_status_memo *memo,
                       mg_err *err)
{
	long long items = 0, bytes = 0;
	bool all_sizes = true;
	for (size_t i = 0; i < np; i++) {
		if (plans[i].status != MG_FPLAN_COPY)
			continue;
		if (sync_cancelled(x))
			return 0;
		mg_imap_mbox_status s;
		if (mg_source_status(x->src, plans[i].wire, &s, err) < 0) {
			if (err->category != MGC_INVALIDOP && err->category != MGC_NOTFOUND)
				return -1;        /* the connection failed */
			mg_err_clear(err);
			continue;
		}
		memo->st[i] = s;
		memo->have[i] = true;
		items += s.exists;
		bytes += (long long)s.size;
		all_sizes = all_sizes && s.has_size;
	}
	x->counted = true;
	x->count_items = items;
	x->st->items_expected = items;
	x->st->bytes_expected = all_sizes ? bytes : 0;
	sync_slog(x, "counted the mailbox: %lld items%s in the folders to migrate", items,
	          all_sizes ? "" : " (sizes unknown until read: the server lacks STATUS=SIZE)");
	sync_progress(x, true);
	return 0;
}
