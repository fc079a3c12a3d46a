/* test_maildir_store.c - unit tests for engine/maildir_store.c: folder
 * names, file names with flags and keyword letters, dovecot-keywords,
 * internal date as mtime, idempotent re-copy, flag renames, subscriptions. */
#include "config.h"
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "common/fileio.h"
#include "common/mem.h"
#include "engine/maildir_store.h"

static char root[256];

static int setup(void **st)
{
	(void)st;
	snprintf(root, sizeof root, "/tmp/mg-test-maildir.XXXXXX");
	assert_non_null(mkdtemp(root));
	return 0;
}

static int teardown(void **st)
{
	(void)st;
	mg_rm_rf(root, NULL);
	return 0;
}

static size_t count_files(const char *dir)
{
	DIR *d = opendir(dir);
	size_t n = 0;
	struct dirent *de;
	while (d && (de = readdir(d)))
		if (de->d_name[0] != '.')
			n++;
	if (d)
		closedir(d);
	return n;
}

static void test_dirname(void **st)
{
	(void)st;
	char *out;
	char *c1[] = { "Archive", "2019" };
	assert_int_equal(mg_maildir_dirname(c1, 2, &out, NULL), 0);
	assert_string_equal(out, ".Archive.2019");
	free(out);
	char *c2[] = { "Entw\xc3\xbc" "rfe" };
	assert_int_equal(mg_maildir_dirname(c2, 1, &out, NULL), 0);
	assert_string_equal(out, ".Entw&APw-rfe");
	free(out);
	assert_int_equal(mg_maildir_dirname(NULL, 0, &out, NULL), 0);
	assert_string_equal(out, "");
	free(out);
	char *bad[] = { "v1.2" };
	mg_err e;
	assert_int_equal(mg_maildir_dirname(bad, 1, &out, &e), -1);
	char *dots[] = { ".." };
	assert_int_equal(mg_maildir_dirname(dots, 1, &out, &e), -1);
}

static void write_msg(mg_mdfolder *f, const char *base, const char *body, const char *const *fl,
                      size_t nfl, int64_t date)
{
	mg_mdwrite w;
	assert_int_equal(mg_mdfolder_begin(f, base, &w, NULL), 0);
	assert_int_equal(mg_mdwrite_data(&w, body, strlen(body), NULL), 0);
	assert_int_equal(mg_mdfolder_finish(f, &w, fl, nfl, date, NULL), 0);
}

static void test_write_flags_keywords(void **st)
{
	(void)st;
	mg_maildir *md;
	assert_int_equal(mg_maildir_open(root, &md, NULL), 0);
	char *comps[] = { "Work" };
	mg_mdfolder *f;
	assert_int_equal(mg_mdfolder_open(md, comps, 1, &f, NULL), 0);
	char *base = mg_maildir_base("Work", 77, 5, 1600000000);
	const char *fl[] = { "\\Seen", "$Forwarded", "\\Flagged", "\\Recent", "Project-X", "\\Answered" };
	write_msg(f, base, "Subject: x\r\n\r\nhello\r\n", fl, 6, 1600000000);
	long long size = 0;
	const char *rel = mg_mdfolder_find(f, base, &size);
	assert_non_null(rel);
	assert_int_equal(size, 21);
	char *want = xasprintf("cur/%s,S=21:2,FRSab", base);
	assert_string_equal(rel, want);
	free(want);
	char *p = xasprintf("%s/.Work/%s", root, rel);
	struct stat sb;
	assert_int_equal(stat(p, &sb), 0);
	assert_int_equal((long long)sb.st_mtime, 1600000000LL);
	free(p);
	char *kw;
	size_t len;
	p = xasprintf("%s/.Work/dovecot-keywords", root);
	assert_int_equal(mg_read_file(p, 4096, &kw, &len, NULL), 0);
	assert_string_equal(kw, "0 $Forwarded\n1 Project-X\n");
	free(kw);
	free(p);
	p = xasprintf("%s/.Work/maildirfolder", root);
	assert_int_equal(access(p, F_OK), 0);
	free(p);

	/* same source message again: replaces, never a second file */
	const char *fl2[] = { "\\Seen" };
	write_msg(f, base, "Subject: x\r\n\r\nhello\r\n", fl2, 1, 1600000000);
	p = xasprintf("%s/.Work/cur", root);
	assert_int_equal(count_files(p), 1);
	/* flag change is a rename of the same base */
	const char *fl3[] = { "Project-X", "\\Deleted", "\\Draft" };
	assert_int_equal(mg_mdfolder_set_flags(f, base, fl3, 3, NULL), 0);
	assert_int_equal(count_files(p), 1);
	want = xasprintf("cur/%s,S=21:2,DTb", base);
	assert_string_equal(mg_mdfolder_find(f, base, NULL), want);
	free(want);
	free(p);
	mg_mdfolder_close(f);

	/* a reopened folder finds existing messages and keeps keyword letters */
	assert_int_equal(mg_mdfolder_open(md, comps, 1, &f, NULL), 0);
	assert_int_equal(mg_mdfolder_count(f), 1);
	assert_non_null(mg_mdfolder_find(f, base, NULL));
	char letters[64];
	const char *fl4[] = { "Project-X", "New" };
	assert_int_equal(mg_mdfolder_flag_letters(f, fl4, 2, letters, NULL, NULL), 0);
	assert_string_equal(letters, "bc");
	mg_mdfolder_close(f);
	free(base);
	mg_maildir_close(md);
}

