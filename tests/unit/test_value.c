/* test_value.c - unit tests for the shell object model (shell/value.c). */
#include "config.h"
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include "shell/value.h"
#include "common/date_text.h"

static void check_str(mv *v, const char *want)
{
	char *s = mv_to_string(v);
	assert_string_equal(s, want);
	free(s);
	mv_unref(v);
}

static void test_scalars_to_string(void **st)
{
	(void)st;
	check_str(mv_null(), "");
	check_str(mv_bool(true), "True");
	check_str(mv_bool(false), "False");
	check_str(mv_int(-42), "-42");
	check_str(mv_double(1.5), "1.5");
	check_str(mv_double(3.0), "3");
	check_str(mv_double(1.0 / 3.0), "0.333333333333333");
	check_str(mv_string("héllo"), "héllo");
	check_str(mv_stringf("%d-%s", 7, "x"), "7-x");
	check_str(mv_size(1572864), "1.5 MB (1,572,864 bytes)");
	check_str(mv_size(512), "512 B (512 bytes)");
	check_str(mv_size(0), "0 B (0 bytes)");
	check_str(mv_size(1035), "1.011 KB (1,035 bytes)");
	check_str(mv_size(1073741824LL * 3), "3 GB (3,221,225,472 bytes)");
	check_str(mv_timespan_ms(3723000), "01:02:03");
	check_str(mv_timespan_ms(90061500), "1.01:01:01.5000000");
	check_str(mv_bytes("AB", 2), "65 66");
}

static void test_datetime(void **st)
{
	(void)st;
	setenv("TZ", "UTC", 1);
	check_str(mv_datetime(1741946531, 0), "3/14/2025 10:02:11 AM");
	check_str(mv_datetime(1741910400, 0), "3/14/2025 12:00:00 AM");
	check_str(mv_datetime(1741953600, 0), "3/14/2025 12:00:00 PM");
	check_str(mv_datetime(1741993200, 0), "3/14/2025 11:00:00 PM");
	int64_t sec;
	assert_int_equal(mv_parse_datetime("3/14/2025 10:02:11 AM", &sec), 0);
	assert_int_equal(sec, 1741946531);
	assert_int_equal(mv_parse_datetime("2025-03-14T10:02:11Z", &sec), 0);
	assert_int_equal(sec, 1741946531);
	assert_int_equal(mv_parse_datetime("3/14/2025", &sec), 0);
	assert_int_equal(sec, 1741910400);
	assert_int_equal(mv_parse_datetime("yesterday", &sec), -1);
	assert_int_equal(mv_parse_datetime("13/1/2025", &sec), -1);
}

/* The one date-text parser: forms, impossible dates, and the wall clock kept
 * apart from any zone. */
static void test_date_text(void **st)
{
	(void)st;
	mg_date_text d;
	assert_int_equal(mg_date_text_parse(" 3/30/2025 2:30 AM ", &d), 0);
	assert_int_equal(d.wall, 1743301800);          /* 2025-03-30 02:30 counted as UTC */
	assert_true(d.has_time);
	assert_false(d.utc);
	assert_int_equal(mg_date_text_parse("3/30/2025 12:00 AM", &d), 0);
	assert_int_equal(d.wall, 1743292800);
	assert_int_equal(mg_date_text_parse("3/30/2025 12:15 PM", &d), 0);
	assert_int_equal(d.wall, 1743292800 + 12 * 3600 + 900);
	assert_int_equal(mg_date_text_parse("2025-03-30T02:30:00.250Z", &d), 0);
	assert_int_equal(d.wall, 1743301800);
	assert_true(d.utc);
	assert_int_equal(mg_date_text_parse("2025-03-30", &d), 0);
	assert_false(d.has_time);
	assert_int_equal(d.wall, 1743292800);
	const char *bad[] = { "", "2/29/2025", "2/30/2024", "4/31/2025", "3/30/2025 24:00",
	                      "3/30/2025 13:00 PM", "3/30/2025 0:30 AM", "2025-13-01",
	                      "2025-03-30T02", "3/30/2025 2:30 XM", "3/30/2025 2:30 AM x",
	                      "0/1/2025", "2025-03-30T02:30:00.", "2025/03/30" };
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		if (mg_date_text_parse(bad[i], &d) == 0)
			fail_msg("'%s' was read as a date", bad[i]);
	assert_int_equal(mg_date_text_parse("2/29/2024", &d), 0);
}

/* A time typed without a zone keeps its wall clock whatever the machine's
 * zone, even inside the machine's DST gap (the batch's zone reads it later);
 * the value itself is the machine's local time, as in PowerShell. */
