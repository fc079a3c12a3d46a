/* test_binder.c - named/positional/pipeline binding, abbreviations, parameter
 * sets, mandatory parameters and type conversion, through the binder API. */
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
#include "shell/binder.h"
#include "common/mem.h"
#include "common/str.h"

static const mg_cmdlet *cmd(const char *name)
{
	const mg_cmdlet *c = testcmds_source()->find(name);
	assert_non_null(c);
	return c;
}

/* Arguments are given as strings: "-Name", "-Name:value" or a value; values
 * "$true"/"$false" become booleans, "#n" numbers, "@a,b" arrays. */
static mv *val_of(const char *s)
{
	if (!strcmp(s, "$true"))
		return mv_bool(true);
	if (!strcmp(s, "$false"))
		return mv_bool(false);
	if (s[0] == '#')
		return mv_int(atoll(s + 1));
	if (s[0] == '@') {
		mv *a = mv_array();
		char *copy = xstrdup(s + 1);
		char *save = NULL;
		for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save))
			mv_array_push_take(a, mv_string(w));
		free(copy);
		return a;
	}
	return mv_string(s);
}

static int bind(const char *cmdname, const char *const *argv, mg_bound *b, mg_bind_err *e)
{
	size_t n = 0;
	while (argv[n])
		n++;
	mg_rawarg *ra = xcalloc(n + 1, sizeof *ra);
	mv **vals = xcalloc(n + 1, sizeof *vals);
	char **names = xcalloc(n + 1, sizeof *names);
	for (size_t i = 0; i < n; i++) {
		ra[i].pos = i * 10;
		ra[i].len = strlen(argv[i]);
		if (argv[i][0] == '-' && argv[i][1] && !(argv[i][1] >= '0' && argv[i][1] <= '9')) {
			names[i] = xstrdup(argv[i] + 1);
			char *colon = strchr(names[i], ':');
			if (colon) {
				*colon = '\0';
				ra[i].colon = true;
				vals[i] = val_of(colon + 1);
				ra[i].val = vals[i];
			}
			ra[i].name = names[i];
		} else {
			vals[i] = val_of(argv[i]);
			ra[i].val = vals[i];
		}
	}
	mg_bound_init(b, cmd(cmdname));
	memset(e, 0, sizeof *e);
	int rc = mg_bind_args(NULL, b, ra, n, e);
	if (rc == 0)
		rc = mg_bind_finish(NULL, b, false, e);
	if (rc == 0)
		mg_bind_common(b);
	for (size_t i = 0; i < n; i++) {
		mv_unref(vals[i]);
		free(names[i]);
	}
	free(vals);
	free(names);
	free(ra);
	return rc;
}

static const char *arg_str(mg_bound *b, const char *name)
{
	mg_bound_arg *a = mg_bound_get(b, name);
	return a && a->val->kind == MV_STRING ? a->val->u.str.s : NULL;
}

#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })

static void expect_fail(const char *c, const char *const *argv, const char *id, const char *msg_part)
{
	mg_bound b;
	mg_bind_err e;
	int rc = bind(c, argv, &b, &e);
	if (rc == 0 || strcmp(e.err.id, id) || (msg_part && !strstr(e.err.msg, msg_part)))
		fprintf(stderr, "expected %s, got rc=%d id=%s msg=%s\n", id, rc, e.err.id, e.err.msg);
	assert_int_equal(rc, -1);
	assert_string_equal(e.err.id, id);
	if (msg_part)
		assert_non_null(strstr(e.err.msg, msg_part));
	mg_bound_clear(&b);
}

static void test_named_and_prefix(void **st)
{
	(void)st;
	mg_bound b;
	mg_bind_err e;
	assert_int_equal(bind("New-TestEndpoint", ARGS("-imap", "-name", "E1", "-RemoteS", "h", "-Port", "#143",
	                                                "-Security", "tls", "-MaxConcurrentM", "Unlimited"), &b, &e), 0);
	assert_string_equal(arg_str(&b, "Name"), "E1");
	assert_string_equal(arg_str(&b, "RemoteServer"), "h");
	assert_string_equal(arg_str(&b, "Security"), "Tls");   /* canonical spelling */
	/* and its index in the allowed list: the cmdlet reads the enum, never the text */
	assert_int_equal(mg_bound_get(&b, "Security")->choice, 2);
	assert_int_equal(mg_bound_get(&b, "Name")->choice, -1);
	assert_int_equal(mg_bound_get(&b, "Port")->val->u.i, 143);
	assert_int_equal(mg_bound_get(&b, "MaxConcurrentMigrations")->val->u.i, -1);
	assert_true(mg_bound_get(&b, "IMAP")->val->u.b);
	mg_bound_clear(&b);
	/* -Name:value, switch:$false, string port converted */
	assert_int_equal(bind("New-TestEndpoint", ARGS("-IMAP:$true", "-Name:E2", "-RemoteServer", "h", "-Port", "993",
	                                                "-AcceptUntrustedCertificates:$false"), &b, &e), 0);
	assert_false(mg_bound_get(&b, "AcceptUntrustedCertificates")->val->u.b);
	assert_int_equal(mg_bound_get(&b, "Port")->val->u.i, 993);
	mg_bound_clear(&b);
}

