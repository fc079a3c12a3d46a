/* test_mutf7.c - modified UTF-7 mailbox names: RFC 3501 examples, round trips, invalid input. */
#include "config.h"
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "net/mutf7.h"

static void pair(const char *utf8, const char *wire)
{
	char *out = NULL;
	assert_int_equal(mg_mutf7_encode(utf8, &out, NULL), 0);
	assert_string_equal(out, wire);
	free(out);
	assert_int_equal(mg_mutf7_decode(wire, &out, NULL), 0);
	assert_string_equal(out, utf8);
	free(out);
}

static void test_known(void **st)
{
	(void)st;
	pair("INBOX", "INBOX");
	pair("", "");
	pair("Entwürfe", "Entw&APw-rfe");
	pair("Tom & Jerry", "Tom &- Jerry");
	pair("&", "&-");
	pair("日本語", "&ZeVnLIqe-");
	/* RFC 3501 5.1.3 example */
	pair("~peter/mail/台北/日本語", "~peter/mail/&U,BTFw-/&ZeVnLIqe-");
	pair("Smile 😀", "Smile &2D3eAA-");          /* surrogate pair */
	pair("tab\there", "tab&AAk-here");              /* control characters are encoded */
	pair("Éléments envoyés", "&AMk-l&AOk-ments envoy&AOk-s");
}

static void test_roundtrip(void **st)
{
	(void)st;
	const char *names[] = { "a/b.c", "Ünïcödé/Ordner", "Входящие", "收件箱", "x&y&&z", "🎉🎉 party",
	                        "mixed ascii ä then ö and 😀 end", "~", NULL };
	for (int i = 0; names[i]; i++) {
		char *w = NULL, *back = NULL;
		assert_int_equal(mg_mutf7_encode(names[i], &w, NULL), 0);
		for (const char *q = w; *q; q++)
			assert_true(*q >= 0x20 && *q <= 0x7e);
		assert_int_equal(mg_mutf7_decode(w, &back, NULL), 0);
		assert_string_equal(back, names[i]);
		free(w);
		free(back);
	}
}

static void bad_decode(const char *wire)
{
	char *out = NULL;
	mg_err e = { 0 };
	assert_int_equal(mg_mutf7_decode(wire, &out, &e), -1);
	assert_null(out);
	assert_string_equal(mg_err_category_name(e.category), "InvalidData");
	assert_non_null(strstr(e.msg, "modified UTF-7"));
}

static void test_invalid(void **st)
{
	(void)st;
	bad_decode("&AGE-");                 /* 'a' must not be base64-encoded */
	bad_decode("&ZeVnLIqe");             /* unterminated */
	bad_decode("abc&");                  /* unterminated */
	bad_decode("&2D3-");                 /* lone high surrogate */
	bad_decode("&3gA-");                 /* lone low surrogate */
	bad_decode("Entw\xc3\xbcrfe");       /* raw 8-bit */
	bad_decode("&Z!V-");                 /* bad base64 char */
	bad_decode("&U,BTFw-&ZeVnLIqe-");    /* adjacent runs (RFC 3501 forbids) */
	bad_decode("&APx-&APw-");
	bad_decode("&APy-");                 /* non-zero padding bits */
	bad_decode("&AAA-");                 /* NUL */

	char *out = NULL;
	mg_err e = { 0 };
	assert_int_equal(mg_mutf7_encode("bad \xff byte", &out, &e), -1);
	assert_string_equal(mg_err_category_name(e.category), "InvalidData");
	assert_int_equal(mg_mutf7_encode("overlong \xc0\xaf", &out, NULL), -1);
	assert_int_equal(mg_mutf7_encode("surrogate \xed\xa0\x80", &out, NULL), -1);
	assert_false(mg_utf8_valid("\xe2\x82"));
	assert_true(mg_utf8_valid("Entwürfe"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_invalid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
