/* test_csv_batch.c - one test per CSV rule of engine/csv_batch.h, each
 * checking the message the admin sees. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/fileio.h"
#include "common/mem.h"
#include "engine/csv_batch.h"
#include "engine/store.h"

#define HDR "EmailAddress,UserName,Password\n"

static int parse(const char *text, bool allow, mg_csv_batch *cb, mg_err *err)
{
	return mg_csv_parse_batch(text, strlen(text), allow, cb, err);
}

static void refused(const char *text, const char *id, const char *needle)
{
	mg_csv_batch cb;
	mg_err err = { 0 };
	assert_int_equal(parse(text, false, &cb, &err), -1);
	if (!strstr(err.msg, needle))
		fail_msg("message '%s' lacks '%s'", err.msg, needle);
	assert_string_equal(err.id, id);
}

/* ---- batch-level rules ---- */

static void test_empty(void **s)
{
	(void)s;
	refused("", "CsvValidationEmpty", "The CSV file is empty");
	refused("\xef\xbb\xbf", "CsvValidationEmpty", "The CSV file is empty");
	refused(" \r\n\n", "CsvValidationEmpty", "The CSV file is empty");
}

static void test_header_only(void **s)
{
	(void)s;
	refused(HDR, "CsvValidationNoRows", "no users");
}

static void test_not_comma_separated(void **s)
{
	(void)s;
	refused("EmailAddress;UserName;Password\na@b.example;a;p\n", "CsvValidationNotCommaSeparated",
	        "isn't comma-separated");
	refused("EmailAddress\tUserName\tPassword\n", "CsvValidationNotCommaSeparated", "isn't comma-separated");
}

static void test_too_many_rows(void **s)
{
	(void)s;
	strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, HDR);
	for (int i = 0; i < MG_CSV_MAX_ROWS + 1; i++)
		strbuf_addf(&sb, "u%d@c.example,u%d,p\n", i, i);
	mg_csv_batch cb;
	mg_err err = { 0 };
	assert_int_equal(mg_csv_parse_batch(sb.buf, sb.len, false, &cb, &err), -1);
	assert_string_equal(err.id, "CsvValidationTooManyRows");
	assert_non_null(strstr(err.msg, "more than 50000 data rows"));
	/* exactly 50,000 is fine */
	strbuf_reset(&sb);
	strbuf_adds(&sb, HDR);
	for (int i = 0; i < MG_CSV_MAX_ROWS; i++)
		strbuf_addf(&sb, "u%d@c.example,u%d,p\n", i, i);
	assert_int_equal(mg_csv_parse_batch(sb.buf, sb.len, false, &cb, &err), 0);
	assert_int_equal(cb.n_rows, MG_CSV_MAX_ROWS);
	assert_int_equal(cb.n_invalid, 0);
	mg_csv_batch_free(&cb);
	strbuf_free(&sb);
}

static void test_too_large(void **s)
{
	(void)s;
	size_t len = MG_CSV_MAX_BYTES + 1;
	char *big = xmalloc(len);
	memset(big, 'a', len);
	memcpy(big, HDR, strlen(HDR));
	mg_csv_batch cb;
	mg_err err = { 0 };
	assert_int_equal(mg_csv_parse_batch(big, len, false, &cb, &err), -1);
	assert_string_equal(err.id, "CsvValidationTooLarge");
	assert_non_null(strstr(err.msg, "larger than the 10 MB limit"));
	free(big);
}

static void test_missing_columns(void **s)
{
	(void)s;
	refused("EmailAddress,UserName\na@b.example,a\n", "CsvValidationMissingColumn",
	        "missing the required column Password");
	refused("Email Address,UserName,Password\n", "CsvValidationMissingColumn",
	        "missing the required column EmailAddress");
	refused("UserRoot\n/x\n", "CsvValidationMissingColumn",
	        "missing the required columns EmailAddress, UserName, Password");
}

