/* sync_filter.c - content filter and item limits (see sync_filter.h). */
#include "config.h"
#include "engine/sync_filter.h"
#include "common/mem.h"

#include <stdlib.h>

bool mg_date_conds_ok(const mg_date_cond *c, size_t n, int64_t t)
{
	for (size_t i = 0; i < n; i++) {
		bool ok;
		switch (c[i].op) {
		case MG_CMP_GT: ok = t > c[i].when; break;
		case MG_CMP_GE: ok = t >= c[i].when; break;
		case MG_CMP_LT: ok = t < c[i].when; break;
		case MG_CMP_LE: ok = t <= c[i].when; break;
		case MG_CMP_EQ: ok = t == c[i].when; break;
		default: ok = false; break;
		}
		if (!ok)
			return false;
	}
	return true;
}

typedef struct ref { const mg_item_in *it; size_t idx; } ref;

static int newest_first(const void *a, const void *b)
{
	const mg_item_in *x = ((const ref *)a)->it, *y = ((const ref *)b)->it;
	if (x->date != y->date)
		return x->date > y->date ? -1 : 1;
	if (x->uid != y->uid)
		return x->uid > y->uid ? -1 : 1;
	return 0;
}

void mg_items_classify(const mg_item_in *items, size_t n, const mg_date_cond *conds, size_t n_conds,
                       long long large_bytes, long long max_items, long long already_counted,
                       mg_item_verdict *out)
{
	if (large_bytes <= 0)
		large_bytes = MG_LARGE_ITEM_BYTES;
	if (max_items <= 0)
		max_items = MG_MAX_ITEMS_PER_MAILBOX;
	ref *r = xmalloc((n ? n : 1) * sizeof *r);
	size_t nr = 0;
	for (size_t i = 0; i < n; i++) {
		if (!mg_date_conds_ok(conds, n_conds, items[i].date))
			out[i] = MG_ITEM_FILTERED;
		else if ((long long)items[i].size > large_bytes)
			out[i] = MG_ITEM_LARGE;
		else {
			out[i] = MG_ITEM_COPY;
			r[nr++] = (ref){ &items[i], i };
		}
	}
	long long room = max_items - already_counted;
	if (room < 0)
		room = 0;
	if ((long long)nr > room) {
		qsort(r, nr, sizeof *r, newest_first);
		for (size_t k = (size_t)room; k < nr; k++)
			out[r[k].idx] = MG_ITEM_OVER_LIMIT;
	}
	free(r);
}

int mg_item_key_cmp(const mg_item_key *a, const mg_item_key *b)
{
	if (a->date != b->date)
		return a->date > b->date ? -1 : 1;
	if (a->folder != b->folder)
		return a->folder < b->folder ? -1 : 1;
	if (a->uid != b->uid)
		return a->uid > b->uid ? -1 : 1;
	return 0;
}

static int key_qsort(const void *a, const void *b)
{
	return mg_item_key_cmp(a, b);
}

bool mg_item_cutoff(mg_item_key *keys, size_t n, long long max_items, mg_item_key *cut)
{
	if (max_items <= 0)
		max_items = MG_MAX_ITEMS_PER_MAILBOX;
	if ((long long)n <= max_items)
		return false;
	qsort(keys, n, sizeof *keys, key_qsort);
	*cut = keys[max_items - 1];
	return true;
}
