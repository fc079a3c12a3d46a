/* test_format.c - unit tests for PowerShell-style output (shell/format.c). */
#include "config.h"
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include "shell/format.h"

static const char *const ep_dp[] = { "Identity", "EndpointType", "RemoteServer", NULL };
static const mv_type_info ep_t = { "MigrationEndpoint", ep_dp, 0, "Identity" };
static const char *const user_dp[] = { "Identity", "Batch", "Status", "LastSyncTime", NULL };
static const mv_type_info user_t = { "MigrationUser", user_dp, 0, "Identity" };
static const char *const batch_dp[] = { "Identity", "Status", "Type", "TotalCount",
                                        "CreationDateTime", NULL };
static const mv_type_info batch_t = { "MigrationBatch", batch_dp, 0, "Identity" };
static const mv_type_info listpref_t = { "ListPref", NULL, 2, NULL };

static mv *endpoint(void)
{
	mv *o = mv_object(&ep_t);
	mv_set_str(o, "Identity", "IMAPEndpoint");
	mv_set_str(o, "EndpointType", "IMAP");
	mv_set_str(o, "RemoteServer", "imap.contoso.com");
	mv_set_int(o, "Port", 993);
	mv_set_str(o, "Security", "Ssl");
	mv_set_int(o, "MaxConcurrentMigrations", 100);
	mv_set_int(o, "MaxConcurrentIncrementalSyncs", 20);
	return o;
}

static mv *user(const char *id, const char *status, int64_t t)
{
	mv *o = mv_object(&user_t);
	mv_set_str(o, "Identity", id);
	mv_set_str(o, "Batch", "IMAPBatch1");
	mv_set_str(o, "Status", status);
	mv_set_take(o, "LastSyncTime", t ? mv_datetime(t, 0) : mv_null());
	mv_set_int(o, "SyncedItemCount", 12);
	return o;
}

static void expect_list(mv *const *objs, size_t n, const char *const *props, size_t np,
                        const char *want)
{
	strbuf sb = STRBUF_INIT;
	mg_format_list(objs, n, props, np, &sb);
	assert_string_equal(sb.buf ? sb.buf : "", want);
	strbuf_free(&sb);
}

static void test_list_wildcards(void **st)
{
	(void)st;
	mv *e = endpoint();
	const char *props[] = { "EndpointType", "remoteserver", "Port", "Security", "Max*", "Nope" };
	expect_list(&e, 1, props, 6,
	            "\n"
	            "EndpointType                  : IMAP\n"
	            "RemoteServer                  : imap.contoso.com\n"
	            "Port                          : 993\n"
	            "Security                      : Ssl\n"
	            "MaxConcurrentMigrations       : 100\n"
	            "MaxConcurrentIncrementalSyncs : 20\n"
	            "\n");
	const char *one[] = { "Security" };
	mv *two[2] = { e, e };
	expect_list(two, 2, one, 1, "\nSecurity : Ssl\n\nSecurity : Ssl\n\n");
	/* no properties: all of them, in object order */
	strbuf sb = STRBUF_INIT;
	mg_format_list(&e, 1, NULL, 0, &sb);
	assert_non_null(strstr(sb.buf, "\nIdentity                      : IMAPEndpoint\n"));
	assert_non_null(strstr(sb.buf, "MaxConcurrentIncrementalSyncs : 20\n\n"));
	strbuf_free(&sb);
	/* a star selects everything, a repeated name once */
	const char *star[] = { "Port", "*" };
	size_t cnt;
	const char **names = mg_format_select(e, star, 2, false, &cnt);
	assert_int_equal(cnt, 7);
	assert_string_equal(names[0], "Port");
	assert_string_equal(names[1], "Identity");
	assert_null(names[7]);
	free(names);
	mv_unref(e);
}

