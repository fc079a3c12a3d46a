/* test_folder_map.c - unit tests for engine/folder_map.c: relative names,
 * separators, '/'-in-name folders, special folders, include/exclude rules. */
#include "config.h"
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include "engine/folder_map.h"

static const mg_folder_plan *find(const mg_folder_plan *p, size_t n, const char *rel)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(p[i].rel, rel) == 0)
			return &p[i];
	fail_msg("no plan for '%s'", rel);
	return NULL;
}

static char *dest(const mg_folder_plan *f)
{
	return mg_fmap_join(f->comps, f->n_comps, '/');
}

static void check_dest(const mg_folder_plan *p, size_t n, const char *rel, const char *want)
{
	const mg_folder_plan *f = find(p, n, rel);
	char *d = dest(f);
	assert_string_equal(d, want);
	free(d);
}

#define MB(name, sep, flags) { (char *)(name), (char *)(name), (sep), (flags) }

static void test_courier_prefix_and_roles(void **st)
{
	(void)st;
	mg_imap_mailbox v[] = {
		MB("INBOX", '.', 0), MB("INBOX.Sent Items", '.', 0), MB("INBOX.Deleted Items", '.', 0),
		MB("INBOX.Junk E-Mail", '.', 0), MB("INBOX.Drafts", '.', 0), MB("INBOX.Work.2019", '.', 0),
		MB("INBOX.a/b", '.', 0), MB("INBOX.Work", '.', MG_MBX_NOSELECT),
		MB("INBOX.Sent Items.Old", '.', 0),
	};
	mg_fmap_opts o = { .prefix = "INBOX.", .src_sep = '.', .dst_sep = '.',
	                   .role_dest = { NULL, NULL, "Sent", "Trash", "Junk", "Drafts", "Archive" } };
	mg_folder_plan *p;
	size_t n;
	assert_int_equal(mg_fmap_build(v, 9, &o, &p, &n, NULL), 0);
	assert_int_equal(n, 9);
	const mg_folder_plan *inbox = find(p, n, "INBOX");
	assert_int_equal(inbox->n_comps, 0);
	assert_int_equal(inbox->role, MG_ROLE_INBOX);
	check_dest(p, n, "Sent Items", "Sent");
	check_dest(p, n, "Sent Items/Old", "Sent/Old");
	check_dest(p, n, "Deleted Items", "Trash");
	check_dest(p, n, "Junk E-Mail", "Junk");
	check_dest(p, n, "Work/2019", "Work/2019");
	assert_int_equal(find(p, n, "a/b")->status, MG_FPLAN_INVALID);
	assert_non_null(strstr(find(p, n, "a/b")->reason, "'/'"));
	assert_int_equal(find(p, n, "Work")->status, MG_FPLAN_NOSELECT);
	assert_int_equal(find(p, n, "Sent Items")->status, MG_FPLAN_COPY);
	mg_fmap_free(p, n);
}

static void test_special_use_wins_over_names(void **st)
{
	(void)st;
	mg_imap_mailbox v[] = {
		MB("INBOX", '/', 0), MB("Sent", '/', 0), MB("Gesendete Objekte", '/', MG_MBX_SENT),
		MB("Papierkorb", '/', MG_MBX_TRASH),
	};
	mg_fmap_opts o = { .src_sep = '/', .dst_sep = '.',
	                   .role_dest = { NULL, NULL, "Sent Items", "Deleted Items", NULL, NULL, NULL } };
	mg_folder_plan *p;
	size_t n;
	assert_int_equal(mg_fmap_build(v, 4, &o, &p, &n, NULL), 0);
	check_dest(p, n, "Gesendete Objekte", "Sent Items");
	check_dest(p, n, "Sent", "Sent");          /* second Sent folder keeps its name */
	check_dest(p, n, "Papierkorb", "Deleted Items");
	mg_fmap_free(p, n);
}

