/* test_limits.c - hostile input cannot crash the shell: deep chains and
 * nesting give a ParseError or a RuntimeException instead of a stack
 * overflow, sizes taken from the input are refused before allocating, values
 * that hold themselves or nest a million deep are printed and freed, and a
 * failing last statement makes the run fail. */
#include "config.h"
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/shell_testcmds.h"
#include "shell/eval.h"
#include "common/fileio.h"
#include "common/mem.h"

typedef struct fx {
	FILE *out, *err;
	mg_session *s;
} fx;

static int setup(void **st)
{
	fx *f = xcalloc(1, sizeof *f);
	f->out = tmpfile();
	f->err = tmpfile();
	f->s = testcmds_session(f->out, f->err);
	*st = f;
	return 0;
}

static int teardown(void **st)
{
	fx *f = *st;
	char *home = xstrdup(f->s->home);
	mg_session_free(f->s);
	mg_rm_rf(home, NULL);
	free(home);
	fclose(f->out);
	fclose(f->err);
	free(f);
	return 0;
}

/* Run src; returns the status, *out and *err get the two streams. */
static int run(fx *f, const char *src, char **out, char **err)
{
	int rc = mg_run_source(f->s, src, strlen(src), NULL);
	char *o = testcmds_slurp(f->out), *e = testcmds_slurp(f->err);
	if (out)
		*out = o;
	else
		free(o);
	if (err)
		*err = e;
	else
		free(e);
	return rc;
}

/* src must fail with status want_rc and an error whose id is want_id */
static void expect_error(fx *f, const char *src, int want_rc, const char *want_id)
{
	char *err;
	int rc = run(f, src, NULL, &err);
	if (!strstr(err, want_id))
		fprintf(stderr, "wanted %s, got:\n%.2000s\n", want_id, err);
	assert_non_null(strstr(err, want_id));
	assert_int_equal(rc, want_rc);
	free(err);
}

static char *repeat(const char *head, const char *unit, size_t n, const char *tail)
{
	size_t hl = strlen(head), ul = strlen(unit), tl = strlen(tail);
	char *s = xmalloc(hl + ul * n + tl + 1);
	memcpy(s, head, hl);
	for (size_t i = 0; i < n; i++)
		memcpy(s + hl + i * ul, unit, ul);
	memcpy(s + hl + n * ul, tail, tl + 1);
	return s;
}

static void test_long_chains_are_parse_errors(void **st)
{
	fx *f = *st;
	char *src = repeat("1", "+1", 20000, "");
	expect_error(f, src, MG_RUN_PARSE_ERROR, "ExpressionTooComplex");
	free(src);
	src = repeat("$x = 1; $x", ".a", 20000, "");
	expect_error(f, src, MG_RUN_PARSE_ERROR, "ExpressionTooComplex");
	free(src);
	src = repeat("$x = @(1); $x", "[0]", 20000, "");
	expect_error(f, src, MG_RUN_PARSE_ERROR, "ExpressionTooComplex");
	free(src);
	src = repeat("", "\"$(", 50000, "");
	expect_error(f, src, MG_RUN_PARSE_ERROR, "NestingTooDeep");
	free(src);
	src = repeat("", "(", 50000, "");
	expect_error(f, src, MG_RUN_PARSE_ERROR, "NestingTooDeep");
	free(src);
	/* a long but reasonable chain still runs */
	src = repeat("1", "+1", 499, "");
	char *out;
	assert_int_equal(run(f, src, &out, NULL), MG_RUN_OK);
	assert_string_equal(out, "500\n");
	free(out);
	free(src);
}

static void test_recursion_fails_the_run(void **st)
{
	fx *f = *st;
	expect_error(f, "function f { f }; f", MG_RUN_FAILED, "CallDepthOverflow");
	/* script-terminating: nothing after it runs */
	char *out;
	assert_int_equal(run(f, "function f { f }; f; 'after'", &out, NULL), MG_RUN_FAILED);
	assert_string_equal(out, "");
	free(out);
	/* but it can be caught */
	assert_int_equal(run(f, "function f { f }; try { f } catch { 'caught' }", &out, NULL), MG_RUN_OK);
	assert_string_equal(out, "caught\n");
	free(out);
}