static void test_datetime_wall_clock_in_dst_zones(void **st)
{
	(void)st;
	const char *zones[] = { "Europe/Berlin", "America/New_York", "UTC" };
	const char *texts[] = { "3/30/2025 2:30 AM", "3/9/2025 2:30 AM", "10/26/2025 2:30 AM",
	                        "11/2/2025 1:30 AM", "7/1/2025 9:00 AM" };
	for (size_t z = 0; z < 3; z++) {
		setenv("TZ", zones[z], 1);
		tzset();
		for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
			mg_date_text d;
			assert_int_equal(mg_date_text_parse(texts[i], &d), 0);
			mv *v = mv_datetime_from_text(texts[i]);
			assert_non_null(v);
			assert_true(v->u.dt.wall);
			if (v->u.dt.wall_sec != d.wall)
				fail_msg("TZ=%s: '%s' lost its wall clock", zones[z], texts[i]);
			mv_unref(v);
		}
		mv *z1 = mv_datetime_from_text("2025-03-30T02:30:00Z");
		assert_false(z1->u.dt.wall);
		assert_int_equal(z1->u.dt.sec, 1743301800);
		mv_unref(z1);
	}
	/* the machine's own reading: 7/1/2025 9:00 AM in New York is 13:00Z */
	setenv("TZ", "America/New_York", 1);
	tzset();
	int64_t sec;
	assert_int_equal(mv_parse_datetime("7/1/2025 9:00 AM", &sec), 0);
	assert_int_equal(sec, 1751374800);
	setenv("TZ", "UTC", 1);
	tzset();
}

static void test_arrays(void **st)
{
	(void)st;
	mv *a = mv_array();
	assert_int_equal(mv_count(a), 0);
	assert_false(mv_truthy(a));
	mv *x = mv_string("x");
	mv_array_push(a, x);
	mv_unref(x);
	mv_array_push_take(a, mv_int(2));
	mv_array_push_take(a, mv_string("z"));
	assert_int_equal(mv_count(a), 3);
	assert_string_equal(mv_index(a, 0)->u.str.s, "x");
	assert_string_equal(mv_index(a, -1)->u.str.s, "z");
	assert_null(mv_index(a, 3));
	assert_null(mv_index(a, -4));
	check_str(mv_ref(a), "x 2 z");
	mv_unref(a);

	mv *s = mv_int(5);
	assert_int_equal(mv_count(s), 1);
	assert_ptr_equal(mv_index(s, 0), s);
	assert_null(mv_index(s, 1));
	mv_unref(s);
	mv *n = mv_null();
	assert_int_equal(mv_count(n), 0);
	mv_unref(n);
}

static const char *const dp[] = { "Identity", "Status", NULL };
static const mv_type_info batch_t = { "MigrationBatch", dp, 0, "Identity" };

static void test_properties(void **st)
{
	(void)st;
	mv *o = mv_object(&batch_t);
	mv_set_str(o, "Identity", "IMAPBatch1");
	mv_set_str(o, "Status", "Syncing");
	mv_set_int(o, "TotalCount", 3);
	mv_set_bool(o, "Flag", true);
	mv_set_str(o, "Nothing", NULL);
	assert_int_equal(o->u.obj.n, 5);
	assert_string_equal(mv_get_str(o, "status"), "Syncing");
	assert_string_equal(mv_get_str(o, "IDENTITY"), "IMAPBatch1");
	assert_null(mv_get(o, "Missing"));
	assert_int_equal(mv_get(o, "Nothing")->kind, MV_NULL);
	/* replace keeps the position and the original spelling */
	mv_set_str(o, "STATUS", "Synced");
	assert_int_equal(o->u.obj.n, 5);
	assert_string_equal(o->u.obj.props[1].name, "Status");
	assert_string_equal(mv_get_str(o, "Status"), "Synced");
	assert_null(mv_get_str(o, "TotalCount"));
	check_str(mv_ref(o), "IMAPBatch1");
	assert_string_equal(mv_kind_name(o), "MigrationBatch");

	mv *c = mv_clone(o);
	mv_set_str(c, "Status", "Failed");
	assert_string_equal(mv_get_str(o, "Status"), "Synced");
	assert_string_equal(mv_get_str(c, "Status"), "Failed");
	assert_ptr_equal(c->u.obj.type, &batch_t);
	mv_unref(c);
	mv_unref(o);

	mv *p = mv_object(NULL);
	mv_set_int(p, "A", 1);
	mv_set_str(p, "B", "x");
	check_str(mv_ref(p), "@{A=1; B=x}");
	assert_string_equal(mv_kind_name(p), "System.Management.Automation.PSCustomObject");
	mv_unref(p);

	mv *h = mv_hash();
	mv_set_int(h, "k", 1);
	assert_int_equal(mv_count(h), 1);
	check_str(mv_ref(h), "System.Collections.Hashtable");
	mv_unref(h);
}

static void test_truthy(void **st)
{
	(void)st;
	struct { mv *v; bool want; } cases[] = {
		{ mv_null(), false }, { mv_bool(false), false }, { mv_int(0), false },
		{ mv_int(2), true }, { mv_string(""), false }, { mv_string("False"), true },
		{ mv_double(0.0), false }, { mv_object(NULL), true },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_int_equal(mv_truthy(cases[i].v), cases[i].want);
		mv_unref(cases[i].v);
	}
	mv *a = mv_array();
	mv_array_push_take(a, mv_int(0));
	assert_false(mv_truthy(a));
	mv_array_push_take(a, mv_int(0));
	assert_true(mv_truthy(a));
	mv_unref(a);
}