static void test_dest_separator_in_name(void **st)
{
	(void)st;
	mg_imap_mailbox v[] = { MB("INBOX", '/', 0), MB("v1.2", '/', 0), MB("a/b.c", '/', 0) };
	mg_fmap_opts o = { .src_sep = '/', .dst_sep = '.' };
	mg_folder_plan *p;
	size_t n;
	assert_int_equal(mg_fmap_build(v, 3, &o, &p, &n, NULL), 0);
	assert_int_equal(find(p, n, "v1.2")->status, MG_FPLAN_INVALID);
	assert_int_equal(find(p, n, "a/b.c")->status, MG_FPLAN_INVALID);
	mg_fmap_free(p, n);
	mg_imap_mailbox bad[] = { MB("..", '/', 0), MB("x//y", '/', 0) };
	assert_int_equal(mg_fmap_build(bad, 2, &o, &p, &n, NULL), 0);
	assert_int_equal(p[0].status, MG_FPLAN_INVALID);
	assert_int_equal(p[1].status, MG_FPLAN_INVALID);
	mg_fmap_free(p, n);
}

static void test_userroot(void **st)
{
	(void)st;
	mg_imap_mailbox v[] = { MB("users/terry", '/', 0), MB("users/terry/Sent", '/', 0),
	                        MB("users/bob/Sent", '/', 0) };
	mg_fmap_opts o = { .src_sep = '/', .dst_sep = '.', .userroot = "users/terry" };
	mg_folder_plan *p;
	size_t n;
	assert_int_equal(mg_fmap_build(v, 3, &o, &p, &n, NULL), 0);
	assert_int_equal(n, 2);
	assert_int_equal(find(p, n, "INBOX")->n_comps, 0);
	check_dest(p, n, "Sent", "Sent");
	mg_fmap_free(p, n);
}

static void test_match_rules(void **st)
{
	(void)st;
	const char *roles[MG_ROLE_COUNT] = { NULL, "INBOX", "Sent Items", "Trash", NULL, "Drafts", NULL };
	assert_true(mg_fmap_match("Archive", "archive", roles));
	assert_false(mg_fmap_match("Archive", "Archive/2019", roles));
	assert_true(mg_fmap_match("Archive/*", "Archive", roles));
	assert_true(mg_fmap_match("Archive/*", "Archive/2019", roles));
	assert_true(mg_fmap_match("Archive/*", "Archive/2019/Q1", roles));
	assert_false(mg_fmap_match("Archive/*", "Archives", roles));
	assert_true(mg_fmap_match("#SentItems#", "Sent Items", roles));
	assert_true(mg_fmap_match("#sentitems#/*", "Sent Items/Old", roles));
	assert_false(mg_fmap_match("#SentItems#", "Sent", roles));
	assert_false(mg_fmap_match("#JunkEmail#", "Junk", roles));   /* no such folder */
	assert_true(mg_fmap_match("#Inbox#", "INBOX", roles));
	assert_true(mg_fmap_match("#Inbox#/*", "INBOX/sub", roles));
	assert_true(mg_fmap_match("#Root#/*", "anything/at/all", roles));
	assert_false(mg_fmap_match("#Root#", "INBOX", roles));
	assert_true(mg_fmap_match("\\#Notes\\#", "#Notes#", roles));
	assert_false(mg_fmap_match("\\#Notes\\#", "Notes", roles));
	assert_true(mg_fmap_match("#Notes#", "#Notes#", roles));   /* unknown token: literal */
	assert_true(mg_fmap_match("Arch*", "Archive/2019", roles));
	assert_true(mg_fmap_match("Archive/20?9", "Archive/2019", roles));
	assert_true(mg_fmap_match("Proj*/*", "Projects/x", roles));
	assert_true(mg_fmap_match("[Gmail]/*", "[Gmail]/Sent Mail", roles));
}