static void test_list_multiline_and_arrays(void **st)
{
	(void)st;
	mv *o = mv_object(NULL);
	mv_set_str(o, "Report", "line one\nline two");
	mv *a = mv_array();
	for (int i = 1; i <= 6; i++)
		mv_array_push_take(a, mv_int(i));
	mv_set_take(o, "Folders", a);
	mv_set_take(o, "Size", mv_size(1572864));
	expect_list(&o, 1, NULL, 0,
	            "\n"
	            "Report  : line one\n"
	            "          line two\n"
	            "Folders : {1, 2, 3, 4...}\n"
	            "Size    : 1.5 MB (1,572,864 bytes)\n"
	            "\n");
	mv_unref(o);
}

static void test_default_table_shared_header(void **st)
{
	(void)st;
	setenv("TZ", "UTC", 1);
	mv *u[2] = { user("terrya@contoso.edu", "Synced", 1741946531),
	             user("ann@contoso.edu", "Failed", 0) };
	strbuf sb = STRBUF_INIT;
	mg_format_default_buf(u, 2, &sb);
	assert_string_equal(sb.buf,
	                    "\n"
	                    "Identity           Batch      Status LastSyncTime\n"
	                    "--------           -----      ------ ------------\n"
	                    "terrya@contoso.edu IMAPBatch1 Synced 3/14/2025 10:02:11 AM\n"
	                    "ann@contoso.edu    IMAPBatch1 Failed\n"
	                    "\n");
	strbuf_free(&sb);
	mv_unref(u[0]);
	mv_unref(u[1]);
}

static void test_default_list_for_five(void **st)
{
	(void)st;
	setenv("TZ", "UTC", 1);
	mv *b = mv_object(&batch_t);
	mv_set_str(b, "Identity", "IMAPBatch1");
	mv_set_str(b, "Status", "Syncing");
	mv_set_str(b, "Type", "IMAP");
	mv_set_int(b, "TotalCount", 2);
	mv_set_take(b, "CreationDateTime", mv_datetime(1741946531, 0));
	mv_set_str(b, "Hidden", "not in the default set");
	strbuf sb = STRBUF_INIT;
	mg_format_default_buf(&b, 1, &sb);
	assert_string_equal(sb.buf,
	                    "\n"
	                    "Identity         : IMAPBatch1\n"
	                    "Status           : Syncing\n"
	                    "Type             : IMAP\n"
	                    "TotalCount       : 2\n"
	                    "CreationDateTime : 3/14/2025 10:02:11 AM\n"
	                    "\n");
	strbuf_free(&sb);
	mv_unref(b);

	mv *l = mv_object(&listpref_t);
	mv_set_str(l, "A", "x");
	mg_format_default_buf(&l, 1, &sb);
	assert_string_equal(sb.buf, "\nA : x\n\n");
	strbuf_free(&sb);
	mv_unref(l);
}

static void test_default_scalars_and_mixed(void **st)
{
	(void)st;
	mv *arr = mv_array();
	mv_array_push_take(arr, mv_string("a"));
	mv_array_push_take(arr, mv_int(2));
	mv *in[4] = { mv_string("hello"), arr, mv_null(), mv_bool(true) };
	strbuf sb = STRBUF_INIT;
	mg_format_default_buf(in, 4, &sb);
	assert_string_equal(sb.buf, "hello\na\n2\nTrue\n");
	strbuf_free(&sb);
	for (int i = 0; i < 4; i++)
		mv_unref(in[i]);

	mv *h = mv_hash();
	mv_set_str(h, "Name1", "v");
	mv_set_int(h, "Longer", 1);
	mg_format_default_buf(&h, 1, &sb);
	assert_string_equal(sb.buf,
	                    "\nName   Value\n----   -----\nName1  v\nLonger 1\n\n");
	strbuf_free(&sb);
	mv_unref(h);
}

