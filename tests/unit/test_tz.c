/* test_tz.c - time zones for -TimeZone (engine/tz.h): names (Windows ids,
 * IANA, fixed offsets), offsets from the TZif tables and from the POSIX rule
 * after them (both hemispheres), wall clock to UTC across the changes, and
 * refusal of unknown names, path tricks and broken TZif data. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "common/fileio.h"
#include "common/mem.h"
#include "engine/tz.h"

/* seconds since the epoch of a UTC (or wall-clock) date */
static int64_t at(int y, int mo, int d, int h, int mi)
{
	struct tm tm = { 0 };
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	return (int64_t)timegm(&tm);
}

static mg_tz *open_ok(const char *name)
{
	mg_tz *tz = NULL;
	mg_err err = { 0 };
	if (mg_tz_open(name, &tz, &err) < 0)
		fail_msg("mg_tz_open(%s): %s", name, err.msg);
	return tz;
}

static void test_utc_and_fixed(void **s)
{
	(void)s;
	mg_tz *tz = open_ok(NULL);
	assert_string_equal(mg_tz_name(tz), "UTC");
	assert_int_equal(mg_tz_offset_at(tz, at(2024, 7, 1, 0, 0)), 0);
	mg_tz_free(tz);
	tz = open_ok("utc");
	assert_int_equal(mg_tz_to_utc(tz, at(2024, 7, 1, 12, 0)), at(2024, 7, 1, 12, 0));
	mg_tz_free(tz);
	tz = open_ok("UTC+05:30");
	assert_int_equal(mg_tz_offset_at(tz, 0), 5 * 3600 + 1800);
	assert_int_equal(mg_tz_to_utc(tz, at(2024, 7, 1, 12, 0)), at(2024, 7, 1, 6, 30));
	mg_tz_free(tz);
	tz = open_ok("GMT-3");
	assert_int_equal(mg_tz_offset_at(tz, 0), -3 * 3600);
	mg_tz_free(tz);
	tz = open_ok("UTC-11");          /* a Windows id that is an offset */
	assert_int_equal(mg_tz_offset_at(tz, 0), -11 * 3600);
	mg_tz_free(tz);
}

static void test_windows_and_iana(void **s)
{
	(void)s;
	mg_tz *tz = open_ok("Eastern Standard Time");
	assert_string_equal(mg_tz_name(tz), "America/New_York");
	assert_int_equal(mg_tz_offset_at(tz, at(2024, 1, 15, 12, 0)), -5 * 3600);
	assert_int_equal(mg_tz_offset_at(tz, at(2024, 7, 1, 12, 0)), -4 * 3600);
	/* after the file's table (2037): the footer rule EST5EDT,M3.2.0,M11.1.0 */
	assert_int_equal(mg_tz_offset_at(tz, at(2050, 7, 1, 12, 0)), -4 * 3600);
	assert_int_equal(mg_tz_offset_at(tz, at(2050, 12, 1, 12, 0)), -5 * 3600);
	/* second Sunday of March 2050 is the 13th: 02:00 EST = 07:00 UTC */
	assert_int_equal(mg_tz_offset_at(tz, at(2050, 3, 13, 6, 59)), -5 * 3600);
	assert_int_equal(mg_tz_offset_at(tz, at(2050, 3, 13, 7, 0)), -4 * 3600);
	mg_tz_free(tz);

	tz = open_ok("w. europe standard time");  /* case-insensitive */
	assert_string_equal(mg_tz_name(tz), "Europe/Berlin");
	assert_int_equal(mg_tz_to_utc(tz, at(2020, 8, 23, 0, 0)), at(2020, 8, 22, 22, 0));
	mg_tz_free(tz);

	/* southern hemisphere: DST spans the new year */
	tz = open_ok("Australia/Sydney");
	assert_int_equal(mg_tz_offset_at(tz, at(2024, 1, 10, 0, 0)), 11 * 3600);
	assert_int_equal(mg_tz_offset_at(tz, at(2024, 7, 10, 0, 0)), 10 * 3600);
	assert_int_equal(mg_tz_offset_at(tz, at(2055, 1, 10, 0, 0)), 11 * 3600);
	assert_int_equal(mg_tz_offset_at(tz, at(2055, 7, 10, 0, 0)), 10 * 3600);
	mg_tz_free(tz);

	tz = open_ok("India Standard Time");
	assert_int_equal(mg_tz_offset_at(tz, at(2024, 7, 1, 0, 0)), 5 * 3600 + 1800);
	mg_tz_free(tz);
}

static void test_every_windows_name_resolves(void **s)
{
	(void)s;
	size_t i = 0;
	for (const char *w; (w = mg_tz_windows_name(i)); i++)
		mg_tz_free(open_ok(w));
	assert_true(i > 50);
}

