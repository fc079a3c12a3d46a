/* test_eval.c - the evaluator end to end: variables, operators, control flow,
 * pipelines, member access, script blocks, static calls, exit, $?, $Error. */
#include "config.h"
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* Run src; return stdout text; *err_text gets stderr (caller frees) if asked. */
static char *run(fx *f, const char *src, int *rc, char **err_text)
{
	int r = mg_run_source(f->s, src, strlen(src), NULL);
	if (rc)
		*rc = r;
	char *e = testcmds_slurp(f->err);
	if (err_text)
		*err_text = e;
	else {
		if (*e)
			fprintf(stderr, "unexpected error output for [%s]:\n%s", src, e);
		assert_string_equal(e, "");
		free(e);
	}
	return testcmds_slurp(f->out);
}

#define EXPECT(src, want) do { \
	int rc_; \
	char *o_ = run(f, src, &rc_, NULL); \
	if (strcmp(o_, want)) fprintf(stderr, "[%s]\ngot:  [%s]\nwant: [%s]\n", src, o_, want); \
	assert_string_equal(o_, want); \
	assert_int_equal(rc_, 0); \
	free(o_); \
} while (0)

static void test_values_and_strings(void **st)
{
	fx *f = *st;
	EXPECT("'it''s'", "it's\n");
	EXPECT("$n = 5; \"n=$n sum=$($n + 1) `$lit\"", "n=5 sum=6 $lit\n");
	EXPECT("\"a`tb`nc\"", "a\tb\nc\n");
	EXPECT("$true; $false; $null", "True\nFalse\n");
	EXPECT("1 + 2 * 3; 7 / 2; 6 / 3; 7 % 3; 'ab' + 'cd'; 'x' * 3", "7\n3.5\n2\n1\nabcd\nxxx\n");
	EXPECT("$a = 1,2,3; $a.Count; $a[0]; $a[-1]; @(1).Count; @().Count", "3\n1\n3\n1\n0\n");
	EXPECT("$h = @{ Name = 'n'; Count = 2 }; $h.Name; $h['Count']; $h.Count", "n\n2\n2\n");
	EXPECT("$x = 1; $x += 2; $x", "3\n");
	EXPECT("$u = $null; $u += 1; $u; $null + 2", "1\n2\n");
	EXPECT("(9223372036854775807 + 1) -is [double]; (3 * 4) -is [int]", "True\nTrue\n");   /* overflow -> double */
	EXPECT("(5555555555555555GB) -is [double]", "True\n");
	EXPECT("'{0}-{1}' -f 'a', 'b'", "a-b\n");
	EXPECT("1..3 -join ','", "1,2,3\n");
	EXPECT("('a,b' -split ',').Count; 'aXbX' -replace 'X', '-'", "2\na-b-\n");
	EXPECT("[int]'42' + 1; [string]5 + 5", "43\n55\n");
	EXPECT("'Hello'.ToUpper(); 'Hello'.Length; ' x '.Trim()", "HELLO\n5\nx\n");
	EXPECT("$n = 1; @\"\nv=$n \"q\" $($n + 1)\n\"@", "v=1 \"q\" 2\n");          /* here-strings */
	EXPECT("@'\nraw $n\n'@", "raw $n\n");
}

