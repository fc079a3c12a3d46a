/* test_sync_journal.c - unit tests for engine/sync_journal.c: replay,
 * torn and garbled tails, UIDVALIDITY orphans, intents, late-copy watches,
 * compaction. */
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
#include <zlib.h>

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


/* A record line with a correct CRC, as a writer of another version would
 * make it. */
static void append_record(const char *body)
{
	char line[512];
	unsigned long crc = crc32(0L, (const Bytef *)body, (uInt)strlen(body));
	snprintf(line, sizeof line, "%s\t%08lx\n", body, crc);
	append_raw(line);
}

static void test_version_record(void **st)
{
	(void)st;
	mg_journal *j = reopen(NULL);
	mg_journal_set_uidvalidity(j, 5);
	assert_int_equal(mg_journal_flush(j, NULL), 0);
	mg_journal_close(j);
	char *data = NULL;
	size_t len = 0;
	assert_int_equal(mg_read_file(path, 1 << 20, &data, &len, NULL), 0);
	assert_true(len > 4 && memcmp(data, "J\t2\t", 4) == 0);   /* the first record */
	free(data);
	/* after a compaction too */
	j = reopen(NULL);
	assert_int_equal(mg_journal_compact(j, true, NULL), 0);
	mg_journal_close(j);
	assert_int_equal(mg_read_file(path, 1 << 20, &data, &len, NULL), 0);
	assert_true(len > 4 && memcmp(data, "J\t2\t", 4) == 0);
	free(data);
	j = reopen(NULL);
	assert_int_equal(j->uidvalidity, 5);
	mg_journal_close(j);

	/* a journal from before the version record (version 1) still opens */
	unlink(path);
	close(open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600));
	append_record("V\t9");
	append_record("M\t1\t10\t900\t-\td1");
	j = reopen(NULL);
	assert_int_equal(j->uidvalidity, 9);
	assert_int_equal(j->n_msgs, 1);
	mg_journal_close(j);

	/* a newer version, or a whole record this version does not know, is
	 * refused, never cut off as if it were a torn write */
	struct stat sb;
	const char *newer[] = { "J\t3", "X\t1\t2" };
	for (size_t i = 0; i < 2; i++) {
		unlink(path);
		close(open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600));
		append_record("V\t9");
		append_record(newer[i]);
		append_record("M\t1\t10\t900\t-\td1");
		stat(path, &sb);
		off_t before = sb.st_size;
		mg_err err;
		mg_err_clear(&err);
		assert_int_equal(mg_journal_open(path, &j, &err), -1);
		assert_string_equal(err.id, "JournalVersion");
		assert_non_null(strstr(err.msg, "newer migsh"));
		assert_non_null(strstr(err.msg, "record 2 "));
		stat(path, &sb);
		assert_int_equal(sb.st_size, before);      /* nothing cut off */
	}
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

static bool keep_after(void *arg, const mg_jwatch *w)
{
	return w->since > *(const int64_t *)arg;
}

/* Watches for late copies survive a crash and compaction, one per (size,
 * hash) with the lowest mark and the latest time; retiring some keeps the
 * rest across a reopen; intents cleared by Z do not clear them. */
static void test_watches(void **st)
{
	(void)st;
	mg_journal *j = reopen(NULL);
	mg_journal_mark(j, 50);
	mg_journal_intent(j, 2, 20, 900, "h2");
	mg_journal_watch(j, 20, "h2", 50, 1000);
	mg_journal_watch(j, 30, "h3", 60, 1000);
	mg_journal_watch(j, 20, "h2", 40, 2000);     /* the same message, watched again */
	mg_journal_watch(j, 20, "hx", 70, 1500);     /* same size, other bytes */
	mg_journal_clear_intents(j);
	assert_int_equal(mg_journal_flush(j, NULL), 0);
	j = reopen(j);
	assert_int_equal(j->n_intents, 0);
	assert_int_equal(j->n_watches, 3);
	assert_int_equal(j->watches[0].size, 20);
	assert_string_equal(j->watches[0].hash, "h2");
	assert_int_equal(j->watches[0].mark, 40);
	assert_int_equal(j->watches[0].since, 2000);
	assert_int_equal(mg_journal_compact(j, true, NULL), 0);
	j = reopen(j);
	assert_int_equal(j->n_watches, 3);
	int64_t cut = 1600;
	mg_journal_retire_watches(j, keep_after, &cut);   /* drops h3 (1000) and hx (1500) */
	assert_int_equal(j->n_watches, 1);
	assert_int_equal(mg_journal_flush(j, NULL), 0);
	j = reopen(j);
	assert_int_equal(j->n_watches, 1);
	assert_string_equal(j->watches[0].hash, "h2");
	cut = 5000;
	mg_journal_retire_watches(j, keep_after, &cut);
	assert_int_equal(mg_journal_flush(j, NULL), 0);
	j = reopen(j);
	assert_int_equal(j->n_watches, 0);
	assert_int_equal(j->dropped_bytes, 0);
	mg_journal_close(j);

	/* a version 1 journal left with intents by an older migsh reads, and
	 * takes watches */
	unlink(path);
	close(open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600));
	append_record("J\t1");
	append_record("P\t50");
	append_record("I\t2\t20\t900\th2");
	j = reopen(NULL);
	assert_int_equal(j->n_intents, 1);
	mg_journal_watch(j, 20, "h2", 50, 1000);
	mg_journal_clear_intents(j);
	assert_int_equal(mg_journal_flush(j, NULL), 0);
	j = reopen(j);
	assert_int_equal(j->n_intents, 0);
	assert_int_equal(j->n_watches, 1);
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
		cmocka_unit_test_setup_teardown(test_version_record, setup, teardown),
		cmocka_unit_test_setup_teardown(test_uidvalidity_orphans, setup, teardown),
		cmocka_unit_test_setup_teardown(test_intents, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watches, setup, teardown),
		cmocka_unit_test_setup_teardown(test_compaction_threshold, setup, teardown),
		cmocka_unit_test(test_flags_normalize),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