static void test_header_case_insensitive(void **s)
{
	(void)s;
	mg_csv_batch cb;
	mg_err err = { 0 };
	assert_int_equal(parse("emailaddress,USERNAME,password,userroot\na@b.example,a,p,/users/a\n", false, &cb, &err), 0);
	assert_int_equal(cb.n_rows, 1);
	assert_string_equal(cb.rows[0].user_root, "/users/a");
	mg_csv_batch_free(&cb);
}

static void test_unknown_columns(void **s)
{
	(void)s;
	refused("EmailAddress,UserName,Password,Department,Phone\na@b.example,a,p,x,y\n",
	        "CsvValidationUnknownColumn", "unknown columns 'Department', 'Phone'");
	refused("EmailAddress,UserName,Password,Department\na@b.example,a,p,x\n",
	        "CsvValidationUnknownColumn", "-AllowUnknownColumnsInCsv");
	mg_csv_batch cb;
	mg_err err = { 0 };
	assert_int_equal(parse("EmailAddress,UserName,Password,Department\na@b.example,a,p,x\n", true, &cb, &err), 0);
	assert_string_equal(cb.ignored_columns[0], "Department");
	assert_string_equal(cb.rows[0].password, "p");
	mg_csv_batch_free(&cb);
}

static void test_column_count(void **s)
{
	(void)s;
	refused(HDR "a@b.example,a,p\nb@b.example,b\n", "CsvValidationColumnCount",
	        "Line 3 of the CSV file has 2 columns, but the header has 3");
	refused(HDR "a@b.example,a,p,extra\n", "CsvValidationColumnCount", "Line 2");
	/* a quoted value spanning lines: the next row's line is still right */
	refused(HDR "a@b.example,a,\"multi\nline\"\nb@b.example,b\n", "CsvValidationColumnCount", "Line 4");
	/* old Mac files: a lone CR ends a line too (found by fuzz_csv_batch) */
	refused("EmailAddress,UserName,Password\ra@b.example,a,p\rb@b.example,b\r", "CsvValidationColumnCount",
	        "Line 3 of the CSV file has 2 columns");
}

static void test_malformed_quotes(void **s)
{
	(void)s;
	refused(HDR "a@b.example,a,\"unclosed\n", "CsvValidationMalformed", "quoted value is not closed");
	refused(HDR "a@b.example,a\"b,p\n", "CsvValidationMalformed", "line 2");
}

static void test_not_utf8(void **s)
{
	(void)s;
	refused(HDR "a@b.example,j\xe9r\xf4me,p\n", "CsvValidationEncoding", "not valid UTF-8 (line 2)");
	refused("\xff\xfe" "E\0m\0", "CsvValidationEncoding", "UTF-16");
}

/* A NUL inside a value would cut the login short: refused, naming the line
 * and the column, never the value. */
static void refused_n(const char *text, size_t len, const char *id, const char *needle)
{
	mg_csv_batch cb;
	mg_err err = { 0 };
	assert_int_equal(mg_csv_parse_batch(text, len, false, &cb, &err), -1);
	if (!strstr(err.msg, needle))
		fail_msg("message '%s' lacks '%s'", err.msg, needle);
	assert_string_equal(err.id, id);
}

static void test_nul_byte(void **s)
{
	(void)s;
	static const char user[] = HDR "a@b.example,alice,p\nb@b.example,bob\0evil,p\n";
	refused_n(user, sizeof user - 1, "CsvValidationNulByte", "Line 3 of the CSV file: the UserName value contains a NUL byte");
	static const char quoted[] = HDR "a@b.example,\"al\0ice\",p\n";
	refused_n(quoted, sizeof quoted - 1, "CsvValidationNulByte", "Line 2 of the CSV file: the UserName value");
	static const char pw[] = HDR "a@b.example,alice,sec\0ret\n";
	mg_csv_batch cb;
	mg_err err = { 0 };
	assert_int_equal(mg_csv_parse_batch(pw, sizeof pw - 1, false, &cb, &err), -1);
	assert_non_null(strstr(err.msg, "the Password value"));
	assert_null(strstr(err.msg, "sec"));
	static const char hdr[] = "EmailAddress,User\0Name,Password\n";
	refused_n(hdr, sizeof hdr - 1, "CsvValidationNulByte", "its header");
}