static void test_wall_clock_edges(void **s)
{
	(void)s;
	mg_tz *tz = open_ok("America/New_York");
	/* an ordinary summer time */
	assert_int_equal(mg_tz_to_utc(tz, at(2024, 7, 1, 9, 0)), at(2024, 7, 1, 13, 0));
	/* 02:30 on 10 March 2024 does not exist: read with EST, i.e. 03:30 EDT */
	assert_int_equal(mg_tz_to_utc(tz, at(2024, 3, 10, 2, 30)), at(2024, 3, 10, 7, 30));
	/* 01:30 on 3 November 2024 happens twice: the first one (EDT) */
	assert_int_equal(mg_tz_to_utc(tz, at(2024, 11, 3, 1, 30)), at(2024, 11, 3, 5, 30));
	/* and the same in the footer's years */
	assert_int_equal(mg_tz_to_utc(tz, at(2050, 11, 6, 1, 30)), at(2050, 11, 6, 5, 30));
	mg_tz_free(tz);

	/* Europe/Berlin, by its Windows name too: the gap on 30 March 2025
	 * (02:00-03:00 does not exist: read with CET) and the overlap on 26
	 * October 2025 (02:30 happens twice: the first one, CEST) */
	const char *berlin[] = { "Europe/Berlin", "W. Europe Standard Time" };
	for (size_t i = 0; i < 2; i++) {
		tz = open_ok(berlin[i]);
		assert_int_equal(mg_tz_to_utc(tz, at(2025, 3, 30, 1, 59)), at(2025, 3, 30, 0, 59));
		assert_int_equal(mg_tz_to_utc(tz, at(2025, 3, 30, 2, 30)), at(2025, 3, 30, 1, 30));
		assert_int_equal(mg_tz_to_utc(tz, at(2025, 3, 30, 3, 0)), at(2025, 3, 30, 1, 0));
		assert_int_equal(mg_tz_to_utc(tz, at(2025, 10, 26, 2, 30)), at(2025, 10, 26, 0, 30));
		assert_int_equal(mg_tz_to_utc(tz, at(2025, 10, 26, 3, 0)), at(2025, 10, 26, 2, 0));
		mg_tz_free(tz);
	}
}

static void test_refused(void **s)
{
	(void)s;
	const char *bad[] = { "Mars/Olympus_Mons", "../../etc/passwd", "/etc/localtime",
	                      "Europe//Berlin", "Pacific Standard", "UTC+99", "Europe/Berlin/",
	                      "Europe/Ber lin" };
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		mg_tz *tz = NULL;
		mg_err err = { 0 };
		assert_int_equal(mg_tz_open(bad[i], &tz, &err), -1);
		assert_null(tz);
		assert_string_equal(err.id, "InvalidTimeZone");
		assert_non_null(strstr(err.msg, bad[i]));
		assert_non_null(strstr(err.msg, "Pacific Standard Time"));
	}
}

static void test_broken_tzif(void **s)
{
	(void)s;
	char *buf = NULL;
	size_t len = 0;
	mg_err err = { 0 };
	assert_int_equal(mg_read_file("/usr/share/zoneinfo/Europe/Paris", 1 << 20, &buf, &len, &err), 0);
	mg_tz *tz = NULL;
	/* every truncation is refused or parses a consistent prefix, never reads past the end */
	for (size_t cut = 0; cut < len; cut += 7) {
		unsigned char *copy = xmalloc(cut ? cut : 1);
		memcpy(copy, buf, cut);
		if (mg_tz_from_tzif("Europe/Paris", copy, cut, &tz, &err) == 0) {
			(void)mg_tz_offset_at(tz, at(2024, 7, 1, 0, 0));
			mg_tz_free(tz);
		}
		free(copy);
	}
	assert_int_equal(mg_tz_from_tzif("x", (const unsigned char *)"TZjf", 4, &tz, &err), -1);
	assert_non_null(strstr(err.msg, "not in TZif format"));
	/* a transition index out of range */
	unsigned char *copy = xmalloc(len);
	memcpy(copy, buf, len);
	unsigned char *h2 = memmem(copy + 4, len - 4, "TZif", 4);   /* the 64-bit block */
	assert_non_null(h2);
	uint32_t timecnt = (uint32_t)h2[32] << 24 | (uint32_t)h2[33] << 16 | h2[34] << 8 | h2[35];
	assert_true(timecnt > 0);
	h2[44 + timecnt * 8] = 250;
	assert_int_equal(mg_tz_from_tzif("Europe/Paris", copy, len, &tz, &err), -1);
	assert_non_null(strstr(err.msg, "broken transition table"));
	free(copy);
	/* the whole file still works */
	assert_int_equal(mg_tz_from_tzif("Europe/Paris", (unsigned char *)buf, len, &tz, &err), 0);
	assert_int_equal(mg_tz_offset_at(tz, at(2024, 7, 1, 0, 0)), 2 * 3600);
	mg_tz_free(tz);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utc_and_fixed),
		cmocka_unit_test(test_windows_and_iana),
		cmocka_unit_test(test_every_windows_name_resolves),
		cmocka_unit_test(test_wall_clock_edges),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_broken_tzif),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