static void test_operators(void **st)
{
	fx *f = *st;
	EXPECT("'ABC' -eq 'abc'; 'ABC' -ceq 'abc'; 5 -gt 3; 2 -le 1", "True\nFalse\nTrue\nFalse\n");
	EXPECT("'Synced' -like 'sync*'; 'x' -notlike 'y'; 'abc' -match 'B'; 'abc' -cmatch 'B'", "True\nTrue\nTrue\nFalse\n");
	EXPECT("1,2,3 -contains 2; 4 -in 1,2; 'a' -notin 'b'", "True\nFalse\nTrue\n");
	EXPECT("$true -and $false; $true -or $false; -not $true; !$false", "False\nTrue\nFalse\nTrue\n");
	EXPECT("(1,2,3,2 -eq 2).Count", "2\n");
	/* .NET regular expression forms on POSIX regcomp (shell/regex_net.c) */
	EXPECT("'user42@contoso.edu' -match '\\d+'; $matches[0]; 'terry adams' -match '^\\w+\\s\\w+$'",
	       "True\n42\nTrue\n");
	EXPECT("'a-b_c' -match '^[\\w-]+$'; 'Q3' -match '[^\\d]\\d'; 'x' -match '\\D'; 'ABC' -cmatch '(?i)abc'",
	       "True\nTrue\nTrue\nTrue\n");
	EXPECT("'ab' -match '(?:a)(b)'; $matches[1]; 'john.smith' -replace '^(?:\\w+)\\.(\\w+)$','$1'",
	       "True\nb\nsmith\n");
	EXPECT("'aaa' -replace 'a+?','x'; ('a1 b2' -split '\\s').Count; 'x1y2' -replace '\\d',''",
	       "x\n2\nxy\n");
	EXPECT("5 -eq '5'", "True\n");
	/* unary comma: a one-element array, also of an array */
	EXPECT("$c = ,1; $c.Count; $c[0]; (,(1,2)).Count; (,(1,2))[0].Count", "1\n1\n1\n2\n");
	EXPECT("$e = ,'a','b'; $e.Count; ,5 | ForEach-Object { $_ * 2 }", "2\n10\n");
	/* ValueFromRemainingArguments: several bare values join one parameter */
	EXPECT("Write-Output 1 2 3; (Write-Output x y).Count", "1\n2\n3\n2\n");
	/* [DateTime].ToString(format), as scripts build ContentFilter dates */
	EXPECT("(Get-Date '1/2/2024 3:04 PM').ToString('yyyy-MM-dd HH:mm'); (Get-Date '1/2/2024').AddDays(-30).ToString('M/d/yyyy')",
	       "2024-01-02 15:04\n12/3/2023\n");
}

static void test_control_flow(void **st)
{
	fx *f = *st;
	/* switch: values, script-block conditions, -Wildcard, -Regex, default, arrays, break */
	EXPECT("switch ('b') { 'a' { 'A' } 'b' { 'B' } default { 'D' } }", "B\n");
	EXPECT("switch (3) { 1 { 'one' } { $_ -gt 2 } { 'big' } }", "big\n");
	EXPECT("switch -Wildcard ('Synced','SyncedWithErrors','Failed') { 'Synced*' { \"ok $_\" } 'Failed' { \"bad $_\" } }",
	       "ok Synced\nok SyncedWithErrors\nbad Failed\n");
	EXPECT("switch -Regex ('user42') { '\\d+' { 'digits' } }; switch ('x') { 'y' { 'no' } default { 'dflt' } }",
	       "digits\ndflt\n");
	EXPECT("switch (1,2,3) { 2 { 'two'; break } default { \"other $_\" } }", "other 1\ntwo\n");
	EXPECT("switch ('A') { 'a' { 'ci' } }; switch -CaseSensitive ('A') { 'a' { 'cs' } default { 'none' } }",
	       "ci\nnone\n");
	EXPECT("$r = switch ('Synced')\n{\n  'Synced' { 1 }\n  default { 0 }\n}\n$r", "1\n");
	EXPECT("if (1 -gt 2) { 'a' } elseif ($true) { 'b' } else { 'c' }", "b\n");
	EXPECT("if ($false) { 'a' }\nelse { 'c' }", "c\n");
	EXPECT("foreach ($i in 1..3) { $i * 10 }", "10\n20\n30\n");
	EXPECT("$sum = 0; foreach ($i in @(1,2,3)) { $sum += $i }; $sum", "6\n");
	EXPECT("foreach ($i in $null) { 'never' }", "");
	EXPECT("$i = 0; while ($i -lt 3) { $i++; \"w$i\" }", "w1\nw2\nw3\n");
	EXPECT("$j = 0; do { $j += 2 } while ($j -lt 5); $j", "6\n");
	EXPECT("$j = 9; do { $j-- } until ($j -le 7); $j", "7\n");
	EXPECT("for ($k = 0; $k -lt 9; $k++) { if ($k -eq 1) { continue }; if ($k -gt 3) { break }; $k }", "0\n2\n3\n");
	EXPECT("foreach ($x in 1..9) { if ($x -gt 2) { break }; $x }; 'after'", "1\n2\nafter\n");
	EXPECT("try { Get-TestItem nosuch -ErrorAction Stop; 'no' } catch { 'caught ' + $_.Exception.Message } finally { 'fin' }",
	       "caught The item 'nosuch' couldn't be found.\nfin\n");
	EXPECT("try { throw 'boom' } catch { \"c: $_\" }", "c: boom\n");
	EXPECT("try { if ($true) { Write-TestError -Fatal } ; 'no' } catch { 'inner caught' }", "inner caught\n");
}

