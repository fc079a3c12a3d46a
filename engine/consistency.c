/* consistency.c - DataConsistencyScore per user and batch (rule in consistency.h). */
#include "config.h"

#include "engine/consistency.h"

mg_consistency mg_consistency_compute(long long total, long long bad, long long large,
                                      long long over_limit)
{
	if (total < 1)
		total = 1;
	if (bad < 0) bad = 0;
	if (large < 0) large = 0;
	if (over_limit < 0) over_limit = 0;
	if (bad == 0 && large == 0 && over_limit == 0)
		return MG_DCS_PERFECT;
	if (bad * 100 >= total)
		return MG_DCS_POOR;
	if (over_limit > 0 || bad * 1000 >= total)
		return MG_DCS_INVESTIGATE;
	return MG_DCS_GOOD;
}

mg_consistency mg_consistency_user(const mg_user *u)
{
	return mg_consistency_compute(u->total_in_source, u->items_bad, u->items_large,
	                              u->items_over_limit);
}

mg_consistency mg_consistency_batch(mg_user *const *users, size_t n)
{
	mg_consistency worst = MG_DCS_PERFECT;
	for (size_t i = 0; i < n; i++) {
		mg_consistency c = mg_consistency_user(users[i]);
		if (c > worst)
			worst = c;
	}
	return worst;
}
