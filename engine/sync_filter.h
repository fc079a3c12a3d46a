/*
 * sync_filter.h - per-message decisions of the sync: -ContentFilter date
 * conditions and the item limits (large items, items per mailbox).
 */
#ifndef MIGSH_ENGINE_SYNC_FILTER_H
#define MIGSH_ENGINE_SYNC_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "engine/sync.h"

/* All conditions hold for internal date t (no conditions: true). */
bool mg_date_conds_ok(const mg_date_cond *c, size_t n, int64_t t);

typedef enum mg_item_verdict {
	MG_ITEM_COPY = 0,
	MG_ITEM_FILTERED,     /* -ContentFilter */
	MG_ITEM_LARGE,        /* over large_item_bytes */
	MG_ITEM_OVER_LIMIT    /* beyond max_items (newest kept) */
} mg_item_verdict;

typedef struct mg_item_in {
	uint32_t uid;
	int64_t  date;
	uint64_t size;
} mg_item_in;

/* Decide for each of n items (any order): filter first, then size, then the
 * per-mailbox limit: of the remaining items only the `max_items` newest
 * (by internal date, then uid) are copied.  already_counted: items of the
 * mailbox already taken by earlier folders (they count against max_items).
 * out[i] is the verdict of items[i]. */
void mg_items_classify(const mg_item_in *items, size_t n, const mg_date_cond *conds, size_t n_conds,
                       long long large_bytes, long long max_items, long long already_counted,
                       mg_item_verdict *out);

/* The per-mailbox limit across folders: Exchange migrates the newest
 * max_items items of the whole mailbox.  An item's place in that order is its
 * key; newest first, then the folder's position in the plan, then the higher uid. */
typedef struct mg_item_key {
	int64_t  date;
	uint32_t folder;
	uint32_t uid;
} mg_item_key;

/* < 0 when a comes before b (is newer) in the newest-first order. */
int mg_item_key_cmp(const mg_item_key *a, const mg_item_key *b);

/* With more than max_items keys: sort them newest first, put the last one
 * still copied in *cut and return true (an item whose key compares > *cut is
 * over the limit).  Otherwise false: nothing is over the limit. */
bool mg_item_cutoff(mg_item_key *keys, size_t n, long long max_items, mg_item_key *cut);

#endif