static void test_functions(void **st)
{
	fx *f = *st;
	EXPECT("function Add($a, $b = 10) { return $a + $b; 'never' }; Add 1 2; Add 5; Add -b 1 -a 2", "3\n15\n3\n");
	EXPECT("function Greet { param([Parameter(Mandatory)][string]$Name, [switch]$Loud)\n"
	       " if ($Loud) { \"HI $Name\" } else { \"hi $Name\" } }\n"
	       "Greet bob; Greet -Na ann -Loud; Greet x | ForEach-Object { \"<$_>\" }", "hi bob\nHI ann\n<hi x>\n");
	EXPECT("function Show { \"$($args.Count): $($args -join '+')\" }; Show a b", "2: a+b\n");
	EXPECT("$Name = 'outer'; function F($Name) { $Name }; F inner; $Name", "inner\nouter\n");
	int rc;
	char *err;
	char *o = run(f, "function G($x) { $x }; G -Nope 1", &rc, &err);
	assert_int_equal(rc, 1);
	assert_non_null(strstr(err, "NamedParameterNotFound,G"));
	free(o);
	free(err);
}

static void test_pipelines(void **st)
{
	fx *f = *st;
	EXPECT("Get-TestItem | Where-Object { $_.Status -eq 'Synced' } | ForEach-Object { $_.Identity }", "alpha\ngamma\n");
	EXPECT("(Get-TestItem).Identity", "alpha\nbeta\ngamma\n");
	EXPECT("(Get-TestItem beta).Count", "20\n");
	EXPECT("$x = Get-TestItem; $x.Count; $x[1].Identity", "3\nbeta\n");
	EXPECT("'a','b' | Test-Echo", "a\nb\n");
	EXPECT("Get-TestItem gamma | Invoke-TestBlock { $_.Identity + '!' }", "gamma!\n");
	EXPECT("1,2 | Invoke-TestBlock { $_ * 2 }", "2\n4\n");
	EXPECT("techo hi -Count 2 -Upper", "HI\nHI\n");
	EXPECT("$p = @{ Value = 'sp'; Count = 2; Upper = $true }; Test-Echo @p", "SP\nSP\n");   /* splatting */
	EXPECT("$a = 'pos', 1; Test-Echo @a", "pos\n");
	EXPECT("TestItem alpha | ForEach-Object { $_.Status }", "Synced\n");   /* Get- retried */
	EXPECT("$null = Test-Echo x -OutVariable ov; $ov", "x\n");
	EXPECT("$sb = { 'in block' }; & $sb; $sb.Invoke()", "in block\nin block\n");
	int rc;
	char *o = run(f, "Test-Echo -?", &rc, NULL);   /* -? shows help */
	assert_int_equal(rc, 0);
	assert_non_null(strstr(o, "Test-Echo"));
	free(o);
}

static void test_static_calls_and_paths(void **st)
{
	fx *f = *st;
	/* a Windows path maps into $MIGSH_HOME/drives/c/... */
	char *dir = xasprintf("%s/drives/c/Users/Administrator/Desktop", f->s->home);
	assert_int_equal(mg_mkdir_p(dir, 0700, NULL), 0);
	char *file = xasprintf("%s/batch.csv", dir);
	assert_int_equal(mg_write_atomic(file, "EmailAddress\r\n", 14, 0600, NULL), 0);
	EXPECT("([System.IO.File]::ReadAllBytes('C:\\Users\\Administrator\\Desktop\\batch.csv')).Length", "14\n");
	EXPECT("[IO.File]::ReadAllText(\"C:\\Users\\Administrator\\Desktop\\batch.csv\").Length", "14\n");
	EXPECT("Set-TestTypes -Data ([System.IO.File]::ReadAllBytes(\"C:\\Users\\Administrator\\Desktop\\batch.csv\")) | "
	       "ForEach-Object { $_.Data.Length }", "14\n");
	int rc;
	char *err;
	char *o = run(f, "[System.IO.File]::ReadAllBytes('C:\\nowhere\\x.csv')", &rc, &err);
	assert_int_equal(rc, 1);
	assert_non_null(strstr(err, "C:\\nowhere\\x.csv"));
	assert_non_null(strstr(err, "drives/c/nowhere/x.csv"));
	free(o);
	free(err);
	free(file);
	free(dir);
}

