/* test_sync_journal.c - unit tests for engine/sync_journal.c: replay,
 * torn and garbled tails, UIDVALIDITY orphans, intents, compaction. */
#include "config.h"
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "common/fileio.h"
#include "common/mem.h"
#include "engine/sync_journal.h"

static char dir[256], path[300];

static int setup(void **st)
{
	(void)st;
	snprintf(dir, sizeof dir, "/tmp/mg-test-journal.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/f.jnl", dir);
	return 0;
}

static int teardown(void **st)
{
	(void)st;
	mg_rm_rf(dir, NULL);
	return 0;
}

static mg_journal *reopen(mg_journal *j)
{
	if (j)
		mg_journal_close(j);
	mg_journal *n;
	assert_int_equal(mg_journal_open(path, &n, NULL), 0);
	return n;
}

static void append_raw(const char *s)
{
	int fd = open(path, O_WRONLY | O_APPEND);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, s, strlen(s)), (ssize_t)strlen(s));
	close(fd);
}

static void test_replay(void **st)
{
	(void)st;
	mg_journal *j = reopen(NULL);
	mg_journal_set_folder(j, "Entw\xc3\xbc" "rfe");
	mg_journal_set_uidvalidity(j, 42);
	mg_journal_add(j, 3, 100, 1000, "\\Seen", "dest3");
	mg_journal_add(j, 1, 10, 900, "", "dest1");
	mg_journal_add(j, 2, 20, 950, "$Work \\Flagged", "dest2");
	mg_journal_set_flags(j, 1, "\\Answered");
	mg_journal_pass_done(j, 4, 77);
	assert_int_equal(mg_journal_flush(j, NULL), 0);
	mg_journal_add(j, 9, 1, 1, "", "not-flushed");   /* lost: never flushed */
	j = reopen(j);
	assert_string_equal(j->folder, "Entw\xc3\xbc" "rfe");
	assert_int_equal(j->uidvalidity, 42);
	assert_int_equal(j->n_msgs, 3);
	assert_int_equal(j->msgs[0].uid, 1);
	assert_string_equal(j->msgs[0].flags, "\\Answered");
	assert_string_equal(mg_journal_find(j, 2)->flags, "$Work \\Flagged");
	assert_string_equal(mg_journal_find(j, 3)->dest, "dest3");
	assert_null(mg_journal_find(j, 9));
	assert_int_equal(j->uidnext, 4);
	assert_int_equal(j->modseq, 77);
	mg_journal_close(j);
}

/* deletion sync: a forgotten mapping stays forgotten after replay and compaction */
static void test_forget(void **st)
{
	(void)st;
	mg_journal *j = reopen(NULL);
	mg_journal_set_uidvalidity(j, 7);
	mg_journal_add(j, 1, 10, 900, "", "d1");
	mg_journal_add(j, 2, 20, 950, "", "d2");
	mg_journal_add(j, 3, 30, 990, "", "d3");
	mg_journal_forget(j, 2);
	mg_journal_forget(j, 99);          /* unknown: nothing */
	assert_int_equal(j->n_msgs, 2);
	assert_int_equal(mg_journal_flush(j, NULL), 0);
	j = reopen(j);
	assert_int_equal(j->n_msgs, 2);
	assert_null(mg_journal_find(j, 2));
	assert_string_equal(mg_journal_find(j, 3)->dest, "d3");
	assert_int_equal(mg_journal_compact(j, true, NULL), 0);
	j = reopen(j);
	assert_int_equal(j->n_msgs, 2);
	assert_null(mg_journal_find(j, 2));
	assert_string_equal(mg_journal_find(j, 1)->dest, "d1");
	mg_journal_close(j);
}

static void test_torn_tail(void **st)
{
	(void)st;
	mg_journal *j = reopen(NULL);
	mg_journal_set_uidvalidity(j, 5);
	mg_journal_add(j, 1, 10, 900, "", "d1");
	assert_int_equal(mg_journal_flush(j, NULL), 0);
	mg_journal_close(j);
	struct stat sb;
	stat(path, &sb);
	off_t good = sb.st_size;
	static const char torn[] = "M\t2\t10\t900\t-\td2\t0000";
	append_raw(torn);                          /* crash in the middle of a record */
	j = reopen(NULL);
	assert_int_equal(j->n_msgs, 1);
	assert_int_equal(j->dropped_bytes, strlen(torn));
	stat(path, &sb);
	assert_int_equal(sb.st_size, good);         /* torn end cut off */
	/* appending after recovery works and replays */
	mg_journal_add(j, 2, 10, 900, "", "d2");
	assert_int_equal(mg_journal_flush(j, NULL), 0);
	j = reopen(j);
	assert_int_equal(j->n_msgs, 2);
	/* a complete line with a bad checksum ends the replay too */
	append_raw("M\t3\t10\t900\t-\td3\tdeadbeef\n");
	j = reopen(j);
	assert_int_equal(j->n_msgs, 2);
	assert_null(mg_journal_find(j, 3));
	mg_journal_close(j);
}

