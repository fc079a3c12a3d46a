/*
 * test_examples.c - Microsoft's documented example lines (cmdlets.md 13.1)
 * must parse and bind verbatim against the real migration declarations
 * (cmdlets/migration_list.c via the dispatch table).  Binding only: the
 * commands are not run (session bind_only).
 */
#include "config.h"
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shell/eval.h"
#include "shell/parser.h"
#include "common/fileio.h"
#include "common/mem.h"

static const char *const seed_lines[] = {
	"Test-MigrationServerAvailability -IMAP -RemoteServer imap.contoso.com -Port 993 -Security Ssl",
	"New-MigrationEndpoint -IMAP -Name IMAPEndpoint -RemoteServer imap.contoso.com -Port 993 -Security Ssl",
	"New-MigrationEndpoint -IMAP -Name IMAPEndpoint -RemoteServer imap.contoso.com -Port 143 -Security Tls -MaxConcurrentMigrations 50 -MaxConcurrentIncrementalSyncs 25",
	"Get-MigrationEndpoint IMAPEndpoint | Format-List EndpointType,RemoteServer,Port,Security,Max*",
	"New-MigrationBatch -Name IMAPBatch1 -SourceEndpoint IMAPEndpoint -CSVData ([System.IO.File]::ReadAllBytes(\"C:\\Users\\Administrator\\Desktop\\IMAPmigration_1.csv\")) -AutoStart",
	"New-MigrationBatch -Name IMAPbatch1 -CSVData ([System.IO.File]::ReadAllBytes(\"C:\\Users\\Administrator\\Desktop\\IMAPmigration_1.csv\")) -SourceEndpoint IMAPEndpoint1 -ExcludeFolders \"Deleted Items\",\"Junk Email\"",
	"Start-MigrationBatch -Identity IMAPBatch1",
	"Get-MigrationBatch -Identity IMAPBatch1 | Format-List",
	"Get-MigrationBatch -Identity IMAPBatch1 | Format-List Status",
	"Get-MigrationBatch IMAPBatch1",
	"Get-MigrationUser -BatchId IMAPBatch1 | Get-MigrationUserStatistics",
	"Get-MigrationUserStatistics -Identity terrya@contoso.edu -IncludeReport | Format-List Status,Error,Report",
	"Remove-MigrationBatch -Identity IMAPBatch1",
	/* rules from 13.2 */
	"New-MigrationEndpoint -IMAP -Name E -RemoteS imap.contoso.com",
	"Remove-MigrationBatch IMAPBatch1 -Confirm:$false",
	"New-MigrationBatch -Name B -SourceEndpoint E -CSVData ([IO.File]::ReadAllBytes(\"C:\\Users\\Administrator\\Desktop\\IMAPmigration_1.csv\")) -AutoStart:$false",
	"Get-MigrationBatch -Identity IMAPBatch1 -ErrorAction SilentlyContinue -ErrorVariable ev -OutVariable ov",
	"Get-MigrationUser -BatchId IMAPBatch1 | Where-Object { $_.Status -eq 'Failed' } | Select-Object Identity, Status",
	"Get-MigrationUser -BatchId IMAPBatch1 | Where-Object Status -eq Synced",
	"Get-MigrationBatch | Format-Table Identity,Status -AutoSize",
	NULL
};

static mg_session *S;
static FILE *OUT, *ERR;

static int setup(void **st)
{
	(void)st;
	char tmpl[] = "/tmp/migsh-ex-XXXXXX";
	char *dir = mkdtemp(tmpl);
	assert_non_null(dir);
	mg_cmdlet_source src = { mg_cmdlet_find, mg_cmdlet_table };
	S = mg_session_new(dir, &src, NULL);
	assert_non_null(S);
	OUT = tmpfile();
	ERR = tmpfile();
	S->out = OUT;
	S->errf = ERR;
	S->bind_only = true;
	char *d = xasprintf("%s/drives/c/Users/Administrator/Desktop", dir);
	assert_int_equal(mg_mkdir_p(d, 0700, NULL), 0);
	char *f = xasprintf("%s/IMAPmigration_1.csv", d);
	const char *csv = "EmailAddress,UserName,Password\r\nterrya@contoso.edu,terry.adams,1543P@ssw0rd\r\n";
	assert_int_equal(mg_write_atomic(f, csv, strlen(csv), 0600, NULL), 0);
	free(d);
	free(f);
	return 0;
}