static void test_stack_budget(void **st)
{
	fx *f = *st;
	/* with a small stack budget, recursion that stays under the call depth
	 * limit stops with InsufficientExecutionStack instead of overflowing */
	f->s->stack_budget = 48 * 1024;
	expect_error(f, "function f($n) { if ($n -gt 0) { f ($n - 1) } }; f 150", MG_RUN_FAILED,
	             "InsufficientExecutionStack");
	char *src = repeat("1", "+1", 900, "");
	expect_error(f, src, MG_RUN_FAILED, "InsufficientExecutionStack");
	free(src);
}

static void test_sizes_refused_before_allocating(void **st)
{
	fx *f = *st;
	expect_error(f, "'{0,2000000000}' -f 1", MG_RUN_FAILED, "FormatError");
	expect_error(f, "'{0,-1000000}' -f 1", MG_RUN_FAILED, "FormatError");
	expect_error(f, "'{1000000}' -f 1", MG_RUN_FAILED, "FormatError");
	expect_error(f, "('x'*99999)*99999", MG_RUN_FAILED, "StringTooLong");
	expect_error(f, "'x' * 9223372036854775807", MG_RUN_FAILED, "StringTooLong");
	expect_error(f, "(@(1)*99999)*99999", MG_RUN_FAILED, "ArrayTooLarge");
	expect_error(f, "1..2000000000", MG_RUN_FAILED, "RangeTooLarge");
	/* the same operations within the limits */
	char *out;
	assert_int_equal(run(f, "('ab'*3); (@(1,2)*2) -join ','; '[{0,4}|{1,-3}]' -f 'a','b'", &out, NULL), MG_RUN_OK);
	assert_string_equal(out, "ababab\n1,2,1,2\n[   a|b  ]\n");
	free(out);
	/* lowered limits apply to every way of building a long string */
	f->s->max_string = 1000;
	f->s->max_items = 1000;
	expect_error(f, "(1..600) -join ','", MG_RUN_FAILED, "StringTooLong");
	expect_error(f, "'{0,990}{0,20}' -f 1", MG_RUN_FAILED, "StringTooLong");
	expect_error(f, "$s = 'x' * 600; $s + $s", MG_RUN_FAILED, "StringTooLong");
	expect_error(f, "('x' * 600) -replace 'x','yy'", MG_RUN_FAILED, "StringTooLong");
	expect_error(f, "$a = 1..600; $a + $a", MG_RUN_FAILED, "ArrayTooLarge");
	expect_error(f, "@{a=1..300} | ConvertTo-Json -Depth 3", MG_RUN_FAILED, "JsonTooLong");
}

static void test_deep_and_cyclic_values(void **st)
{
	fx *f = *st;
	char *out, *err;
	/* a million nested arrays are built, shown and freed */
	int rc = run(f, "$a = 1; for ($i = 0; $i -lt 1000000; $i++) { $a = @(,$a) }; 'built'; $a = $null; 'freed'",
	             &out, &err);
	assert_string_equal(err, "");
	assert_int_equal(rc, MG_RUN_OK);
	assert_string_equal(out, "built\nfreed\n");
	free(out);
	free(err);
	/* an array that holds itself twice: string form, output, Write-Host,
	 * member enumeration and JSON all end */
	rc = run(f, "$a = @(1,2); $a[0] = $a; $a[1] = $a; ('' + $a).Length -gt 0; $a | Select-Object -First 1; "
	            "Write-Host $a -NoNewline; ''; try { $a.Foo } catch { 'member: ' + $_.FullyQualifiedErrorId }; "
	            "'end'; $a[0] = 0; $a[1] = 0", &out, &err);   /* (the cycle broken: no leak) */
	assert_non_null(strstr(out, "True\n"));
	assert_non_null(strstr(out, "\nend\n"));
	free(out);
	free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_long_chains_are_parse_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recursion_fails_the_run, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stack_budget, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sizes_refused_before_allocating, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deep_and_cyclic_values, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