/* ---- formats ---- */

static void test_bom_crlf_quotes(void **s)
{
	(void)s;
	const char *text = "\xef\xbb\xbf" "EmailAddress,UserName,Password,UserRoot\r\n"
	                   "terrya@contoso.edu,\"contoso-students/mailadmin/terry.adams\",\"pa,ss\"\"word\",/users/terry.adams\r\n"
	                   "ann@contoso.edu,ann*mailadmin, spaces kept ,\r\n"
	                   "bob@contoso.edu,#bob@contoso.edu#mailadmin#,pw,\r\n"
	                   "j\xc3\xb6rg@contoso.edu,j\xc3\xb6rg,p\xc3\xa4ss,\r\n";
	mg_csv_batch cb;
	mg_err err = { 0 };
	assert_int_equal(parse(text, false, &cb, &err), 0);
	assert_int_equal(cb.n_rows, 4);
	assert_int_equal(cb.n_invalid, 0);
	assert_string_equal(cb.rows[0].email, "terrya@contoso.edu");
	assert_string_equal(cb.rows[0].user_name, "contoso-students/mailadmin/terry.adams");
	assert_string_equal(cb.rows[0].password, "pa,ss\"word");
	assert_string_equal(cb.rows[0].user_root, "/users/terry.adams");
	assert_int_equal(cb.rows[0].line, 2);
	assert_string_equal(cb.rows[1].user_name, "ann*mailadmin");
	assert_string_equal(cb.rows[1].password, " spaces kept ");
	assert_null(cb.rows[1].user_root);
	assert_string_equal(cb.rows[2].user_name, "#bob@contoso.edu#mailadmin#");
	assert_string_equal(cb.rows[3].email, "j\xc3\xb6rg@contoso.edu");
	assert_int_equal(cb.rows[3].line, 5);
	mg_csv_batch_free(&cb);
	/* LF only, no final newline */
	assert_int_equal(parse(HDR "a@b.example,a,p", false, &cb, &err), 0);
	assert_int_equal(cb.n_rows, 1);
	mg_csv_batch_free(&cb);
}

/* ---- per-row rules ---- */

static void test_row_bad_email(void **s)
{
	(void)s;
	mg_csv_batch cb;
	mg_err err = { 0 };
	assert_int_equal(parse(HDR "not-an-address,a,p\ngood@b.example,g,p\n,x,p\n", false, &cb, &err), 0);
	assert_int_equal(cb.n_rows, 3);
	assert_int_equal(cb.n_invalid, 2);
	assert_string_equal(cb.rows[0].error, "The EmailAddress 'not-an-address' is not a valid email address (CSV line 2).");
	assert_null(cb.rows[1].error);
	assert_non_null(strstr(cb.rows[2].error, "EmailAddress is empty (CSV line 4)"));
	mg_csv_batch_free(&cb);
	assert_true(mg_email_valid("terry.adams@contoso-students.edu"));
	assert_true(mg_email_valid("user@localhost"));
	assert_false(mg_email_valid("a@@b.example"));
	assert_false(mg_email_valid("a b@c.example"));
	assert_false(mg_email_valid("a@b"));
	assert_false(mg_email_valid(".a@b.example"));
	assert_false(mg_email_valid("a..b@c.example"));
	assert_false(mg_email_valid("a@-b.example"));
	assert_false(mg_email_valid("a@b..example"));
}

static void test_row_empty_username(void **s)
{
	(void)s;
	mg_csv_batch cb;
	mg_err err = { 0 };
	assert_int_equal(parse(HDR "a@b.example,,p\n", false, &cb, &err), 0);
	assert_string_equal(cb.rows[0].error,
	                    "UserName is empty for 'a@b.example' (CSV line 2). Give the IMAP login name of the source mailbox.");
	mg_csv_batch_free(&cb);
}