static int teardown(void **st)
{
	(void)st;
	char *home = xstrdup(S->home);
	mg_session_free(S);
	mg_rm_rf(home, NULL);
	free(home);
	fclose(OUT);
	fclose(ERR);
	return 0;
}

static char *slurp(FILE *f)
{
	fflush(f);
	long n = ftell(f);
	rewind(f);
	char *b = xcalloc(1, (size_t)n + 1);
	size_t got = fread(b, 1, (size_t)n, f);
	b[got] = '\0';
	rewind(f);
	if (ftruncate(fileno(f), 0) < 0)
		abort();
	return b;
}

static void test_seed_lines_bind(void **st)
{
	(void)st;
	int failures = 0;
	for (size_t i = 0; seed_lines[i]; i++) {
		int rc = mg_run_source(S, seed_lines[i], strlen(seed_lines[i]), NULL);
		char *err = slurp(ERR);
		free(slurp(OUT));
		if (rc != MG_RUN_OK || *err) {
			fprintf(stderr, "line %zu did not bind: %s\n%s\n", i + 1, seed_lines[i], err);
			failures++;
		}
		free(err);
	}
	assert_int_equal(failures, 0);
}

static void test_seed_lines_pasted_together(void **st)
{
	(void)st;
	/* pasted as one block (a script), with CRLF line ends from a web page */
	strbuf sb = STRBUF_INIT;
	for (size_t i = 0; seed_lines[i]; i++)
		strbuf_addf(&sb, "%s\r\n", seed_lines[i]);
	int rc = mg_run_source(S, sb.buf, sb.len, NULL);
	char *err = slurp(ERR);
	free(slurp(OUT));
	if (*err)
		fprintf(stderr, "%s\n", err);
	assert_int_equal(rc, MG_RUN_OK);
	assert_string_equal(err, "");
	free(err);
	strbuf_free(&sb);
}

static void test_stray_quote_is_incomplete(void **st)
{
	(void)st;
	/* the published page's `Get-MigrationBatch IMAPBatch1"`: the console waits for more */
	const char *line = "Get-MigrationBatch IMAPBatch1\"";
	mg_parse_error pe;
	assert_null(mg_parse(line, strlen(line), NULL, &pe));
	assert_true(pe.incomplete);
}

static void test_binding_errors_on_real_declarations(void **st)
{
	(void)st;
	static const struct { const char *line, *expect; } cases[] = {
		{ "New-MigrationEndpoint -IMAP -Name E -RemoteServer h -Max 5", "-MaxConcurrentMigrations -MaxConcurrentIncrementalSyncs" },
		{ "New-MigrationEndpoint -IMAP -Name E -RemoteServer h -Security Foo", "None, Ssl, Tls" },
		{ "New-MigrationEndpoint -IMAP -Name E -RemoteServer h -Port abc", "System.Int32" },
		{ "Get-MigrationBatch IMAPBatch1 Extra", "positional parameter cannot be found" },
		{ "New-MigrationEndpoint -IMAP -Name E", "missing mandatory parameters: RemoteServer" },
		{ "New-MigrationBatch -Name B -SourceEndpoint E -CSVData C:\\x.csv", "ReadAllBytes" },
		{ "Get-MigrationBatchh", "Get-MigrationBatch" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int rc = mg_run_source(S, cases[i].line, strlen(cases[i].line), NULL);
		char *err = slurp(ERR);
		free(slurp(OUT));
		if (!strstr(err, cases[i].expect))
			fprintf(stderr, "[%s]: expected '%s' in:\n%s\n", cases[i].line, cases[i].expect, err);
		assert_int_equal(rc, MG_RUN_FAILED);
		assert_non_null(strstr(err, cases[i].expect));
		free(err);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seed_lines_bind),
		cmocka_unit_test(test_seed_lines_pasted_together),
		cmocka_unit_test(test_stray_quote_is_incomplete),
		cmocka_unit_test(test_binding_errors_on_real_declarations),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