static void test_common_parameters(void **st)
{
	(void)st;
	mg_bound b;
	mg_bind_err e;
	assert_int_equal(bind("Remove-TestItem", ARGS("x", "-ea", "stop", "-wi", "-Confirm:$false", "-vb",
	                                               "-ErrorVariable", "ev", "-ov", "o"), &b, &e), 0);
	assert_int_equal(b.error_action, MG_EA_STOP);
	assert_true(b.whatif);
	assert_int_equal(b.confirm, 0);
	assert_true(b.verbose);
	assert_string_equal(b.error_variable, "ev");
	assert_string_equal(b.out_variable, "o");
	mg_bound_clear(&b);
	/* -WhatIf only exists on ShouldProcess cmdlets */
	expect_fail("Test-Echo", ARGS("a", "-WhatIf"), "NamedParameterNotFound", "'WhatIf'");
	expect_fail("Test-Echo", ARGS("a", "-ErrorAction", "Sometimes"), "CannotConvertArgumentNoMessage",
	            "SilentlyContinue, Stop, Continue, Inquire, Ignore");
}

static void test_errors(void **st)
{
	(void)st;
	expect_fail("New-TestEndpoint", ARGS("-IMAP", "-Name", "a", "-RemoteServer", "h", "-Max", "#5"),
	            "AmbiguousParameter", "Possible matches include: -MaxConcurrentMigrations -MaxConcurrentIncrementalSyncs.");
	expect_fail("New-TestEndpoint", ARGS("-IMAP", "-Name", "a", "-RemoteServer", "h", "-Bogus", "1"),
	            "NamedParameterNotFound", "A parameter cannot be found that matches parameter name 'Bogus'.");
	expect_fail("New-TestEndpoint", ARGS("-IMAP", "-Name", "a", "-RemoteServer", "h", "-Port", "abc"),
	            "CannotConvertArgumentNoMessage", "Cannot convert value \"abc\" to type \"System.Int32\"");
	expect_fail("New-TestEndpoint", ARGS("-IMAP", "-Name", "a", "-RemoteServer", "h", "-Security", "foo"),
	            "CannotConvertArgumentNoMessage", "None, Ssl, Tls");
	expect_fail("New-TestEndpoint", ARGS("-IMAP", "-RemoteServer", "h"),
	            "MissingMandatoryParameter", "missing mandatory parameters: Name.");
	expect_fail("New-TestEndpoint", ARGS("-IMAP", "-Name", "a", "-RemoteServer"), "MissingArgument",
	            "Missing an argument for parameter 'RemoteServer'");
	expect_fail("New-TestEndpoint", ARGS("-IMAP", "-Name", "a", "-Name", "b", "-RemoteServer", "h"),
	            "ParameterAlreadyBound", NULL);
	expect_fail("Get-TestItem", ARGS("a", "b"), "PositionalParameterNotFound",
	            "A positional parameter cannot be found that accepts argument 'b'.");
	/* a space-separated $false after a switch is a positional argument */
	expect_fail("New-TestEndpoint", ARGS("-IMAP", "$false", "-Name", "a", "-RemoteServer", "h"),
	            "PositionalParameterNotFound", NULL);
	expect_fail("Get-TestItem", ARGS("-Identity", "a", "-Status", "Synced"), "AmbiguousParameterSet",
	            "Parameter set cannot be resolved using the specified named parameters.");
	expect_fail("Set-TestTypes", ARGS("-When", "not a date"), "CannotConvertArgumentNoMessage", "System.DateTime");
	expect_fail("Set-TestTypes", ARGS("-Span", "abc"), "CannotConvertArgumentNoMessage", "System.TimeSpan");
	expect_fail("Set-TestTypes", ARGS("-Data", "C:\\x.csv"), "CannotConvertArgumentNoMessage", "ReadAllBytes");
	expect_fail("Set-TestTypes", ARGS("-Flag", "maybe"), "CannotConvertArgumentNoMessage", "System.Boolean");
	expect_fail("Set-TestTypes", ARGS("-Limit", "#-3"), "CannotConvertArgumentNoMessage", "Unlimited");
}

static void test_error_position(void **st)
{
	(void)st;
	mg_bound b;
	mg_bind_err e;
	assert_int_equal(bind("Get-TestItem", ARGS("a", "-Nope", "x"), &b, &e), -1);
	assert_true(e.has_pos);
	assert_int_equal(e.pos, 10);   /* the second argument */
	assert_int_equal(e.len, 5);
	mg_bound_clear(&b);
}

