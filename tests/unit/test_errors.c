/* test_errors.c - PowerShell-style error records: layout, positions,
 * categories, suggestions for unknown commands, parse error layout. */
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
#include "shell/errors.h"
#include "shell/eval.h"
#include "shell/parser.h"
#include "common/fileio.h"
#include "common/mem.h"

static void test_render_layout(void **st)
{
	(void)st;
	mg_errrec r;
	memset(&r, 0, sizeof r);
	mg_err_set(&r.err, MGC_INVALIDARG, "NamedParameterNotFound",
	           "A parameter cannot be found that matches parameter name 'Foo'.");
	r.cmdlet = "Get-MigrationBatch";
	r.src = "Get-MigrationBatch -Foo x";
	r.srclen = strlen(r.src);
	r.pos = 19;
	r.len = 4;
	strbuf sb = STRBUF_INIT;
	mg_errrec_render(&r, &sb);
	assert_string_equal(sb.buf,
		"Get-MigrationBatch : A parameter cannot be found that matches parameter name 'Foo'.\n"
		"At line:1 char:20\n"
		"+ Get-MigrationBatch -Foo x\n"
		"+                    ~~~~\n"
		"    + CategoryInfo          : InvalidArgument: (:) [Get-MigrationBatch], ParameterBindingException\n"
		"    + FullyQualifiedErrorId : NamedParameterNotFound,Get-MigrationBatch\n\n");
	strbuf_free(&sb);
}

static void test_render_target_and_origin(void **st)
{
	(void)st;
	mg_errrec r;
	memset(&r, 0, sizeof r);
	mg_err_set(&r.err, MGC_NOTFOUND, "ManagementObjectNotFoundException", "The migration batch 'B' couldn't be found.");
	r.cmdlet = "Get-MigrationBatch";
	r.target = "B";
	r.src = "'x'\nGet-MigrationBatch B";
	r.srclen = strlen(r.src);
	r.origin = "/tmp/s.ps1";
	r.pos = 4;
	r.len = 20;
	strbuf sb = STRBUF_INIT;
	mg_errrec_render(&r, &sb);
	assert_non_null(strstr(sb.buf, "At /tmp/s.ps1:2 char:1\n+ Get-MigrationBatch B\n+ ~~~~~~~~~~~~~~~~~~~~\n"));
	assert_non_null(strstr(sb.buf, "CategoryInfo          : ObjectNotFound: (B:String) [Get-MigrationBatch], ManagementObjectNotFoundException"));
	strbuf_free(&sb);
}

static void test_parse_error_layout(void **st)
{
	(void)st;
	const char *src = "Get-X \"abc";
	mg_parse_error pe;
	assert_null(mg_parse(src, strlen(src), NULL, &pe));
	strbuf sb = STRBUF_INIT;
	mg_parse_error_render(src, strlen(src), NULL, &pe, &sb);
	assert_string_equal(sb.buf,
		"At line:1 char:7\n"
		"+ Get-X \"abc\n"
		"+       ~~~~\n"
		"The string is missing the terminator: \".\n"
		"    + CategoryInfo          : ParserError: (:) [], ParentContainsErrorRecordException\n"
		"    + FullyQualifiedErrorId : TerminatorExpectedAtEndOfString\n\n");
	strbuf_free(&sb);
}

static char *run_err(const char *src, int *rc)
{
	FILE *out = tmpfile(), *err = tmpfile();
	mg_session *s = testcmds_session(out, err);
	*rc = mg_run_source(s, src, strlen(src), NULL);
	char *e = testcmds_slurp(err);
	char *home = xstrdup(s->home);
	mg_session_free(s);
	mg_rm_rf(home, NULL);
	free(home);
	fclose(out);
	fclose(err);
	return e;
}

