/* test_sync_filter.c - unit tests for engine/sync_filter.c: -ContentFilter
 * date conditions and the item limits (large items, newest-first limit). */
#include "config.h"
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "engine/sync_filter.h"

static void test_date_conds(void **st)
{
	(void)st;
	mg_date_cond c[] = { { MG_CMP_GE, 100 }, { MG_CMP_LT, 200 } };
	assert_true(mg_date_conds_ok(c, 0, 5));
	assert_true(mg_date_conds_ok(c, 2, 100));
	assert_true(mg_date_conds_ok(c, 2, 199));
	assert_false(mg_date_conds_ok(c, 2, 200));
	assert_false(mg_date_conds_ok(c, 2, 99));
	mg_date_cond g[] = { { MG_CMP_GT, 100 } }, l[] = { { MG_CMP_LE, 100 } }, e[] = { { MG_CMP_EQ, 7 } };
	assert_false(mg_date_conds_ok(g, 1, 100));
	assert_true(mg_date_conds_ok(l, 1, 100));
	assert_true(mg_date_conds_ok(e, 1, 7));
	assert_false(mg_date_conds_ok(e, 1, 8));
}

static void test_classify(void **st)
{
	(void)st;
	mg_item_in it[] = {
		{ 1, 1000, 10 }, { 2, 5000, 10 }, { 3, 3000, 999 }, { 4, 4000, 10 }, { 5, 50, 10 },
		{ 6, 2000, 10 },
	};
	mg_date_cond c[] = { { MG_CMP_GE, 100 } };
	mg_item_verdict v[6];
	/* uid 5 filtered, uid 3 large; of the other four the 2 newest (2, 4) copied */
	mg_items_classify(it, 6, c, 1, 500, 2, 0, v);
	assert_int_equal(v[4], MG_ITEM_FILTERED);
	assert_int_equal(v[2], MG_ITEM_LARGE);
	assert_int_equal(v[1], MG_ITEM_COPY);
	assert_int_equal(v[3], MG_ITEM_COPY);
	assert_int_equal(v[0], MG_ITEM_OVER_LIMIT);
	assert_int_equal(v[5], MG_ITEM_OVER_LIMIT);
	/* items already taken by other folders count against the limit */
	mg_items_classify(it, 6, NULL, 0, 0, 5, 4, v);
	int copied = 0;
	for (int i = 0; i < 6; i++)
		copied += v[i] == MG_ITEM_COPY;
	assert_int_equal(copied, 1);
	assert_int_equal(v[1], MG_ITEM_COPY);
	/* defaults: 35 MB, 500,000 items */
	mg_item_in big[] = { { 1, 1, MG_LARGE_ITEM_BYTES }, { 2, 1, MG_LARGE_ITEM_BYTES + 1 } };
	mg_items_classify(big, 2, NULL, 0, 0, 0, 0, v);
	assert_int_equal(v[0], MG_ITEM_COPY);
	assert_int_equal(v[1], MG_ITEM_LARGE);
}

/* the mailbox-wide limit: newest first across folders, ties by folder then uid */
static void test_item_cutoff(void **st)
{
	(void)st;
	mg_item_key k[] = {
		{ 100, 0, 1 }, { 300, 1, 5 }, { 200, 0, 2 }, { 300, 0, 9 }, { 50, 1, 1 },
	};
	mg_item_key cut;
	assert_false(mg_item_cutoff(k, 5, 5, &cut));
	assert_false(mg_item_cutoff(k, 5, 9, &cut));
	assert_true(mg_item_cutoff(k, 5, 3, &cut));
	/* order: (300,f0,u9) (300,f1,u5) (200,f0,u2) | (100,f0,u1) (50,f1,u1) */
	assert_int_equal(cut.date, 200);
	assert_int_equal(cut.folder, 0);
	mg_item_key older = { 100, 0, 1 }, newer = { 300, 1, 5 }, same_date_later_folder = { 200, 1, 7 };
	assert_true(mg_item_key_cmp(&older, &cut) > 0);
	assert_true(mg_item_key_cmp(&newer, &cut) < 0);
	assert_true(mg_item_key_cmp(&same_date_later_folder, &cut) > 0);
	assert_int_equal(mg_item_key_cmp(&cut, &cut), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_item_cutoff),
		cmocka_unit_test(test_date_conds),
		cmocka_unit_test(test_classify),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
