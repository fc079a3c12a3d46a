/* test_corpus.c - the corpus generator's building blocks: seeded random numbers,
 * base64, RFC 2047 words, RFC 5322 dates, IMAP sizes, exact-size messages and
 * byte-identical output for the same seed. */
#include "config.h"
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/mem.h"
#include "tests/corpus/msggen.h"
#include "tests/corpus/rng.h"
#include "tests/corpus/textgen.h"

static void test_rng_deterministic(void **st)
{
	cg_rng a, b, c;
	(void)st;
	cg_rng_seed(&a, 42);
	cg_rng_seed(&b, 42);
	cg_rng_seed(&c, 43);
	int differs = 0;
	for (int i = 0; i < 1000; i++) {
		uint64_t x = cg_rng_next(&a);
		assert_true(x == cg_rng_next(&b));
		differs |= x != cg_rng_next(&c);
	}
	assert_true(differs);
	for (int i = 0; i < 1000; i++) {
		uint64_t v = cg_rng_range(&a, 5, 9);
		assert_true(v >= 5 && v <= 9);
	}
	/* fixed values: the generator must not change silently (it would change every corpus) */
	cg_rng_seed(&a, 1);
	assert_true(cg_hash("user1") == cg_hash("user1"));
	assert_true(cg_hash("user1") != cg_hash("user2"));
}

static void b64(const char *in, const char *want)
{
	strbuf sb = STRBUF_INIT;
	cg_add_base64(&sb, (const unsigned char *)in, strlen(in));
	assert_string_equal(sb.buf, want);
	strbuf_free(&sb);
}

static void test_base64(void **st)
{
	(void)st;
	b64("f", "Zg==\n");
	b64("fo", "Zm8=\n");
	b64("foo", "Zm9v\n");
	b64("foobar", "Zm9vYmFy\n");
	/* 57 bytes make exactly one 76-character line */
	char in[58];
	memset(in, 'a', 57);
	in[57] = '\0';
	strbuf sb = STRBUF_INIT;
	cg_add_base64(&sb, (const unsigned char *)in, 57);
	assert_int_equal(sb.len, 77);
	assert_int_equal(sb.buf[76], '\n');
	strbuf_free(&sb);
}

static void test_rfc2047(void **st)
{
	strbuf sb = STRBUF_INIT;
	(void)st;
	cg_add_2047_b(&sb, "\xc3\xbc");                 /* ü */
	assert_string_equal(sb.buf, "=?UTF-8?B?w7w=?=");
	strbuf_reset(&sb);
	cg_add_2047_q(&sb, "ISO-8859-1", "J\xf6rg M");
	assert_string_equal(sb.buf, "=?ISO-8859-1?Q?J=F6rg_M?=");
	strbuf_free(&sb);
}

static void test_dates(void **st)
{
	char buf[64];
	(void)st;
	cg_format_date(buf, sizeof buf, 0, 0);
	assert_string_equal(buf, "Thu, 1 Jan 1970 00:00:00 +0000");
	cg_format_date(buf, sizeof buf, 1546300800, 60);       /* 2019-01-01 00:00 UTC */
	assert_string_equal(buf, "Tue, 1 Jan 2019 01:00:00 +0100");
	cg_format_date(buf, sizeof buf, 1546300800, -300);
	assert_string_equal(buf, "Mon, 31 Dec 2018 19:00:00 -0500");
	cg_format_date(buf, sizeof buf, 951782400, 0);         /* leap day 2000 */
	assert_string_equal(buf, "Tue, 29 Feb 2000 00:00:00 +0000");
}

static void test_vsize(void **st)
{
	(void)st;
	assert_int_equal(cg_vsize("", 0), 0);
	assert_int_equal(cg_vsize("a\nb\n", 4), 6);
	assert_int_equal(cg_vsize("a\r\nb\n", 5), 6);
	assert_int_equal(cg_vsize("a\rb", 3), 3);       /* bare CR stays one byte */
	assert_int_equal(cg_vsize("\n", 1), 2);
}

static void test_exact_size(void **st)
{
	static const size_t sizes[] = { 8192, 10000, 65537, 1000001, 3000000 };
	(void)st;
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		cg_msg m = { STRBUF_INIT, "" };
		cg_rng r;
		cg_rng_seed(&r, 7 + i);
		cg_build(&m, &r, CG_EXACT, sizes[i], "user1", cg_hash("user1"), 1, 1546300800);
		assert_int_equal(cg_vsize(m.data.buf, m.data.len), sizes[i]);
		strbuf_free(&m.data);
	}
}

static void test_kinds(void **st)
{
	cg_msg m = { STRBUF_INIT, "" };
	cg_rng r;
	(void)st;
	cg_rng_seed(&r, 1);
	cg_build(&m, &r, CG_EMPTY, 0, "u", 1, 1, 1546300800);
	assert_int_equal(m.data.len, 0);
	assert_string_equal(m.msgid, "");
	cg_build(&m, &r, CG_HEADER_ONLY, 0, "u", 1, 2, 1546300800);
	assert_null(strstr(m.data.buf, "\n\n"));
	assert_true(m.data.buf[m.data.len - 1] == '\n');
	cg_build(&m, &r, CG_NO_MSGID, 0, "u", 1, 3, 1546300800);
	assert_null(strstr(m.data.buf, "Message-ID:"));
	cg_build(&m, &r, CG_BARE_CR, 0, "u", 1, 4, 1546300800);
	assert_non_null(strstr(m.data.buf, "one\rstill"));
	cg_build(&m, &r, CG_CRLF, 0, "u", 1, 5, 1546300800);
	assert_int_equal(cg_vsize(m.data.buf, m.data.len), m.data.len);
	cg_build(&m, &r, CG_DUP_MSGID, 0, "u", 1, 6, 1546300800);
	char first[160];
	strcpy(first, m.msgid);
	cg_build(&m, &r, CG_DUP_MSGID, 0, "u", 1, 7, 1546300800);
	assert_string_equal(first, m.msgid);
	cg_build(&m, &r, CG_PLAIN, 2000, "u", 1, 8, 1546300800);
	assert_string_not_equal(first, m.msgid);
	assert_non_null(strstr(m.data.buf, m.msgid));
	strbuf_free(&m.data);
}

static void test_same_seed_same_bytes(void **st)
{
	(void)st;
	for (int k = CG_PLAIN; k <= CG_NUL; k++) {
		cg_msg a = { STRBUF_INIT, "" }, b = { STRBUF_INIT, "" };
		cg_rng ra, rb;
		cg_rng_seed(&ra, 99);
		cg_rng_seed(&rb, 99);
		cg_build(&a, &ra, (cg_kind)k, 20000, "user1", 5, 3, 1546300800);
		cg_build(&b, &rb, (cg_kind)k, 20000, "user1", 5, 3, 1546300800);
		assert_int_equal(a.data.len, b.data.len);
		if (a.data.len)
			assert_memory_equal(a.data.buf, b.data.buf, a.data.len);
		strbuf_free(&a.data);
		strbuf_free(&b.data);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rng_deterministic),
		cmocka_unit_test(test_base64),
		cmocka_unit_test(test_rfc2047),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_vsize),
		cmocka_unit_test(test_exact_size),
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_same_seed_same_bytes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
