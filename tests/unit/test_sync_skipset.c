/* test_sync_skipset.c - unit tests for engine/sync_skipset.c: the uids a
 * folder's last pass did not copy survive a save/load as ranges, another
 * UIDVALIDITY or a damaged or missing file means "unknown", and long lists
 * are cut into IMAP sets of bounded length. */
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
#include "common/fileio.h"
#include "common/mem.h"
#include "engine/sync_internal.h"

static char dir[256], path[300];

static int setup(void **st)
{
	(void)st;
	snprintf(dir, sizeof dir, "/tmp/mg-test-skipset.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/f.jnl.skip", dir);
	return 0;
}

static int teardown(void **st)
{
	(void)st;
	mg_rm_rf(dir, NULL);
	return 0;
}

static void test_roundtrip(void **st)
{
	(void)st;
	uint32_t v[] = { 9, 3, 4, 5, 100, 7 };
	assert_int_equal(sync_skipset_save(path, 42, v, 6, NULL), 0);
	char *s;
	size_t len;
	assert_int_equal(mg_read_file(path, 4096, &s, &len, NULL), 0);
	assert_string_equal(s, "migsh-skipset 1 42\n3:5,7,9,100\n");
	free(s);
	struct stat sb;
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	uint32_t *u;
	size_t n;
	assert_int_equal(sync_skipset_load(path, 42, &u, &n, NULL), 0);
	assert_int_equal(n, 6);
	uint32_t want[] = { 3, 4, 5, 7, 9, 100 };
	for (size_t i = 0; i < n; i++)
		assert_int_equal(u[i], want[i]);
	free(u);
	/* empty set */
	assert_int_equal(sync_skipset_save(path, 42, NULL, 0, NULL), 0);
	assert_int_equal(sync_skipset_load(path, 42, &u, &n, NULL), 0);
	assert_int_equal(n, 0);
	free(u);
}

static void test_unknown(void **st)
{
	(void)st;
	uint32_t *u;
	size_t n;
	assert_int_equal(sync_skipset_load(path, 1, &u, &n, NULL), 1);      /* no file */
	uint32_t v[] = { 1, 2 };
	assert_int_equal(sync_skipset_save(path, 7, v, 2, NULL), 0);
	assert_int_equal(sync_skipset_load(path, 8, &u, &n, NULL), 1);      /* other UIDVALIDITY */
	assert_null(u);
	assert_int_equal(mg_write_atomic(path, "migsh-skipset 1 7\n1:2,x\n", 24, 0600, NULL), 0);
	assert_int_equal(sync_skipset_load(path, 7, &u, &n, NULL), 1);      /* damaged */
	assert_null(u);
	assert_int_equal(mg_write_atomic(path, "garbage", 7, 0600, NULL), 0);
	assert_int_equal(sync_skipset_load(path, 7, &u, &n, NULL), 1);
}

static void test_uidset_pieces(void **st)
{
	(void)st;
	uint32_t v[2000];
	for (size_t i = 0; i < 2000; i++)
		v[i] = (uint32_t)(i * 2 + 1);       /* no ranges: 1,3,5,... */
	size_t pos = 0, pieces = 0, total = 0;
	char *s;
	while ((s = sync_uidset_next(v, 2000, &pos, 100)) != NULL) {
		assert_true(strlen(s) < 100 + 16);
		for (char *c = s; *c; c++)
			total += *c == ',';
		total++;
		pieces++;
		free(s);
	}
	assert_int_equal(total, 2000);
	assert_true(pieces > 10);
	uint32_t r[] = { 1, 2, 3, 10 };
	pos = 0;
	s = sync_uidset_next(r, 4, &pos, 4000);
	assert_string_equal(s, "1:3,10");
	free(s);
	assert_null(sync_uidset_next(r, 4, &pos, 4000));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_uidset_pieces, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
