/* test_parser.c - syntax trees for every construct, and parse errors (incomplete or not). */
#include "config.h"
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>

#include "shell/parser.h"
#include "common/mem.h"

/* A compact S-expression of the tree for assertions. */
static void dump(const ast *n, strbuf *sb)
{
	strbuf_addf(sb, "(%s", ast_kind_name(n->kind));
	if (n->str)
		strbuf_addf(sb, " %s", n->str);
	if (n->kind == N_NUMBER)
		strbuf_addf(sb, " #%lld", n->inum);
	for (size_t i = 0; i < n->nkids; i++) {
		strbuf_addc(sb, ' ');
		dump(n->kids[i], sb);
	}
	strbuf_addc(sb, ')');
}

static char *tree(const char *src)
{
	mg_parse_error pe;
	ast_tree *t = mg_parse(src, strlen(src), NULL, &pe);
	if (!t) {
		fprintf(stderr, "parse error for [%s]: %s\n", src, pe.msg);
		return NULL;
	}
	strbuf sb = STRBUF_INIT;
	dump(t->root, &sb);
	ast_tree_unref(t);
	return strbuf_detach(&sb, NULL);
}

#define ASSERT_TREE(src, want) do { \
	char *got_ = tree(src); \
	assert_non_null(got_); \
	if (strcmp(got_, want)) fprintf(stderr, "got:  %s\nwant: %s\n", got_, want); \
	assert_string_equal(got_, want); \
	free(got_); \
} while (0)

static void test_command_args(void **st)
{
	(void)st;
	ASSERT_TREE("Get-MigrationBatch IMAPBatch1",
	            "(Block (Pipeline (Command Get-MigrationBatch (String IMAPBatch1))))");
	ASSERT_TREE("New-X -Port 993 -AutoStart:$false -ExcludeFolders \"Deleted Items\",\"Junk Email\"",
	            "(Block (Pipeline (Command New-X (CommandParameter Port) (Number 993 #993) "
	            "(CommandParameter AutoStart (Variable false)) (CommandParameter ExcludeFolders) "
	            "(Array (ExpandableString (String Deleted Items)) (ExpandableString (String Junk Email))))))");
	ASSERT_TREE("a | b -x | c", "(Block (Pipeline (Command a) (Command b (CommandParameter x)) (Command c)))");
}

static void test_static_call_in_parens(void **st)
{
	(void)st;
	ASSERT_TREE("New-MigrationBatch -CSVData ([System.IO.File]::ReadAllBytes(\"C:\\x.csv\"))",
	            "(Block (Pipeline (Command New-MigrationBatch (CommandParameter CSVData) "
	            "(Paren (Pipeline (Invoke ReadAllBytes (Type System.IO.File) (ExpandableString (String C:\\x.csv))))))))");
}

static void test_expressions(void **st)
{
	(void)st;
	ASSERT_TREE("1 + 2 * 3", "(Block (Pipeline (BinaryOp + (Number 1 #1) (BinaryOp * (Number 2 #2) (Number 3 #3)))))");
	ASSERT_TREE("$a -eq 1 -and -not $b",
	            "(Block (Pipeline (BinaryOp and (BinaryOp eq (Variable a) (Number 1 #1)) (UnaryOp not (Variable b)))))");
	ASSERT_TREE("!$x", "(Block (Pipeline (UnaryOp not (Variable x))))");
	ASSERT_TREE("$x.Identity.Name", "(Block (Pipeline (Member Name (Member Identity (Variable x)))))");
	ASSERT_TREE("$a[0]", "(Block (Pipeline (Index (Variable a) (Number 0 #0))))");
	ASSERT_TREE("(Get-X).Status", "(Block (Pipeline (Member Status (Paren (Pipeline (Command Get-X))))))");
	ASSERT_TREE("@{ k = 1; 'j' = 'v' }",
	            "(Block (Pipeline (Hashtable (String k) (Pipeline (Number 1 #1)) (String j) (Pipeline (String v)))))");
	ASSERT_TREE("@(1, 2)", "(Block (Pipeline (ArrayExpression (Block (Pipeline (Array (Number 1 #1) (Number 2 #2)))))))");
	ASSERT_TREE("\"v=$x $($y)\"",
	            "(Block (Pipeline (ExpandableString (String v=) (Variable x) (String  ) (SubExpression (Block (Pipeline (Variable y)))))))");
	ASSERT_TREE("[int]\"5\"", "(Block (Pipeline (Cast int (ExpandableString (String 5)))))");
	ASSERT_TREE("1..3", "(Block (Pipeline (Range (Number 1 #1) (Number 3 #3))))");
	ASSERT_TREE("{ $_.x }", "(Block (Pipeline (ScriptBlock (Block (Pipeline (Member x (Variable _)))))))");
}

