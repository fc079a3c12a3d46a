/*
 * consistency.h - DataConsistencyScore per user and per batch.
 *
 * The rule (quoted by the man pages; Exchange's idea: how much data was lost):
 * only items migsh could not copy count - bad items (unreadable at the
 * source or rejected by the destination), large items (over 35 MB) and
 * items over the 500,000-item limit.  Items the admin chose not to migrate
 * (-ExcludeFolders, -IncludeFolders, -ContentFilter, '/'-named folders)
 * do not lower the score.  With T = TotalItemsInSourceMailboxCount (at least 1):
 *   Perfect      nothing was lost.
 *   Good         no bad items, or fewer than 1 in 1,000 (0.1 %) of T are bad;
 *                large items allowed; nothing over the item limit.
 *   Investigate  fewer than 1 in 100 (1 %) of T are bad, or items over the
 *                item limit were left behind.
 *   Poor         1 % or more of T are bad.
 * A batch's score is the worst score of its users.  Approving skipped items
 * (-ApproveSkippedItems) does not change the score; it clears
 * HasUnapprovedSkippedItems.
 */
#ifndef MIGSH_ENGINE_CONSISTENCY_H
#define MIGSH_ENGINE_CONSISTENCY_H

#include <stddef.h>
#include "engine/records.h"

mg_consistency mg_consistency_compute(long long total, long long bad, long long large,
                                      long long over_limit);
mg_consistency mg_consistency_user(const mg_user *u);
mg_consistency mg_consistency_batch(mg_user *const *users, size_t n);

#endif
