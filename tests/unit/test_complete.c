/* test_complete.c - tab completion candidates: cmdlets and aliases,
 * parameter names, enum values, names from a registered source, files;
 * variables and their properties, user functions, and property names after
 * a pipeline. */
#include "config.h"
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tests/unit/shell_testcmds.h"
#include "shell/complete.h"
#include "shell/eval.h"
#include "common/fileio.h"
#include "common/mem.h"

static char *joined(mg_session *s, const char *line, size_t *ws, bool *files)
{
	char **v = mg_complete_line(s, line, strlen(line), ws, files);
	strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, "");
	for (size_t i = 0; v[i]; i++)
		strbuf_addf(&sb, "%s%s", i ? " " : "", v[i]);
	mg_complete_free(v);
	return strbuf_detach(&sb, NULL);
}

/* A source that asks for the prefix typed (as the store's does): it
 * answers only names that start with it, and remembers what it was asked. */
static char last_prefix[64];

static char **names(mg_session *s, mg_complete kind, const char *prefix)
{
	(void)s;
	snprintf(last_prefix, sizeof last_prefix, "%s", prefix ? prefix : "(null)");
	static const char *const all[] = { "alpha", "alpine", "beta" };
	char **v = xcalloc(4, sizeof *v);
	size_t n = 0;
	if (kind == MGCOMP_BATCH)
		for (size_t i = 0; i < 3; i++)
			if (prefix && !strncasecmp(all[i], prefix, strlen(prefix)))
				v[n++] = xstrdup(all[i]);
	return v;
}

#define EXPECT(line, want, want_files) do { \
	size_t ws_; bool f_; \
	char *got_ = joined(s, line, &ws_, &f_); \
	if (strcmp(got_, want)) fprintf(stderr, "[%s] got [%s] want [%s]\n", line, got_, want); \
	assert_string_equal(got_, want); \
	assert_int_equal(f_, want_files); \
	free(got_); \
} while (0)

static void test_completion(void **st)
{
	(void)st;
	FILE *o = tmpfile(), *e = tmpfile();
	mg_session *s = testcmds_session(o, e);
	mg_session_add_name_source(s, names);
	EXPECT("Get-TestI", "Get-TestItem", false);
	EXPECT("tech", "techo", false);                                   /* aliases */
	EXPECT("Get-TestItem | Remove-T", "Remove-TestItem", false);      /* after a pipe */
	EXPECT("New-TestEndpoint -RemoteS", "-RemoteServer", false);
	EXPECT("New-TestEndpoint -Max", "-MaxConcurrentIncrementalSyncs -MaxConcurrentMigrations", false);
	EXPECT("Remove-TestItem -W", "-WarningAction -WarningVariable -WhatIf", false);  /* common ones */
	EXPECT("New-TestEndpoint -Security ", "None Ssl Tls", false);
	EXPECT("New-TestEndpoint -sec t", "Tls", false);
	EXPECT("New-TestEndpoint -ErrorAction S", "SilentlyContinue Stop", false);
	EXPECT("Get-TestItem -Identity alp", "alpha alpine", false);
	assert_string_equal(last_prefix, "alp");                         /* the source was asked for the prefix */
	EXPECT("Get-TestItem -Identity ", "alpha alpine beta", false);
	assert_string_equal(last_prefix, "");
	EXPECT("Get-TestItem alph", "alpha", false);                      /* positional Identity */
	assert_string_equal(last_prefix, "alph");
	EXPECT("Set-TestTypes -Path ", "", true);
	size_t ws;
	bool f;
	free(joined(s, "Get-TestItem -Identity alp", &ws, &f));
	assert_int_equal(ws, strlen("Get-TestItem -Identity "));
	char *home = xstrdup(s->home);
	mg_session_free(s);
	mg_rm_rf(home, NULL);
	free(home);
	fclose(o);
	fclose(e);
}

static void run(mg_session *s, const char *src)
{
	assert_int_equal(mg_run_source(s, src, strlen(src), NULL), MG_RUN_OK);
}

/* issue 13: Sel<Tab> (and the order Tab cycles in), $x.<Tab>, functions,
 * properties after a pipeline */
static void test_completion_context(void **st)
{
	(void)st;
	FILE *o = tmpfile(), *e = tmpfile();
	mg_session *s = testcmds_session(o, e);
	/* a unique prefix of a cmdlet, in any case */
	EXPECT("Select-O", "Select-Object", false);
	EXPECT("select-s", "Select-String", false);
	/* the order Tab cycles through, PowerShell's: cmdlets (and functions)
	 * alphabetically, then aliases, so the first Tab on Sel gives
	 * Select-Object, the next Select-String */
	EXPECT("Sel", "Select-Object Select-String select", false);
	/* user functions at command position, among the cmdlets */
	run(s, "function Get-MyReport { 'r' }; function Invoke-Thing { }; function Selfie { }");
	EXPECT("Sel", "Select-Object Select-String Selfie select", false);
	EXPECT("Get-MyR", "Get-MyReport", false);
	EXPECT("Invoke-Th", "Invoke-Thing", false);
	EXPECT("'x' | Get-MyR", "Get-MyReport", false);
	/* variables, and the properties of the object a variable holds */
	run(s, "$batch = [pscustomobject]@{ Identity = 'B1'; Status = 'Synced'; TotalCount = 3; Stats = [pscustomobject]@{ Synced = 1 } }");
	EXPECT("$bat", "$batch", false);
	EXPECT("$batch.", "$batch.Identity $batch.Stats $batch.Status $batch.TotalCount", false);
	EXPECT("$batch.St", "$batch.Stats $batch.Status", false);
	EXPECT("$batch.Stats.Sy", "$batch.Stats.Synced", false);
	EXPECT("Write-Output $batch.Tot", "$batch.TotalCount", false);
	run(s, "$list = Get-TestItem");
	EXPECT("$list.C", "$list.Count", false);      /* the list's own Count, and its items' Count */
	EXPECT("$list.St", "$list.Status", false);
	/* property names for Format-Table / Select-Object / Sort-Object after a pipeline */
	EXPECT("Get-TestItem | Format-Table ", "Count Identity Status", false);
	EXPECT("Get-TestItem | Select-Object Id", "Identity", false);
	EXPECT("Get-TestItem | Where-Object { $_ } | Sort-Object -Property St", "Status", false);
	EXPECT("$batch | Format-Table T", "TotalCount", false);
	EXPECT("Format-Table ", "", false);            /* no pipeline: nothing to offer */
	size_t ws;
	bool f;
	free(joined(s, "$batch.St", &ws, &f));
	assert_int_equal(ws, 0);
	char *home = xstrdup(s->home);
	mg_session_free(s);
	mg_rm_rf(home, NULL);
	free(home);
	fclose(o);
	fclose(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_completion),
		cmocka_unit_test(test_completion_context),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