static void test_include_exclude(void **st)
{
	(void)st;
	mg_imap_mailbox v[] = { MB("INBOX", '/', 0), MB("Archive", '/', 0), MB("Archive/2019", '/', 0),
	                        MB("Sent", '/', 0), MB("Spam", '/', 0) };
	const char *inc[] = { "#Inbox#", "Archive/*", "#SentItems#", NULL };
	const char *exc[] = { "archive/2019", NULL };
	mg_fmap_opts o = { .src_sep = '/', .dst_sep = '.', .include = inc, .exclude = exc };
	mg_folder_plan *p;
	size_t n;
	assert_int_equal(mg_fmap_build(v, 5, &o, &p, &n, NULL), 0);
	assert_int_equal(find(p, n, "INBOX")->status, MG_FPLAN_COPY);
	assert_int_equal(find(p, n, "Archive")->status, MG_FPLAN_COPY);
	assert_int_equal(find(p, n, "Archive/2019")->status, MG_FPLAN_EXCLUDED);
	assert_int_equal(find(p, n, "Sent")->status, MG_FPLAN_COPY);
	assert_int_equal(find(p, n, "Spam")->status, MG_FPLAN_EXCLUDED);
	assert_non_null(strstr(find(p, n, "Spam")->reason, "IncludeFolders"));
	mg_fmap_free(p, n);
}

/* Names that cannot be mapped are planned as FolderNameInvalid with a reason,
 * never fatal; their shown name is printable UTF-8; a damaged wire name is
 * marked so it is never sent. */
static void test_unmappable_names(void **st)
{
	(void)st;
	const mg_folder_plan *f;
	char longname[601];
	memset(longname, 'L', 600);
	longname[600] = 0;
	mg_imap_mailbox v[] = {
		MB("INBOX", '/', 0),
		{ (char *)longname, (char *)longname, '/', 0 },
		{ NULL, (char *)"Ab\xff" "cd", '/', 0 },            /* NUL in the name (parser's mark) */
		{ NULL, (char *)"Caf\xe9", '/', 0 },                /* raw 8-bit: not modified UTF-7 */
		MB("Tab\there", '/', 0),
		MB("ok/..", '/', 0),
		MB("Work", '/', 0),
		{ (char *)"Form\x0c" "Feed", (char *)"Form&AAw-Feed", '/', 0 },   /* a control character in mUTF-7 */
	};
	mg_fmap_opts o = { .src_sep = '/', .dst_sep = '.', .max_name_bytes = 240 };
	mg_folder_plan *p;
	size_t n;
	assert_int_equal(mg_fmap_build(v, 8, &o, &p, &n, NULL), 0);
	assert_int_equal(n, 8);
	f = find(p, n, "Form\x0c" "Feed");
	assert_int_equal(f->status, MG_FPLAN_INVALID);
	assert_string_equal(f->name, "Form\\x0CFeed");      /* shown and stored escaped (found by fuzz_folder_map) */
	f = find(p, n, longname);
	assert_int_equal(f->status, MG_FPLAN_INVALID);
	assert_non_null(strstr(f->reason, "600 bytes"));
	f = find(p, n, "Ab\\x00cd");
	assert_int_equal(f->status, MG_FPLAN_INVALID);
	assert_true(f->unsendable);
	assert_non_null(strstr(f->reason, "NUL"));
	f = find(p, n, "Caf\\xE9");
	assert_int_equal(f->status, MG_FPLAN_INVALID);
	assert_false(f->unsendable);
	assert_string_equal(f->name, "Caf\\xE9");
	f = find(p, n, "Tab\there");
	assert_int_equal(f->status, MG_FPLAN_INVALID);
	assert_true(f->unsendable);
	assert_int_equal(find(p, n, "ok/..")->status, MG_FPLAN_INVALID);
	assert_int_equal(find(p, n, "Work")->status, MG_FPLAN_COPY);
	assert_int_equal(find(p, n, "INBOX")->status, MG_FPLAN_COPY);
	mg_fmap_free(p, n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_courier_prefix_and_roles),
		cmocka_unit_test(test_special_use_wins_over_names),
		cmocka_unit_test(test_dest_separator_in_name),
		cmocka_unit_test(test_userroot),
		cmocka_unit_test(test_match_rules),
		cmocka_unit_test(test_include_exclude),
		cmocka_unit_test(test_unmappable_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