static void test_unknown_command_suggests(void **st)
{
	(void)st;
	int rc;
	char *e = run_err("Get-TestItm alpha", &rc);
	assert_int_equal(rc, 1);
	assert_non_null(strstr(e, "Get-TestItm : The term 'Get-TestItm' is not recognized as the name of a cmdlet"));
	assert_non_null(strstr(e, "Did you mean: Get-TestItem"));
	assert_non_null(strstr(e, "ObjectNotFound: (Get-TestItm:String) [], CommandNotFoundException"));
	assert_non_null(strstr(e, "FullyQualifiedErrorId : CommandNotFoundException\n"));
	free(e);
	/* nothing close: no suggestion */
	e = run_err("Zzzzzzzzzzzzzz", &rc);
	assert_null(strstr(e, "Did you mean"));
	free(e);
}

static void test_every_binding_error_is_reported(void **st)
{
	(void)st;
	static const struct { const char *src, *needle, *caret; } cases[] = {
		{ "Test-Echo a -Bogus 1", "NamedParameterNotFound,Test-Echo", "+             ~~~~~~" },
		{ "New-TestEndpoint -IMAP -Name a -RemoteServer h -Max 1", "AmbiguousParameter", NULL },
		{ "Get-TestItem a b", "PositionalParameterNotFound", "+                ~" },
		{ "New-TestEndpoint -IMAP -Name a", "MissingMandatoryParameter", NULL },
		{ "New-TestEndpoint -IMAP -Name a -RemoteServer h -Port x", "CannotConvertArgumentNoMessage", NULL },
		{ "New-TestEndpoint -IMAP -Name a -RemoteServer h -Security x", "None, Ssl, Tls", NULL },
		{ "Get-TestItem -Identity a -Status Failed", "AmbiguousParameterSet", NULL },
		{ "Get-TestItem | Set-TestTypes", "InputObjectNotBound", NULL },
		{ "1 +", "ExpectedValueExpression", NULL },
		{ "if ($x) {", "MissingEndCurlyBrace", NULL },
		{ "$null.Foo()", "MethodNotFound", NULL },
		{ "[NoSuchType]'x'", "TypeNotFound", NULL },
		{ "1 / 0", "divide by zero", NULL },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int rc;
		char *e = run_err(cases[i].src, &rc);
		if (!strstr(e, cases[i].needle) || (cases[i].caret && !strstr(e, cases[i].caret)))
			fprintf(stderr, "[%s] expected %s in:\n%s\n", cases[i].src, cases[i].needle, e);
		assert_non_null(strstr(e, cases[i].needle));
		if (cases[i].caret)
			assert_non_null(strstr(e, cases[i].caret));
		assert_int_not_equal(rc, 0);
		free(e);
	}
}

static void test_password_never_echoed(void **st)
{
	(void)st;
	int rc;
	char *e = run_err("New-TestEndpoint -IMAP -Name a -RemoteServer h -Password @('s3cret','x')", &rc);
	(void)rc;
	assert_null(strstr(e, "s3cret"));
	free(e);
}

/* The echoed line shows a fixed mask for a secret token; the caret moves
 * with the text, char: stays the source column. */
static void test_secret_masked_in_echo(void **st)
{
	(void)st;
	int rc;
	char *e = run_err("New-TestEndpoint -IMAP -Name a -RemoteServer h -Password 'Zz9-longer-pw' -Port x", &rc);
	assert_null(strstr(e, "Zz9-longer-pw"));
	char want[256];
	snprintf(want, sizeof want, "At line:1 char:80\n"
	         "+ New-TestEndpoint -IMAP -Name a -RemoteServer h -Password ******** -Port x\n+ %*s~\n", 72, "");
	assert_non_null(strstr(e, want));
	free(e);
	/* a parse error after the secret: the rest of its line is the unterminated value */
	e = run_err("New-TestEndpoint -Password:\"Zz9-longer-pw", &rc);
	assert_null(strstr(e, "Zz9-longer-pw"));
	assert_non_null(strstr(e, "+ New-TestEndpoint -Password:********\n"));
	free(e);
	/* a secret is only a literal: a variable is echoed as it is */
	e = run_err("$p = 1; New-TestEndpoint -IMAP -Name a -RemoteServer h -Password $p -Port x", &rc);
	assert_non_null(strstr(e, "-Password $p -Port x\n"));
	free(e);
}