static void test_uidvalidity_orphans(void **st)
{
	(void)st;
	mg_journal *j = reopen(NULL);
	mg_journal_set_uidvalidity(j, 1);
	mg_journal_add(j, 1, 10, 900, "\\Seen", "a");
	mg_journal_add(j, 2, 20, 900, "", "b");
	mg_journal_pass_done(j, 3, 0);
	mg_journal_set_uidvalidity(j, 2);
	assert_int_equal(j->n_msgs, 0);
	assert_int_equal(j->n_orphans, 2);
	assert_int_equal(j->uidnext, 0);
	/* new uid 7 matched to the old copy "b" */
	mg_journal_add(j, 7, 20, 900, "", "b");
	mg_journal_orphan_used(j, 1);
	assert_int_equal(mg_journal_flush(j, NULL), 0);
	j = reopen(j);
	assert_int_equal(j->uidvalidity, 2);
	assert_int_equal(j->n_msgs, 1);
	assert_int_equal(j->n_orphans, 1);           /* "b" pruned at replay */
	assert_string_equal(j->orphans[0].dest, "a");
	/* compaction keeps the same state */
	assert_int_equal(mg_journal_compact(j, true, NULL), 0);
	j = reopen(j);
	assert_int_equal(j->n_msgs, 1);
	assert_int_equal(j->n_orphans, 1);
	assert_string_equal(mg_journal_find(j, 7)->dest, "b");
	mg_journal_close(j);
}

static void test_intents(void **st)
{
	(void)st;
	mg_journal *j = reopen(NULL);
	mg_journal_set_uidvalidity(j, 1);
	mg_journal_set_dst_uidvalidity(j, 99);
	mg_journal_mark(j, 50);
	mg_journal_intent(j, 1, 10, 900, "h1");
	mg_journal_intent(j, 2, 20, 900, "h2");
	assert_int_equal(mg_journal_flush(j, NULL), 0);
	mg_journal_add(j, 1, 10, 900, "", "50");        /* APPEND 1 confirmed */
	assert_int_equal(mg_journal_flush(j, NULL), 0);
	j = reopen(j);                                   /* crash before 2 was confirmed */
	assert_int_equal(j->dst_uidvalidity, 99);
	assert_int_equal(j->dst_mark, 50);
	assert_int_equal(j->n_intents, 1);
	assert_int_equal(j->intents[0].uid, 2);
	assert_string_equal(j->intents[0].hash, "h2");
	assert_int_equal(mg_journal_compact(j, true, NULL), 0);
	j = reopen(j);
	assert_int_equal(j->n_intents, 1);
	mg_journal_clear_intents(j);
	assert_int_equal(mg_journal_flush(j, NULL), 0);
	j = reopen(j);
	assert_int_equal(j->n_intents, 0);
	assert_int_equal(j->dst_mark, 0);
	mg_journal_close(j);
}

static void test_compaction_threshold(void **st)
{
	(void)st;
	mg_journal *j = reopen(NULL);
	mg_journal_set_uidvalidity(j, 1);
	mg_journal_add(j, 1, 10, 900, "", "a");
	for (int i = 0; i < 3000; i++)
		mg_journal_set_flags(j, 1, (i & 1) ? "\\Seen" : "");
	assert_int_equal(mg_journal_compact(j, false, NULL), 0);
	j = reopen(j);
	assert_true(j->records < 10);
	assert_string_equal(mg_journal_find(j, 1)->flags, "\\Seen");
	mg_journal_close(j);
}

static void test_flags_normalize(void **st)
{
	(void)st;
	const char *f[] = { "\\Seen", "\\Recent", "$Forwarded", "\\Answered", "\\Seen" };
	char *n = mg_flags_normalize(f, 5);
	assert_string_equal(n, "$Forwarded \\Answered \\Seen");
	char *store;
	const char **v;
	assert_int_equal(mg_flags_split(n, &store, &v), 3);
	assert_string_equal(v[2], "\\Seen");
	free(store);
	free(v);
	free(n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_replay, setup, teardown),
		cmocka_unit_test_setup_teardown(test_forget, setup, teardown),
		cmocka_unit_test_setup_teardown(test_torn_tail, setup, teardown),
		cmocka_unit_test_setup_teardown(test_uidvalidity_orphans, setup, teardown),
		cmocka_unit_test_setup_teardown(test_intents, setup, teardown),
		cmocka_unit_test_setup_teardown(test_compaction_threshold, setup, teardown),
		cmocka_unit_test(test_flags_normalize),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