static void test_statements(void **st)
{
	(void)st;
	ASSERT_TREE("$x = Get-X | Select -First 1",
	            "(Block (Assign = (Variable x) (Pipeline (Command Get-X) (Command Select (CommandParameter First) (Number 1 #1)))))");
	ASSERT_TREE("if ($a) { 1 } elseif ($b) { 2 } else { 3 }",
	            "(Block (If (Pipeline (Variable a)) (Block (Pipeline (Number 1 #1))) (Pipeline (Variable b)) "
	            "(Block (Pipeline (Number 2 #2))) (Block (Pipeline (Number 3 #3)))))");
	ASSERT_TREE("foreach ($u in $list) { $u }",
	            "(Block (Foreach u (Pipeline (Variable list)) (Block (Pipeline (Variable u)))))");
	ASSERT_TREE("exit 3", "(Block (Exit (Pipeline (Number 3 #3))))");
	ASSERT_TREE("a; b\n# comment\nc <# x #>", "(Block (Pipeline (Command a)) (Pipeline (Command b)) (Pipeline (Command c)))");
	ASSERT_TREE("a `\n -x", "(Block (Pipeline (Command a (CommandParameter x))))");
	ASSERT_TREE("a |\n b", "(Block (Pipeline (Command a) (Command b)))");
	ASSERT_TREE("$h.k = 2", "(Block (Assign = (Member k (Variable h)) (Pipeline (Number 2 #2))))");
	ASSERT_TREE("while ($a) { break }", "(Block (While (Pipeline (Variable a)) (Block (Break))))");
	ASSERT_TREE("do { continue } until ($a)", "(Block (While (Pipeline (Variable a)) (Block (Break))))");
	ASSERT_TREE("for ($i = 0; $i -lt 2; $i++) { }",
	            "(Block (For (Block (Assign = (Variable i) (Pipeline (Number 0 #0)))) "
	            "(Block (Pipeline (BinaryOp lt (Variable i) (Number 2 #2)))) "
	            "(Block (Assign += (Variable i) (Pipeline (Number 1 #1)))) (Block)))");
	ASSERT_TREE("try { a } catch [System.Exception] { b } finally { c }",
	            "(Block (Try (Block (Pipeline (Command a))) (Block System.Exception (Pipeline (Command b))) (Block (Pipeline (Command c)))))");
	/* several catch clauses, each with its types */
	ASSERT_TREE("try { a } catch [IO.IOException], [TimeoutException] { b } catch { c }",
	            "(Block (Try (Block (Pipeline (Command a))) (Block IO.IOException,TimeoutException (Pipeline (Command b))) "
	            "(Block (Pipeline (Command c)))))");
	ASSERT_TREE("throw 'x'", "(Block (Throw (Pipeline (String x))))");
	ASSERT_TREE("function F([switch]$s, $n = 1) { $n }",
	            "(Block (Function F (ScriptBlock (Block (Pipeline (Variable n)))) (Variable s) (Variable n (Number 1 #1))))");
	ASSERT_TREE("function G { param([Parameter(Mandatory=$true)][string]$x) $x }",
	            "(Block (Function G (ScriptBlock (Block (Pipeline (Variable x)))) (Variable x (Type string) "
	            "(Attribute Parameter (CommandParameter Mandatory (Variable true))))))");
	/* a script block's own param( ) block, after attributes; a cast is not one */
	ASSERT_TREE("{ [CmdletBinding()] param([int]$a = 1) $a }",
	            "(Block (Pipeline (ScriptBlock (Block (Pipeline (Variable a))) (Variable a (Number 1 #1) (Type int)))))");
	ASSERT_TREE("{ [int]$a }",
	            "(Block (Pipeline (ScriptBlock (Block (Pipeline (Cast int (Variable a)))))))");
	ASSERT_TREE("$n++", "(Block (Assign += (Variable n) (Pipeline (Number 1 #1))))");
	ASSERT_TREE("do-it -x", "(Block (Pipeline (Command do-it (CommandParameter x))))");
}