/* Without a session no command is known: mg_errrec_render echoes the line as it is. */
static void test_mask_needs_the_declarations(void **st)
{
	(void)st;
	mg_errrec r;
	memset(&r, 0, sizeof r);
	mg_err_set(&r.err, MGC_INVALIDARG, "X", "m");
	r.src = "New-TestEndpoint -Password pw -Port x";
	r.srclen = strlen(r.src);
	r.pos = 36;
	r.len = 1;
	strbuf sb = STRBUF_INIT;
	mg_errrec_render(&r, &sb);
	char want[128];
	snprintf(want, sizeof want, "+ New-TestEndpoint -Password pw -Port x\n+ %*s~\n", 36, "");
	assert_non_null(strstr(sb.buf, want));
	strbuf_free(&sb);
}

static void test_error_value(void **st)
{
	(void)st;
	mg_errrec r;
	memset(&r, 0, sizeof r);
	mg_err_set(&r.err, MGC_INVALIDOP, "X", "msg");
	r.cmdlet = "Do-It";
	mv *v = mg_errrec_value(NULL, &r);
	assert_string_equal(mv_get_str(v, "FullyQualifiedErrorId"), "X,Do-It");
	assert_string_equal(mv_get_str(mv_get(v, "Exception"), "Message"), "msg");
	mv_unref(v);
}

/* $_.InvocationInfo: the line, column and text of the record's position,
 * the position block as printed, the command and the name as typed. */
static void test_error_value_invocation(void **st)
{
	(void)st;
	mg_errrec r;
	memset(&r, 0, sizeof r);
	mg_err_set(&r.err, MGC_NOTFOUND, "X", "msg");
	r.cmdlet = "Get-Variable";
	r.invname = "gv";
	r.src = "'a'\n  gv nosuch -ErrorAction Stop\n'b'";
	r.srclen = strlen(r.src);
	r.pos = 6;
	r.len = 27;
	mv *v = mg_errrec_value(NULL, &r);
	mv *inv = mv_get(v, "InvocationInfo");
	assert_non_null(inv);
	assert_int_equal(mv_get(inv, "ScriptLineNumber")->u.i, 2);
	assert_int_equal(mv_get(inv, "OffsetInLine")->u.i, 3);
	assert_string_equal(mv_get_str(inv, "Line"), "  gv nosuch -ErrorAction Stop");
	assert_string_equal(mv_get_str(inv, "PositionMessage"),
	                    "At line:2 char:3\n+   gv nosuch -ErrorAction Stop\n+   ~~~~~~~~~~~~~~~~~~~~~~~~~~~");
	assert_string_equal(mv_get_str(inv, "InvocationName"), "gv");
	assert_string_equal(mv_get_str(inv, "ScriptName"), "");
	assert_string_equal(mv_get_str(mv_get(inv, "MyCommand"), "Name"), "Get-Variable");
	char *name = mv_to_string(mv_get(inv, "MyCommand"));
	assert_string_equal(name, "Get-Variable");
	free(name);
	assert_string_equal(mv_get_str(v, "ScriptStackTrace"), "at <ScriptBlock>, <No file>: line 2");
	mv_unref(v);
	/* a throw statement: no command */
	r.cmdlet = NULL;
	r.invname = NULL;
	v = mg_errrec_value(NULL, &r);
	inv = mv_get(v, "InvocationInfo");
	assert_int_equal(mv_get(inv, "MyCommand")->kind, MV_NULL);
	assert_string_equal(mv_get_str(inv, "InvocationName"), "");
	mv_unref(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_render_layout),
		cmocka_unit_test(test_render_target_and_origin),
		cmocka_unit_test(test_parse_error_layout),
		cmocka_unit_test(test_unknown_command_suggests),
		cmocka_unit_test(test_every_binding_error_is_reported),
		cmocka_unit_test(test_password_never_echoed),
		cmocka_unit_test(test_secret_masked_in_echo),
		cmocka_unit_test(test_mask_needs_the_declarations),
		cmocka_unit_test(test_error_value),
		cmocka_unit_test(test_error_value_invocation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