static void test_table_numbers_right_and_truncation(void **st)
{
	(void)st;
	mv *rows[2];
	rows[0] = mv_object(NULL);
	mv_set_str(rows[0], "Name", "short");
	mv_set_int(rows[0], "Count", 5);
	rows[1] = mv_object(NULL);
	mv_set_str(rows[1], "Name", "a much longer name that will not fit");
	mv_set_int(rows[1], "Count", 12345);
	strbuf sb = STRBUF_INIT;
	mg_table_opts o = { .width = 80 };
	mg_format_table(rows, 2, NULL, 0, &o, &sb);
	assert_string_equal(sb.buf,
	                    "\n"
	                    "Name                                 Count\n"
	                    "----                                 -----\n"
	                    "short                                    5\n"
	                    "a much longer name that will not fit 12345\n"
	                    "\n");
	strbuf_free(&sb);
	o.width = 20;
	mg_format_table(rows, 2, NULL, 0, &o, &sb);
	assert_string_equal(sb.buf,
	                    "\n"
	                    "Name           Count\n"
	                    "----           -----\n"
	                    "short              5\n"
	                    "a much long... 12345\n"
	                    "\n");
	strbuf_free(&sb);
	o.wrap = true;
	mg_format_table(rows, 2, NULL, 0, &o, &sb);
	assert_string_equal(sb.buf,
	                    "\n"
	                    "Name           Count\n"
	                    "----           -----\n"
	                    "short              5\n"
	                    "a much longer  12345\n"
	                    "name that will\n"
	                    "not fit\n"
	                    "\n");
	strbuf_free(&sb);
	o.wrap = false;
	o.autosize = true;
	const char *props[] = { "C*" };
	mg_format_table(rows, 2, props, 1, &o, &sb);
	assert_string_equal(sb.buf, "\nCount\n-----\n    5\n12345\n\n");
	strbuf_free(&sb);
	mv_unref(rows[0]);
	mv_unref(rows[1]);
}

static void test_hash_entries(void **st)
{
	(void)st;
	mv *h = mv_hash();
	mv_set_int(h, "a", 1);
	mv_set_str(h, "bb", "x");
	expect_list(&h, 1, NULL, 0, "\nName  : a\nValue : 1\n\nName  : bb\nValue : x\n\n");
	strbuf sb = STRBUF_INIT;
	mg_table_opts o = { .width = 80 };
	mg_format_table(&h, 1, NULL, 0, &o, &sb);
	assert_string_equal(sb.buf, "\nName Value\n---- -----\na    1\nbb   x\n\n");
	strbuf_free(&sb);
	mv_unref(h);
}

static void test_utf8_alignment(void **st)
{
	(void)st;
	mv *rows[2];
	rows[0] = mv_object(NULL);
	mv_set_str(rows[0], "Name", "J\xc3\xbcrgen");
	mv_set_str(rows[0], "City", "K\xc3\xb6ln");
	rows[1] = mv_object(NULL);
	mv_set_str(rows[1], "Name", "Ann");
	mv_set_str(rows[1], "City", "Oslo");
	strbuf sb = STRBUF_INIT;
	mg_format_table(rows, 2, NULL, 0, NULL, &sb);
	assert_string_equal(sb.buf, "\nName   City\n----   ----\nJ\xc3\xbcrgen K\xc3\xb6ln\nAnn    Oslo\n\n");
	strbuf_free(&sb);
	mv_unref(rows[0]);
	mv_unref(rows[1]);
}

static void test_scalar_formats(void **st)
{
	(void)st;
	strbuf sb = STRBUF_INIT;
	mg_format_size(25762816, &sb);
	assert_string_equal(sb.buf, "24.569 MB (25,762,816 bytes)");
	strbuf_reset(&sb);
	mg_format_timespan(0, &sb);
	assert_string_equal(sb.buf, "00:00:00");
	strbuf_free(&sb);
	char *c = mg_format_cell(NULL);
	assert_string_equal(c, "");
	free(c);
	unsetenv("COLUMNS");
	assert_int_equal(mg_format_width(NULL), 120);
	setenv("COLUMNS", "100", 1);
	assert_int_equal(mg_format_width(NULL), 100);
	unsetenv("COLUMNS");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list_wildcards),
		cmocka_unit_test(test_list_multiline_and_arrays),
		cmocka_unit_test(test_default_table_shared_header),
		cmocka_unit_test(test_default_list_for_five),
		cmocka_unit_test(test_default_scalars_and_mixed),
		cmocka_unit_test(test_table_numbers_right_and_truncation),
		cmocka_unit_test(test_hash_entries),
		cmocka_unit_test(test_utf8_alignment),
		cmocka_unit_test(test_scalar_formats),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