static void expect_error(const char *src, const char *id, bool incomplete)
{
	mg_parse_error pe;
	ast_tree *t = mg_parse(src, strlen(src), NULL, &pe);
	if (t)
		fprintf(stderr, "unexpectedly parsed: %s\n", src);
	assert_null(t);
	if (strcmp(pe.id, id))
		fprintf(stderr, "[%s]: got %s (%s)\n", src, pe.id, pe.msg);
	assert_string_equal(pe.id, id);
	assert_int_equal(pe.incomplete, incomplete);
}

static void test_errors(void **st)
{
	(void)st;
	expect_error("Get-MigrationBatch IMAPBatch1\"", "TerminatorExpectedAtEndOfString", true);
	expect_error("'abc", "TerminatorExpectedAtEndOfString", true);
	expect_error("if ($x) {", "MissingEndCurlyBrace", true);
	expect_error("foreach ($u in $l) { a", "MissingEndCurlyBrace", true);
	expect_error("Get-X |", "EmptyPipeElement", true);
	expect_error("a -x b,", "MissingExpressionAfterToken", true);
	expect_error("(1 + 2", "MissingEndParenthesisInExpression", true);
	expect_error("$(a", "MissingEndParenthesisInSubexpression", true);
	expect_error("a `", "MissingEscapedCharacter", true);
	expect_error("@{ a = 1", "MissingEndCurlyBrace", true);
	expect_error("a | | b", "EmptyPipeElement", false);
	expect_error("}", "UnexpectedToken", false);
	expect_error("1 -bogus 2", "UnexpectedToken", false);
	expect_error("else { }", "UnexpectedToken", false);
	expect_error("$x = ", "ExpectedValueExpression", true);
	expect_error("$x = @\"\nopen here-string", "TerminatorExpectedAtEndOfString", true);
	expect_error("a | 1", "ExpressionsMustBeFirstInPipeline", false);
	expect_error("try { a }", "MissingCatchOrFinally", true);
	expect_error("do { a }", "MissingWhileOrUntilInDoWhile", true);
	expect_error("for ($i = 0; $i -lt 2) { }", "MissingSemicolonInFor", false);
	expect_error("while ($x) {", "MissingEndCurlyBrace", true);
	expect_error("function F { param($a", "MissingEndParenthesisInFunctionParameterList", true);
	expect_error("function { }", "MissingNameAfterKeyword", false);
}

static void test_script_param_block(void **st)
{
	(void)st;
	const char *src = "# comment\n[CmdletBinding()]\nparam([Parameter(Mandatory)][string]$Name, [switch]$Force = $false)\n$Name";
	mg_parse_error pe;
	ast_tree *t = mg_parse(src, strlen(src), NULL, &pe);
	assert_non_null(t);
	assert_non_null(t->params);
	assert_int_equal(t->params->nkids, 2);
	assert_string_equal(t->params->kids[0]->str, "Name");
	assert_true(t->params->kids[1]->flags & AF_SWITCHPARAM);
	assert_int_equal(t->root->nkids, 1);
	ast_tree_unref(t);
	/* a command named like a parameter block is still a command */
	t = mg_parse("param", 5, NULL, &pe);
	assert_non_null(t);
	assert_null(t->params);
	ast_tree_unref(t);
}

static void test_depth_limit(void **st)
{
	(void)st;
	strbuf sb = STRBUF_INIT;
	for (int i = 0; i < 5000; i++)
		strbuf_addc(&sb, '(');
	mg_parse_error pe;
	ast_tree *t = mg_parse(sb.buf, sb.len, NULL, &pe);
	assert_null(t);
	strbuf_free(&sb);
}

static void test_linecol(void **st)
{
	(void)st;
	int l, c;
	mg_src_linecol("ab\ncd", 5, 4, &l, &c);
	assert_int_equal(l, 2);
	assert_int_equal(c, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_command_args),
		cmocka_unit_test(test_static_call_in_parens),
		cmocka_unit_test(test_expressions),
		cmocka_unit_test(test_statements),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_script_param_block),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_linecol),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