static void test_exit_and_status(void **st)
{
	fx *f = *st;
	int rc;
	char *o = run(f, "'a'; exit 3; 'never'", &rc, NULL);
	assert_string_equal(o, "a\n");
	assert_true(f->s->exit_requested);
	assert_int_equal(f->s->exit_code, 3);
	free(o);
	f->s->exit_requested = false;
	char *err;
	o = run(f, "Get-TestItem nosuch; $?", &rc, &err);
	assert_string_equal(o, "False\n");
	assert_non_null(strstr(err, "couldn't be found"));
	free(o);
	free(err);
	o = run(f, "Get-TestItem nosuch -ErrorAction SilentlyContinue; $?; $Error[0].FullyQualifiedErrorId", &rc, &err);
	assert_string_equal(o, "False\nItemNotFound,Get-TestItem\n");
	assert_string_equal(err, "");
	free(o);
	free(err);
	o = run(f, "Write-TestError -ErrorVariable ev -WarningAction SilentlyContinue -ErrorAction SilentlyContinue; $ev.Count", &rc, &err);
	assert_string_equal(o, "after\n1\n");
	free(o);
	free(err);
	/* -ErrorAction Stop makes it terminating: no "after" */
	o = run(f, "Write-TestError -ErrorAction Stop -WarningAction SilentlyContinue", &rc, &err);
	assert_string_equal(o, "");
	assert_int_equal(rc, 1);
	assert_non_null(strstr(err, "non-terminating test error"));
	free(o);
	free(err);
	/* -Verbose and warnings go to the error stream, prefixed like PowerShell */
	o = run(f, "Test-Echo v -Verbose; Write-TestError -ErrorAction SilentlyContinue", &rc, &err);
	assert_string_equal(o, "v\nafter\n");
	assert_non_null(strstr(err, "VERBOSE: echoing 1 times"));
	assert_non_null(strstr(err, "WARNING: a test warning"));
	free(o);
	free(err);
	o = run(f, "Write-TestError -ErrorAction SilentlyContinue -WarningAction SilentlyContinue -WarningVariable wv; $wv",
	        &rc, &err);
	assert_string_equal(o, "after\na test warning\n");
	assert_string_equal(err, "");
	free(o);
	free(err);
	/* throw ends the script */
	o = run(f, "'a'; throw 'stop here'; 'never'", &rc, &err);
	assert_string_equal(o, "a\n");
	assert_int_equal(rc, 1);
	assert_non_null(strstr(err, "stop here"));
	assert_non_null(strstr(err, "FullyQualifiedErrorId : stop here"));
	free(o);
	free(err);
	/* the last statement decides the status */
	o = run(f, "Get-Nothing; 'ok'", &rc, &err);
	assert_int_equal(rc, 0);
	free(o);
	free(err);
	/* $ErrorActionPreference = 'Stop' ends the script at the first error */
	o = run(f, "$ErrorActionPreference = 'Stop'; 'one'; Get-TestItem nosuch; 'never'", &rc, &err);
	assert_string_equal(o, "one\n");
	assert_int_equal(rc, 1);
	assert_non_null(strstr(err, "couldn't be found"));
	free(o);
	free(err);
	o = run(f, "$ErrorActionPreference = 'SilentlyContinue'; Get-TestItem nosuch; 'quiet'", &rc, &err);
	assert_string_equal(o, "quiet\n");
	assert_string_equal(err, "");
	free(o);
	free(err);
	o = run(f, "$ErrorActionPreference = 'Continue'; Write-TestError -Fatal", &rc, &err);
	assert_int_equal(rc, 1);
	assert_non_null(strstr(err, "fatal test error"));
	free(o);
	free(err);
}