static void test_types(void **st)
{
	(void)st;
	mg_bound b;
	mg_bind_err e;
	assert_int_equal(bind("Set-TestTypes", ARGS("-When", "3/14/2025 10:02:11 AM", "-Span", "1.02:03:04",
	                                             "-Flag", "#1", "-List", "@a,b", "-Limit", "unlimited"), &b, &e), 0);
	assert_int_equal(mg_bound_get(&b, "When")->val->kind, MV_DATETIME);
	assert_int_equal(mg_bound_get(&b, "Span")->val->u.i, ((1LL * 24 + 2) * 3600 + 3 * 60 + 4) * 1000);
	assert_true(mg_bound_get(&b, "Flag")->val->u.b);
	assert_int_equal(mv_count(mg_bound_get(&b, "List")->val), 2);
	assert_int_equal(mg_bound_get(&b, "Limit")->val->u.i, -1);
	mg_bound_clear(&b);
	/* one string becomes a one-element String[] */
	assert_int_equal(bind("Set-TestTypes", ARGS("-List", "only"), &b, &e), 0);
	assert_int_equal(mg_bound_get(&b, "List")->val->kind, MV_ARRAY);
	assert_int_equal(mv_count(mg_bound_get(&b, "List")->val), 1);
	mg_bound_clear(&b);
	/* an array of numbers converts to Byte[] */
	mg_param p = { "Data", MPT_BYTES, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE, NULL };
	mv *arr = mv_array();
	mv_array_push_take(arr, mv_int(65));
	mv_array_push_take(arr, mv_int(66));
	mv *bytes = mg_convert_arg(&p, arr, NULL);
	assert_non_null(bytes);
	assert_int_equal(bytes->kind, MV_BYTES);
	assert_memory_equal(bytes->u.bytes.p, "AB", 2);
	mv_unref(bytes);
	mv_unref(arr);
}

static void test_parameter_sets(void **st)
{
	(void)st;
	mg_bound b;
	mg_bind_err e;
	assert_int_equal(bind("Get-TestItem", ARGS("alpha"), &b, &e), 0);
	assert_string_equal(b.set, "Identity");
	mg_bound_clear(&b);
	assert_int_equal(bind("Get-TestItem", ARGS("-Status", "failed"), &b, &e), 0);
	assert_string_equal(b.set, "Filter");
	assert_string_equal(arg_str(&b, "Status"), "Failed");
	mg_bound_clear(&b);
	assert_int_equal(bind("Get-TestItem", ARGS("-ResultSize", "#5"), &b, &e), 0);   /* all sets: default */
	assert_string_equal(b.set, "Identity");
	mg_bound_clear(&b);
}

static const mv_type_info user_type = { "User", NULL, 0, "Identity" };

static void test_pipeline_binding(void **st)
{
	(void)st;
	mg_bound b;
	mg_bind_err e;
	/* by property name */
	mg_bound_init(&b, cmd("Remove-TestItem"));
	mv *o = mv_object(&user_type);
	mv_set_str(o, "Identity", "u@x");
	assert_int_equal(mg_bind_pipeline(NULL, &b, o, &e), 1);
	assert_string_equal(arg_str(&b, "Identity"), "u@x");
	assert_int_equal(mg_bind_finish(NULL, &b, false, &e), 0);
	mg_bound_clear(&b);
	mv_unref(o);
	/* by value */
	mg_bound_init(&b, cmd("Remove-TestItem"));
	mv *s = mv_string("plain");
	assert_int_equal(mg_bind_pipeline(NULL, &b, s, &e), 1);
	assert_string_equal(arg_str(&b, "Identity"), "plain");
	mg_bound_clear(&b);
	mv_unref(s);
	/* nothing takes pipeline input */
	mg_bound_init(&b, cmd("Set-TestTypes"));
	mv *i = mv_int(3);
	assert_int_equal(mg_bind_pipeline(NULL, &b, i, &e), 0);
	assert_string_equal(e.err.id, "InputObjectNotBound");
	mg_bound_clear(&b);
	mv_unref(i);
	/* a pipeline-bindable mandatory parameter may stay missing until input comes */
	mg_bound_init(&b, cmd("Remove-TestItem"));
	assert_int_equal(mg_bind_finish(NULL, &b, true, &e), 0);
	mg_bound_clear(&b);
}

static void test_find_param(void **st)
{
	(void)st;
	mg_err e;
	/* exact name wins over longer names it prefixes; aliases count */
	const mg_param *p = mg_find_param(cmd("New-TestEndpoint"), "Name", &e);
	assert_non_null(p);
	assert_string_equal(p->name, "Name");
	p = mg_find_param(cmd("New-TestEndpoint"), "ea", &e);
	assert_string_equal(p->name, "ErrorAction");
	p = mg_find_param(cmd("New-TestEndpoint"), "Conf", &e);
	assert_string_equal(p->name, "Confirm");
	/* -E: ErrorAction, ErrorVariable: ambiguous */
	assert_null(mg_find_param(cmd("Test-Echo"), "Error", &e));
	assert_string_equal(e.id, "AmbiguousParameter");
	assert_non_null(strstr(e.msg, "-ErrorAction -ErrorVariable"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_named_and_prefix),
		cmocka_unit_test(test_common_parameters),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_error_position),
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_parameter_sets),
		cmocka_unit_test(test_pipeline_binding),
		cmocka_unit_test(test_find_param),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
