/* test_lexer.c - tokens, modes, quoting, numbers, comments, positions, lexer errors. */
#include "config.h"
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include <stdlib.h>

#include "shell/lexer.h"

static token one(const char *src, lx_mode m, lexer *lx)
{
	lx_init(lx, src, strlen(src));
	return lx_next(lx, m);
}

static void test_arg_mode_barewords(void **st)
{
	(void)st;
	lexer lx;
	const char *src = "Get-MigrationBatch C:\\Users\\x.csv imap.contoso.com terrya@contoso.edu Max*";
	lx_init(&lx, src, strlen(src));
	const char *want[] = { "Get-MigrationBatch", "C:\\Users\\x.csv", "imap.contoso.com", "terrya@contoso.edu", "Max*" };
	for (int i = 0; i < 5; i++) {
		token t = lx_next(&lx, LX_ARG);
		assert_int_equal(t.kind, TK_WORD);
		assert_string_equal(t.text, want[i]);
		tok_free(&t);
	}
	token t = lx_next(&lx, LX_ARG);
	assert_int_equal(t.kind, TK_EOF);
}

static void test_params(void **st)
{
	(void)st;
	lexer lx;
	token t = one("-RemoteServer", LX_ARG, &lx);
	assert_int_equal(t.kind, TK_PARAM);
	assert_string_equal(t.text, "RemoteServer");
	assert_false(t.colon);
	tok_free(&t);
	t = one("-AutoStart:$false", LX_ARG, &lx);
	assert_int_equal(t.kind, TK_PARAM);
	assert_string_equal(t.text, "AutoStart");
	assert_true(t.colon);
	tok_free(&t);
	token v = lx_next(&lx, LX_ARG);
	assert_int_equal(v.kind, TK_VAR);
	assert_string_equal(v.text, "false");
	tok_free(&v);
	/* in expression mode -eq is an operator */
	t = one("@params", LX_ARG, &lx);   /* splatting */
	assert_int_equal(t.kind, TK_VAR);
	assert_true(t.splat);
	assert_string_equal(t.text, "params");
	tok_free(&t);
	t = one("@host.example", LX_ARG, &lx);
	assert_int_equal(t.kind, TK_WORD);
	tok_free(&t);
	t = one("-eq", LX_EXPR, &lx);
	assert_int_equal(t.kind, TK_OP);
	assert_string_equal(t.text, "eq");
	tok_free(&t);
	t = one("-EQ", LX_EXPR, &lx);
	assert_string_equal(t.text, "eq");
	tok_free(&t);
	t = one("-bogus", LX_EXPR, &lx);
	assert_int_equal(t.kind, TK_ERROR);
}

static void test_strings(void **st)
{
	(void)st;
	lexer lx;
	token t = one("'it''s'", LX_ARG, &lx);
	assert_int_equal(t.kind, TK_SQSTRING);
	assert_string_equal(t.text, "it's");
	tok_free(&t);
	t = one("\"a $x `\" $(\"in)ner\") b\"", LX_EXPR, &lx);
	assert_int_equal(t.kind, TK_DQSTRING);
	assert_string_equal(t.text, "a $x `\" $(\"in)ner\") b");
	tok_free(&t);
	t = one("\"open", LX_ARG, &lx);
	assert_int_equal(t.kind, TK_ERROR);
	assert_true(lx.err_incomplete);
	assert_string_equal(lx.err_id, "TerminatorExpectedAtEndOfString");
	t = one("'open", LX_ARG, &lx);
	assert_int_equal(t.kind, TK_ERROR);
	assert_true(lx.err_incomplete);
}

static void test_numbers(void **st)
{
	(void)st;
	lexer lx;
	token t = one("993", LX_ARG, &lx);
	assert_int_equal(t.kind, TK_NUMBER);
	assert_true(t.is_int);
	assert_int_equal(t.inum, 993);
	tok_free(&t);
	t = one("1.5", LX_EXPR, &lx);
	assert_int_equal(t.kind, TK_NUMBER);
	assert_false(t.is_int);
	tok_free(&t);
	t = one("10MB", LX_EXPR, &lx);
	assert_int_equal(t.inum, 10 * 1024 * 1024);
	tok_free(&t);
	t = one("0x1F", LX_EXPR, &lx);
	assert_int_equal(t.inum, 31);
	tok_free(&t);
	t = one("-5", LX_ARG, &lx);
	assert_int_equal(t.kind, TK_NUMBER);
	assert_int_equal(t.inum, -5);
	tok_free(&t);
	/* a word that only starts with digits stays a word */
	t = one("123abc", LX_ARG, &lx);
	assert_int_equal(t.kind, TK_WORD);
	tok_free(&t);
}

static void test_comments_and_continuation(void **st)
{
	(void)st;
	lexer lx;
	const char *src = "a # comment\n<# block\n comment #> b `\n c";
	lx_init(&lx, src, strlen(src));
	token t = lx_next(&lx, LX_ARG);
	assert_string_equal(t.text, "a");
	tok_free(&t);
	t = lx_next(&lx, LX_ARG);
	assert_int_equal(t.kind, TK_NEWLINE);
	t = lx_next(&lx, LX_ARG);
	assert_string_equal(t.text, "b");
	tok_free(&t);
	t = lx_next(&lx, LX_ARG);   /* backtick-newline is white space */
	assert_string_equal(t.text, "c");
	tok_free(&t);
	t = one("<# open", LX_ARG, &lx);
	assert_int_equal(t.kind, TK_ERROR);
	assert_true(lx.err_incomplete);
	t = one("`", LX_ARG, &lx);
	assert_int_equal(t.kind, TK_ERROR);
	assert_true(lx.err_incomplete);
}

static void test_punctuation_and_vars(void **st)
{
	(void)st;
	lexer lx;
	const char *src = "$x.Status | @( @{ $( ${my var} $_ $? $env:HOME";
	lx_init(&lx, src, strlen(src));
	tok_kind want[] = { TK_VAR, TK_DOT, TK_WORD, TK_PIPE, TK_ARRAYEXPR, TK_HASH, TK_SUBEXPR, TK_VAR, TK_VAR, TK_VAR, TK_VAR, TK_EOF };
	const char *names[] = { "x", NULL, "Status", NULL, NULL, NULL, NULL, "my var", "_", "?", "env:HOME", NULL };
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		token t = lx_next(&lx, LX_EXPR);
		assert_int_equal(t.kind, want[i]);
		if (names[i])
			assert_string_equal(t.text, names[i]);
		tok_free(&t);
	}
}

static void test_positions(void **st)
{
	(void)st;
	lexer lx;
	const char *src = "Get-X  -Name   v";
	lx_init(&lx, src, strlen(src));
	token a = lx_next(&lx, LX_ARG), b = lx_next(&lx, LX_ARG), c = lx_next(&lx, LX_ARG);
	assert_int_equal(a.pos, 0);
	assert_int_equal(b.pos, 7);
	assert_int_equal(b.len, 5);
	assert_int_equal(c.pos, 15);
	assert_true(c.space_before);
	tok_free(&a);
	tok_free(&b);
	tok_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arg_mode_barewords),
		cmocka_unit_test(test_params),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_comments_and_continuation),
		cmocka_unit_test(test_punctuation_and_vars),
		cmocka_unit_test(test_positions),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