static void test_should_process(void **st)
{
	fx *f = *st;
	int rc;
	char *err;
	char *o = run(f, "Remove-TestItem a", &rc, &err);
	assert_int_equal(rc, 1);
	assert_non_null(strstr(err, "-Confirm:$false"));
	free(o);
	free(err);
	EXPECT("Remove-TestItem a -Confirm:$false", "removed a\n");
	EXPECT("Remove-TestItem a -WhatIf", "What if: Performing the operation \"Remove-TestItem\" on target \"a\".\n");
	EXPECT("Get-TestItem | Remove-TestItem -cf:$false", "removed alpha\nremoved beta\nremoved gamma\n");
}

static char *answers[8];
static int nanswer;
static char *fake_reader(mg_session *s, const char *prompt, bool secret)
{
	(void)s;
	(void)prompt;
	(void)secret;
	if (!answers[nanswer])
		return NULL;
	return xstrdup(answers[nanswer++]);
}

static void test_interactive_prompts(void **st)
{
	fx *f = *st;
	f->s->interactive = true;
	f->s->read_line = fake_reader;
	/* N then Y */
	answers[0] = "n";
	answers[1] = "y";
	answers[2] = NULL;
	nanswer = 0;
	int rc;
	char *o = run(f, "Remove-TestItem a; Remove-TestItem b", &rc, NULL);
	assert_non_null(strstr(o, "Are you sure you want to perform this action?"));
	assert_null(strstr(o, "removed a"));
	assert_non_null(strstr(o, "removed b"));
	free(o);
	/* A = yes to all for the rest of the pipeline */
	answers[0] = "a";
	answers[1] = NULL;
	nanswer = 0;
	o = run(f, "Get-TestItem | Remove-TestItem", &rc, NULL);
	assert_non_null(strstr(o, "removed gamma"));
	free(o);
	/* -ErrorAction Inquire: H halts the command */
	answers[0] = "h";
	answers[1] = NULL;
	nanswer = 0;
	char *err;
	o = run(f, "Write-TestError -ErrorAction Inquire -WarningAction Ignore", &rc, &err);
	assert_non_null(strstr(o, "Continue with this operation?"));
	assert_null(strstr(o, "after"));
	assert_non_null(strstr(err, "selected the Stop option"));
	free(o);
	free(err);
	/* missing mandatory parameters are prompted for */
	answers[0] = "myname";
	answers[1] = "host.example";
	answers[2] = NULL;
	nanswer = 0;
	o = run(f, "New-TestEndpoint -IMAP | ForEach-Object { $_.Name + '@' + $_.RemoteServer }", &rc, NULL);
	assert_non_null(strstr(o, "Supply values for the following parameters:"));
	assert_non_null(strstr(o, "myname@host.example"));
	free(o);
	f->s->interactive = false;
}

static void test_scripts_and_args(void **st)
{
	fx *f = *st;
	char *path = xasprintf("%s/t.ps1", f->s->home);
	const char *body = "param_free = 1\n'script ' + $args[0]\nexit 4\n";
	(void)body;
	const char *script = "\"script $($args[0])\"\nexit 4\n'never'\n";
	assert_int_equal(mg_write_atomic(path, script, strlen(script), 0600, NULL), 0);
	char *cmd = xasprintf("& '%s' one; 'after'; $LASTEXITCODE", path);
	(void)cmd;
	char *cmd2 = xasprintf("%s one; 'after'; $LASTEXITCODE", path);
	EXPECT(cmd2, "script one\nafter\n4\n");
	free(cmd);
	free(cmd2);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_values_and_strings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_operators, setup, teardown),
		cmocka_unit_test_setup_teardown(test_control_flow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pipelines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_functions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_static_calls_and_paths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exit_and_status, setup, teardown),
		cmocka_unit_test_setup_teardown(test_should_process, setup, teardown),
		cmocka_unit_test_setup_teardown(test_interactive_prompts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scripts_and_args, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