static void test_keyword_overflow(void **st)
{
	(void)st;
	mg_maildir *md;
	assert_int_equal(mg_maildir_open(root, &md, NULL), 0);
	mg_mdfolder *f;
	assert_int_equal(mg_mdfolder_open(md, NULL, 0, &f, NULL), 0);
	const char *kw[30];
	char names[30][8];
	for (int i = 0; i < 30; i++) {
		snprintf(names[i], sizeof names[i], "k%d", i);
		kw[i] = names[i];
	}
	char letters[64];
	int dropped = 0;
	assert_int_equal(mg_mdfolder_flag_letters(f, kw, 30, letters, &dropped, NULL), 0);
	assert_int_equal(strlen(letters), 26);
	assert_int_equal(dropped, 4);
	/* the folder remembers what it could not keep, for the sync's report */
	const char *const *lost;
	size_t nlost;
	bool more = true;
	assert_int_equal(mg_mdfolder_keywords_lost(f, &lost, &nlost, &more), 1);
	assert_false(more);
	assert_int_equal(nlost, 4);
	assert_string_equal(lost[0], "k26");
	assert_string_equal(lost[3], "k29");
	/* a second message with the same keywords: counted, names not repeated;
	 * one whose keywords all fit: not counted */
	assert_int_equal(mg_mdfolder_flag_letters(f, kw, 30, letters, &dropped, NULL), 0);
	assert_int_equal(mg_mdfolder_flag_letters(f, kw, 3, letters, &dropped, NULL), 0);
	assert_int_equal(dropped, 0);
	assert_int_equal(mg_mdfolder_keywords_lost(f, &lost, &nlost, NULL), 2);
	assert_int_equal(nlost, 4);
	mg_mdfolder_close(f);
	mg_maildir_close(md);
}

static void test_subscriptions(void **st)
{
	(void)st;
	mg_maildir *md;
	assert_int_equal(mg_maildir_open(root, &md, NULL), 0);
	char *a[] = { "Archive", "2019" };
	char *b[] = { "Entw\xc3\xbc" "rfe" };
	char *c[] = { "tab\there" };
	/* Dovecot 2.3's own format (version 2): levels separated by TABs, so
	 * nested names survive whatever the hierarchy separator */
	mg_md_folder_ref v[] = { { a, 2 }, { b, 1 }, { NULL, 0 }, { c, 1 } };
	assert_int_equal(mg_maildir_set_subscriptions(md, v, 4, NULL), 0);
	char *p = xasprintf("%s/subscriptions", root), *s;
	size_t len;
	assert_int_equal(mg_read_file(p, 4096, &s, &len, NULL), 0);
	assert_string_equal(s, "V\t2\n\nArchive\t2019\nEntw&APw-rfe\nINBOX\ntab&AAk-here\n");
	free(s);
	/* rewritten, not appended: an unsubscribed folder leaves the file */
	assert_int_equal(mg_maildir_set_subscriptions(md, v + 1, 1, NULL), 0);
	assert_int_equal(mg_read_file(p, 4096, &s, &len, NULL), 0);
	assert_string_equal(s, "V\t2\n\nEntw&APw-rfe\n");
	free(s);
	struct stat sbuf;
	assert_int_equal(stat(p, &sbuf), 0);
	assert_int_equal(sbuf.st_mode & 0777, 0600);
	free(p);
	mg_maildir_close(md);
}

static void test_base_is_stable(void **st)
{
	(void)st;
	char *a = mg_maildir_base("INBOX", 1, 2, 3), *b = mg_maildir_base("INBOX", 1, 2, 3);
	char *c = mg_maildir_base("Sent", 1, 2, 3), *d = mg_maildir_base("INBOX", 2, 2, 3);
	assert_string_equal(a, b);
	assert_string_not_equal(a, c);
	assert_string_not_equal(a, d);
	assert_null(strchr(a, '/'));
	assert_null(strchr(a, ':'));
	free(a); free(b); free(c); free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dirname),
		cmocka_unit_test_setup_teardown(test_write_flags_keywords, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keyword_overflow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_subscriptions, setup, teardown),
		cmocka_unit_test(test_base_is_stable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