static void test_conversions(void **st)
{
	(void)st;
	long long ll;
	double d;
	mv *v = mv_string(" 42 ");
	assert_int_equal(mv_to_ll(v, &ll), 0);
	assert_int_equal(ll, 42);
	mv_unref(v);
	v = mv_string("0x1F");
	assert_int_equal(mv_to_ll(v, &ll), 0);
	assert_int_equal(ll, 31);
	mv_unref(v);
	v = mv_string("2MB");
	assert_int_equal(mv_to_ll(v, &ll), 0);
	assert_int_equal(ll, 2097152);
	mv_unref(v);
	v = mv_string("abc");
	assert_int_equal(mv_to_ll(v, &ll), -1);
	assert_int_equal(mv_to_double(v, &d), -1);
	mv_unref(v);
	v = mv_string("2.5");
	assert_int_equal(mv_to_double(v, &d), 0);
	assert_true(d == 2.5);
	assert_int_equal(mv_to_ll(v, &ll), 0);
	assert_int_equal(ll, 2); /* banker's rounding like PowerShell */
	mv_unref(v);
	v = mv_bool(true);
	assert_int_equal(mv_to_ll(v, &ll), 0);
	assert_int_equal(ll, 1);
	mv_unref(v);
	v = mv_object(NULL);
	assert_int_equal(mv_to_ll(v, &ll), -1);
	mv_unref(v);
}

static int cmp(mv *a, mv *b, bool icase, bool *comparable)
{
	int r = mv_compare(a, b, icase, comparable);
	mv_unref(a);
	mv_unref(b);
	return r;
}

static void test_compare(void **st)
{
	(void)st;
	bool c;
	assert_int_equal(cmp(mv_string("Synced"), mv_string("synced"), true, &c), 0);
	assert_true(c);
	assert_int_not_equal(cmp(mv_string("Synced"), mv_string("synced"), false, &c), 0);
	assert_true(cmp(mv_int(10), mv_string("9"), true, &c) > 0);   /* numeric */
	assert_true(cmp(mv_string("10"), mv_int(9), true, &c) < 0);   /* string: "10" < "9" */
	assert_true(cmp(mv_int(3), mv_double(3.5), true, &c) < 0);
	assert_int_equal(cmp(mv_double(2.0), mv_int(2), true, &c), 0);
	assert_true(cmp(mv_null(), mv_int(1), true, &c) < 0);
	assert_int_equal(cmp(mv_null(), mv_null(), true, &c), 0);
	assert_int_equal(cmp(mv_bool(true), mv_string("x"), true, &c), 0);
	assert_true(cmp(mv_size(2048), mv_int(1024), true, &c) > 0);
	setenv("TZ", "UTC", 1);
	assert_true(cmp(mv_datetime(1741946531, 0), mv_string("3/14/2025"), true, &c) > 0);
	assert_true(c);
	cmp(mv_int(1), mv_string("abc"), true, &c);
	assert_false(c);
	mv *a = mv_string("X"), *b = mv_string("x");
	assert_true(mv_equal(a, b, true));
	assert_false(mv_equal(a, b, false));
	mv_unref(a);
	mv_unref(b);
	a = mv_int(1);
	b = mv_object(NULL);
	assert_false(mv_equal(a, b, true));
	mv_unref(a);
	mv_unref(b);
}

static void test_kind_names(void **st)
{
	(void)st;
	mv *v = mv_int(1);
	assert_string_equal(mv_kind_name(v), "System.Int32");
	mv_unref(v);
	v = mv_int(1LL << 40);
	assert_string_equal(mv_kind_name(v), "System.Int64");
	mv_unref(v);
	v = mv_bytes("", 0);
	assert_string_equal(mv_kind_name(v), "System.Byte[]");
	assert_int_equal(mv_count(v), 0);
	mv_unref(v);
	assert_string_equal(mv_kind_name(NULL), "null");
}

static int released;
static void rel(void *p) { (void)p; released++; }

static void test_scriptblock_release(void **st)
{
	(void)st;
	static int code;
	mv *sb = mv_scriptblock(&code, "{ $_ }", rel);
	mv_ref(sb);
	mv_unref(sb);
	assert_int_equal(released, 0);
	check_str(sb, "{ $_ }");
	assert_int_equal(released, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scalars_to_string),
		cmocka_unit_test(test_datetime),
		cmocka_unit_test(test_date_text),
		cmocka_unit_test(test_datetime_wall_clock_in_dst_zones),
		cmocka_unit_test(test_arrays),
		cmocka_unit_test(test_properties),
		cmocka_unit_test(test_truthy),
		cmocka_unit_test(test_conversions),
		cmocka_unit_test(test_compare),
		cmocka_unit_test(test_kind_names),
		cmocka_unit_test(test_scriptblock_release),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