static void test_row_empty_password(void **s)
{
	(void)s;
	mg_csv_batch cb;
	mg_err err = { 0 };
	assert_int_equal(parse(HDR "a@b.example,a,\n", false, &cb, &err), 0);
	assert_string_equal(cb.rows[0].error,
	                    "Password is empty for 'a@b.example' (CSV line 2). Give the password of the UserName account.");
	mg_csv_batch_free(&cb);
}

static void test_row_duplicate(void **s)
{
	(void)s;
	mg_csv_batch cb;
	mg_err err = { 0 };
	assert_int_equal(parse(HDR "a@b.example,a,p\nb@b.example,b,p\nA@B.example,a2,p\n", false, &cb, &err), 0);
	assert_null(cb.rows[0].error);
	assert_null(cb.rows[1].error);
	assert_string_equal(cb.rows[2].error,
	                    "The EmailAddress 'A@B.example' appears more than once in the CSV file (line 4, first on line 2). "
	                    "Each user may be listed only once.");
	/* users: the duplicate gets a distinct identity and is Failed */
	mg_user **u;
	size_t n;
	assert_int_equal(mg_csv_to_users(&cb, "B1", &u, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_int_equal(u[0]->status, MG_US_STOPPED);
	assert_int_equal(u[2]->status, MG_US_FAILED);
	assert_true(u[2]->validation_failed);
	assert_string_equal(u[2]->email, "A@B.example (CSV line 4)");
	assert_string_equal(u[0]->password, "p");
	mg_user_list_free(u, n);
	mg_csv_batch_free(&cb);
}

static void test_row_in_other_batch(void **s)
{
	(void)s;
	char tmpl[] = "/tmp/migsh-test-csv-XXXXXX";
	char *home = mkdtemp(tmpl);
	assert_non_null(home);
	mg_store *st;
	mg_err err = { 0 };
	assert_int_equal(mg_store_open(home, &st, &err), 0);
	mg_batch *b = mg_batch_new("First");
	mg_user *u = mg_user_new("taken@b.example", "First");
	assert_int_equal(mg_store_batch_create(st, b, &u, 1, &err), 0);
	mg_csv_batch cb;
	assert_int_equal(parse(HDR "taken@b.example,t,p\nfree@b.example,f,p\n", false, &cb, &err), 0);
	mg_csv_check_in_use(&cb, st, NULL);
	assert_string_equal(cb.rows[0].error,
	                    "The user 'taken@b.example' (CSV line 2) already belongs to the migration batch 'First'. "
	                    "A user can be in only one batch; remove it there first.");
	assert_null(cb.rows[1].error);
	assert_int_equal(cb.n_invalid, 1);
	mg_csv_batch_free(&cb);
	/* the same batch (AddUsers) is not "another" batch */
	assert_int_equal(parse(HDR "taken@b.example,t,p\n", false, &cb, &err), 0);
	mg_csv_check_in_use(&cb, st, "first");
	assert_null(cb.rows[0].error);
	mg_csv_batch_free(&cb);
	mg_user_free(u);
	mg_batch_free(b);
	mg_store_close(st);
	mg_rm_rf(home, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_header_only),
		cmocka_unit_test(test_not_comma_separated),
		cmocka_unit_test(test_too_many_rows),
		cmocka_unit_test(test_too_large),
		cmocka_unit_test(test_missing_columns),
		cmocka_unit_test(test_header_case_insensitive),
		cmocka_unit_test(test_unknown_columns),
		cmocka_unit_test(test_column_count),
		cmocka_unit_test(test_malformed_quotes),
		cmocka_unit_test(test_not_utf8),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_bom_crlf_quotes),
		cmocka_unit_test(test_row_bad_email),
		cmocka_unit_test(test_row_empty_username),
		cmocka_unit_test(test_row_empty_password),
		cmocka_unit_test(test_row_duplicate),
		cmocka_unit_test(test_row_in_other_batch),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
