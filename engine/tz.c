/*
 * tz.c - time zones (engine/tz.h): Windows ids and IANA names resolved to
 * the system's TZif files, fixed offsets, and local wall time <-> UTC.
 *
 * A TZif file (RFC 8536) lists UTC transition instants, each with a local
 * time type (offset, DST flag); after the last transition the POSIX TZ string
 * in the footer ("EST5EDT,M3.2.0,M11.1.0") gives the yearly rule.  Only the
 * 64-bit (version 2+) block is read when present.  Leap-second records are
 * skipped: migsh's clocks count POSIX seconds.
 */
#include "config.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/fileio.h"
#include "common/mem.h"
#include "common/str.h"
#include "engine/tz.h"

#define TZ_FILE_MAX (1024 * 1024)

/* One end of a POSIX DST rule: Mm.w.d, Jn or n, at time secs local. */
typedef struct tz_rule_date {
	char    kind;     /* 'M', 'J' or 'D' (zero-based day of year) */
	int     m, w, d;  /* M form; d = day for J / D forms */
	int32_t time;     /* seconds after local midnight, may be negative or > 24h */
} tz_rule_date;

typedef struct tz_posix {
	bool         valid;
	int32_t      std_off;   /* east-positive seconds */
	bool         has_dst;
	int32_t      dst_off;
	tz_rule_date start, end;
} tz_posix;

struct mg_tz {
	char     *name;
	size_t    ntrans;
	int64_t  *trans;    /* UTC instants, ascending */
	uint8_t  *idx;      /* type of each transition */
	size_t    ntypes;
	int32_t  *utoff;
	tz_posix  footer;
};

/* Windows time zone ids (as Exchange and Windows name them) and the IANA
 * zone of each one's main region (CLDR's "001" territory mapping). */
static const struct { const char *win, *iana; } win_zones[] = {
	{ "Dateline Standard Time", "Etc/GMT+12" },
	{ "UTC-11", "Etc/GMT+11" },
	{ "Hawaiian Standard Time", "Pacific/Honolulu" },
	{ "Alaskan Standard Time", "America/Anchorage" },
	{ "Pacific Standard Time", "America/Los_Angeles" },
	{ "Pacific Standard Time (Mexico)", "America/Tijuana" },
	{ "US Mountain Standard Time", "America/Phoenix" },
	{ "Mountain Standard Time", "America/Denver" },
	{ "Central America Standard Time", "America/Guatemala" },
	{ "Central Standard Time", "America/Chicago" },
	{ "Central Standard Time (Mexico)", "America/Mexico_City" },
	{ "Canada Central Standard Time", "America/Regina" },
	{ "SA Pacific Standard Time", "America/Bogota" },
	{ "Eastern Standard Time", "America/New_York" },
	{ "US Eastern Standard Time", "America/Indiana/Indianapolis" },
	{ "Venezuela Standard Time", "America/Caracas" },
	{ "Atlantic Standard Time", "America/Halifax" },
	{ "SA Western Standard Time", "America/La_Paz" },
	{ "Pacific SA Standard Time", "America/Santiago" },
	{ "Newfoundland Standard Time", "America/St_Johns" },
	{ "E. South America Standard Time", "America/Sao_Paulo" },
	{ "Argentina Standard Time", "America/Argentina/Buenos_Aires" },
	{ "SA Eastern Standard Time", "America/Cayenne" },
	{ "Greenland Standard Time", "America/Nuuk" },
	{ "Montevideo Standard Time", "America/Montevideo" },
	{ "UTC-02", "Etc/GMT+2" },
	{ "Azores Standard Time", "Atlantic/Azores" },
	{ "Cape Verde Standard Time", "Atlantic/Cape_Verde" },
	{ "UTC", "Etc/UTC" },
	{ "GMT Standard Time", "Europe/London" },
	{ "Greenwich Standard Time", "Atlantic/Reykjavik" },
	{ "Morocco Standard Time", "Africa/Casablanca" },
	{ "W. Europe Standard Time", "Europe/Berlin" },
	{ "Central Europe Standard Time", "Europe/Budapest" },
	{ "Romance Standard Time", "Europe/Paris" },
	{ "Central European Standard Time", "Europe/Warsaw" },
	{ "W. Central Africa Standard Time", "Africa/Lagos" },
	{ "GTB Standard Time", "Europe/Bucharest" },
	{ "FLE Standard Time", "Europe/Kyiv" },
	{ "E. Europe Standard Time", "Europe/Chisinau" },
	{ "Egypt Standard Time", "Africa/Cairo" },
	{ "South Africa Standard Time", "Africa/Johannesburg" },
	{ "Israel Standard Time", "Asia/Jerusalem" },
	{ "Jordan Standard Time", "Asia/Amman" },
	{ "Turkey Standard Time", "Europe/Istanbul" },
	{ "Arab Standard Time", "Asia/Riyadh" },
	{ "Russian Standard Time", "Europe/Moscow" },
	{ "E. Africa Standard Time", "Africa/Nairobi" },
	{ "Iran Standard Time", "Asia/Tehran" },
	{ "Arabian Standard Time", "Asia/Dubai" },
	{ "Afghanistan Standard Time", "Asia/Kabul" },
	{ "Pakistan Standard Time", "Asia/Karachi" },
	{ "West Asia Standard Time", "Asia/Tashkent" },
	{ "India Standard Time", "Asia/Kolkata" },
	{ "Sri Lanka Standard Time", "Asia/Colombo" },
	{ "Nepal Standard Time", "Asia/Kathmandu" },
	{ "Central Asia Standard Time", "Asia/Almaty" },
	{ "Bangladesh Standard Time", "Asia/Dhaka" },
	{ "Myanmar Standard Time", "Asia/Yangon" },
	{ "SE Asia Standard Time", "Asia/Bangkok" },
	{ "China Standard Time", "Asia/Shanghai" },
	{ "Singapore Standard Time", "Asia/Singapore" },
	{ "Taipei Standard Time", "Asia/Taipei" },
	{ "W. Australia Standard Time", "Australia/Perth" },
	{ "Tokyo Standard Time", "Asia/Tokyo" },
	{ "Korea Standard Time", "Asia/Seoul" },
	{ "Cen. Australia Standard Time", "Australia/Adelaide" },
	{ "AUS Central Standard Time", "Australia/Darwin" },
	{ "E. Australia Standard Time", "Australia/Brisbane" },
	{ "AUS Eastern Standard Time", "Australia/Sydney" },
	{ "West Pacific Standard Time", "Pacific/Port_Moresby" },
	{ "Tasmania Standard Time", "Australia/Hobart" },
	{ "New Zealand Standard Time", "Pacific/Auckland" },
	{ "UTC+12", "Etc/GMT-12" },
	{ "Fiji Standard Time", "Pacific/Fiji" },
	{ "Tonga Standard Time", "Pacific/Tongatapu" },
	{ "Samoa Standard Time", "Pacific/Apia" },
	{ "Line Islands Standard Time", "Pacific/Kiritimati" },
};

const char *mg_tz_windows_name(size_t i)
{
	return i < sizeof win_zones / sizeof win_zones[0] ? win_zones[i].win : NULL;
}

static int unknown(mg_err *err, const char *name, const char *why)
{
	return mg_err_set(err, MGC_INVALIDARG, "InvalidTimeZone",
	                  "The time zone '%s' given with -TimeZone isn't known%s%s. Use a Windows time zone name such as "
	                  "'Pacific Standard Time' or 'W. Europe Standard Time', an IANA name such as "
	                  "'America/Los_Angeles', or a fixed offset such as 'UTC+05:30'.",
	                  name, why ? ": " : "", why ? why : "");
}

/* ---------------------------------------------------------- civil dates */

static bool is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian; Howard Hinnant's
 * days_from_civil). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int64_t year_of(int64_t t)
{
	/* civil_from_days, the year only */
	int64_t z = floor_div(t, 86400) + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int m = (int)(mp < 10 ? mp + 3 : mp - 9);
	return yoe + era * 400 + (m <= 2);
}

/* Local midnight (as a wall-clock count) of the rule's day in year y. */
static int64_t rule_day(const tz_rule_date *r, int64_t y)
{
	if (r->kind == 'J') {
		int64_t doy = r->d - 1;           /* 1..365, Feb 29 never counted */
		if (is_leap(y) && r->d >= 60)
			doy++;
		return (days_from_civil(y, 1, 1) + doy) * 86400;
	}
	if (r->kind == 'D')
		return (days_from_civil(y, 1, 1) + r->d) * 86400;
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int64_t first = days_from_civil(y, r->m, 1);
	int first_dow = (int)(((first % 7) + 11) % 7);  /* 1970-01-01 was a Thursday (4) */
	int day = 1 + (r->d - first_dow + 7) % 7 + (r->w - 1) * 7;
	int last = mdays[r->m - 1] + (r->m == 2 && is_leap(y));
	while (day > last)
		day -= 7;
	return (first + day - 1) * 86400;
}

/* ---------------------------------------------------- POSIX TZ strings */

static bool posix_name(const char **p)
{
	const char *s = *p;
	if (*s == '<') {
		const char *e = strchr(s, '>');
		if (!e || e == s + 1)
			return false;
		*p = e + 1;
		return true;
	}
	size_t n = 0;
	while (isalpha((unsigned char)s[n]))
		n++;
	if (n < 3)
		return false;
	*p = s + n;
	return true;
}

/* [+-]hh[:mm[:ss]] -> seconds (sign as written). */
static bool posix_time(const char **p, int32_t *out)
{
	const char *s = *p;
	int sign = 1;
	if (*s == '+' || *s == '-') {
		sign = *s == '-' ? -1 : 1;
		s++;
	}
	if (!isdigit((unsigned char)*s))
		return false;
	long h = strtol(s, (char **)&s, 10), m = 0, sec = 0;
	if (*s == ':') {
		m = strtol(s + 1, (char **)&s, 10);
		if (*s == ':')
			sec = strtol(s + 1, (char **)&s, 10);
	}
	if (h > 167 || m > 59 || sec > 59)
		return false;
	*out = (int32_t)(sign * (h * 3600 + m * 60 + sec));
	*p = s;
	return true;
}

static bool posix_rule(const char **p, tz_rule_date *r)
{
	const char *s = *p;
	memset(r, 0, sizeof *r);
	r->time = 7200;
	if (*s == 'M') {
		char *e;
		r->kind = 'M';
		r->m = (int)strtol(s + 1, &e, 10);
		if (*e != '.')
			return false;
		r->w = (int)strtol(e + 1, &e, 10);
		if (*e != '.')
			return false;
		r->d = (int)strtol(e + 1, &e, 10);
		s = e;
		if (r->m < 1 || r->m > 12 || r->w < 1 || r->w > 5 || r->d < 0 || r->d > 6)
			return false;
	} else {
		char *e;
		r->kind = 'D';
		if (*s == 'J') {
			r->kind = 'J';
			s++;
		}
		if (!isdigit((unsigned char)*s))
			return false;
		r->d = (int)strtol(s, &e, 10);
		s = e;
		if (r->kind == 'J' ? (r->d < 1 || r->d > 365) : r->d > 365)
			return false;
	}
	if (*s == '/' && !(s++, posix_time(&s, &r->time)))
		return false;
	*p = s;
	return true;
}

/* "std offset [dst [offset] [,start,end]]"; POSIX offsets are west-positive. */
static void posix_parse(const char *s, tz_posix *out)
{
	memset(out, 0, sizeof *out);
	int32_t off;
	if (!posix_name(&s) || !posix_time(&s, &off))
		return;
	out->std_off = -off;
	if (!*s) {
		out->valid = true;
		return;
	}
	if (!posix_name(&s))
		return;
	out->has_dst = true;
	out->dst_off = out->std_off + 3600;
	if (*s && *s != ',') {
		if (!posix_time(&s, &off))
			return;
		out->dst_off = -off;
	}
	if (!*s) {                 /* no rule: POSIX says M3.2.0,M11.1.0 */
		out->start = (tz_rule_date){ 'M', 3, 2, 0, 7200 };
		out->end = (tz_rule_date){ 'M', 11, 1, 0, 7200 };
		out->valid = true;
		return;
	}
	if (*s++ != ',' || !posix_rule(&s, &out->start) || *s++ != ',' ||
	    !posix_rule(&s, &out->end) || *s)
		return;
	out->valid = true;
}

static int32_t posix_offset_at(const tz_posix *z, int64_t t)
{
	if (!z->has_dst)
		return z->std_off;
	/* the year of t in standard time; check it and its neighbours' edges */
	int64_t y = year_of(t + z->std_off);
	int64_t start = rule_day(&z->start, y) + z->start.time - z->std_off;
	int64_t end = rule_day(&z->end, y) + z->end.time - z->dst_off;
	bool dst = start < end ? (t >= start && t < end) : (t < end || t >= start);
	/* a year-long DST rule ("all year DST" zones) ends up here too */
	return dst ? z->dst_off : z->std_off;
}

/* ------------------------------------------------------------ TZif */

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
	return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

typedef struct tzif_counts {
	uint32_t isut, isstd, leap, time, type, chars;
} tzif_counts;

static bool tzif_header(const unsigned char *p, size_t len, int *version, tzif_counts *c)
{
	if (len < 44 || memcmp(p, "TZif", 4) != 0)
		return false;
	*version = p[4] ? p[4] - '0' : 1;
	c->isut = be32(p + 20);
	c->isstd = be32(p + 24);
	c->leap = be32(p + 28);
	c->time = be32(p + 32);
	c->type = be32(p + 36);
	c->chars = be32(p + 40);
	return c->type >= 1 && c->type <= 256 && c->time <= 100000 && c->leap <= 100000 &&
	       c->chars <= 65536 && (c->isut == 0 || c->isut == c->type) &&
	       (c->isstd == 0 || c->isstd == c->type);
}

static size_t tzif_block_len(const tzif_counts *c, size_t tsize)
{
	return (size_t)c->time * tsize + c->time + (size_t)c->type * 6 + c->chars +
	       (size_t)c->leap * (tsize + 4) + c->isstd + c->isut;
}

int mg_tz_from_tzif(const char *label, const unsigned char *data, size_t len, mg_tz **out,
                    mg_err *err)
{
	*out = NULL;
	int version;
	tzif_counts c;
	if (!tzif_header(data, len, &version, &c))
		return unknown(err, label, "its tz database file is not in TZif format");
	size_t tsize = 4, v1 = tzif_block_len(&c, 4);
	const unsigned char *p = data + 44;
	size_t left = len - 44;
	if (v1 > left)
		return unknown(err, label, "its tz database file is truncated");
	if (version >= 2) {
		p += v1;
		left -= v1;
		int v2;
		if (!tzif_header(p, left, &v2, &c))
			return unknown(err, label, "its tz database file has a broken second header");
		p += 44;
		left -= 44;
		tsize = 8;
		if (tzif_block_len(&c, 8) > left)
			return unknown(err, label, "its tz database file is truncated");
	}
	mg_tz *tz = xcalloc(1, sizeof *tz);
	tz->name = xstrdup(label);
	tz->ntrans = c.time;
	tz->ntypes = c.type;
	tz->trans = xcalloc(c.time ? c.time : 1, sizeof *tz->trans);
	tz->idx = xcalloc(c.time ? c.time : 1, 1);
	tz->utoff = xcalloc(c.type, sizeof *tz->utoff);
	for (size_t i = 0; i < c.time; i++)
		tz->trans[i] = tsize == 8 ? be64(p + i * 8) : (int32_t)be32(p + i * 4);
	p += (size_t)c.time * tsize;
	for (size_t i = 0; i < c.time; i++) {
		tz->idx[i] = p[i];
		if (p[i] >= c.type || (i > 0 && tz->trans[i] <= tz->trans[i - 1])) {
			mg_tz_free(tz);
			return unknown(err, label, "its tz database file has a broken transition table");
		}
	}
	p += c.time;
	for (size_t i = 0; i < c.type; i++)
		tz->utoff[i] = (int32_t)be32(p + i * 6);
	p += (size_t)c.type * 6;
	size_t rest = tzif_block_len(&c, tsize) - (size_t)c.time * tsize - c.time - (size_t)c.type * 6;
	p += rest;
	left -= tzif_block_len(&c, tsize);
	/* footer: "\n<POSIX TZ>\n" */
	if (version >= 2 && left >= 2 && p[0] == '\n') {
		const unsigned char *nl = memchr(p + 1, '\n', left - 1);
		if (nl && nl > p + 1) {
			char *s = xstrndup((const char *)p + 1, (size_t)(nl - p - 1));
			posix_parse(s, &tz->footer);
			free(s);
		}
	}
	*out = tz;
	return 0;
}

/* ------------------------------------------------------------ names */

static mg_tz *fixed_zone(const char *name, int32_t off)
{
	mg_tz *tz = xcalloc(1, sizeof *tz);
	tz->name = xstrdup(name);
	tz->ntypes = 1;
	tz->utoff = xcalloc(1, sizeof *tz->utoff);
	tz->utoff[0] = off;
	tz->trans = xcalloc(1, sizeof *tz->trans);
	tz->idx = xcalloc(1, 1);
	return tz;
}

/* "UTC", "GMT", "Z", "UTC+05:30", "GMT-3", "+01:00": 1 with *off, 0 not this form. */
static int fixed_offset(const char *s, int32_t *off)
{
	if (str_iprefix(s, "UTC") || str_iprefix(s, "GMT"))
		s += 3;
	else if (str_ieq(s, "Z"))
		s++;
	else if (*s != '+' && *s != '-')
		return 0;
	if (!*s) {
		*off = 0;
		return 1;
	}
	if (*s != '+' && *s != '-')
		return 0;
	int sign = *s++ == '-' ? -1 : 1;
	int h = 0, m = 0, n = 0;
	if (sscanf(s, "%2d%n", &h, &n) != 1 || h > 14)
		return 0;
	s += n;
	if (*s == ':')
		s++;
	if (*s) {
		if (sscanf(s, "%2d%n", &m, &n) != 1 || m > 59 || s[n])
			return 0;
	}
	*off = sign * (h * 3600 + m * 60);
	return 1;
}

static bool iana_name_ok(const char *s)
{
	if (!*s || *s == '/' || strlen(s) > 200)
		return false;
	for (const char *p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("/_+-", *p))
			return false;
	/* no "..", no empty components */
	return !strstr(s, "//") && !strstr(s, "..") && s[strlen(s) - 1] != '/';
}

int mg_tz_open(const char *name, mg_tz **out, mg_err *err)
{
	*out = NULL;
	if (!name || !*name) {
		*out = fixed_zone("UTC", 0);
		return 0;
	}
	int32_t off;
	if (fixed_offset(name, &off)) {
		*out = fixed_zone(off ? name : "UTC", off);
		return 0;
	}
	const char *iana = name;
	for (size_t i = 0; i < sizeof win_zones / sizeof win_zones[0]; i++)
		if (str_ieq(name, win_zones[i].win)) {
			iana = win_zones[i].iana;
			break;
		}
	if (!iana_name_ok(iana))
		return unknown(err, name, NULL);
	const char *dir = getenv("TZDIR");
	char *path = xasprintf("%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", iana);
	char *buf = NULL;
	size_t len = 0;
	mg_err ferr;
	int rc = mg_read_file(path, TZ_FILE_MAX, &buf, &len, &ferr);
	free(path);
	if (rc < 0)
		return unknown(err, name, iana == name ? NULL
		               : "the tz database (Debian package tzdata) has no zone for it");
	rc = mg_tz_from_tzif(iana, (const unsigned char *)buf, len, out, err);
	free(buf);
	return rc;
}

void mg_tz_free(mg_tz *tz)
{
	if (!tz)
		return;
	free(tz->name);
	free(tz->trans);
	free(tz->idx);
	free(tz->utoff);
	free(tz);
}

const char *mg_tz_name(const mg_tz *tz)
{
	return tz->name;
}

/* ------------------------------------------------------------ lookups */

int32_t mg_tz_offset_at(const mg_tz *tz, int64_t t)
{
	if (tz->ntrans == 0 || t < tz->trans[0])
		return tz->ntrans == 0 && tz->footer.valid ? posix_offset_at(&tz->footer, t)
		                                            : tz->utoff[0];
	if (t >= tz->trans[tz->ntrans - 1] && tz->footer.valid)
		return posix_offset_at(&tz->footer, t);
	size_t lo = 0, hi = tz->ntrans;   /* last transition <= t */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (tz->trans[mid] <= t)
			lo = mid;
		else
			hi = mid;
	}
	return tz->utoff[tz->idx[lo]];
}

int64_t mg_tz_to_utc(const mg_tz *tz, int64_t wall)
{
	/* Zones change offset at most once within two days: the offsets in
	 * effect a day either side are the only candidates. */
	int32_t before = mg_tz_offset_at(tz, wall - 86400);
	int32_t after = mg_tz_offset_at(tz, wall + 86400);
	int64_t a = wall - before, b = wall - after;
	bool a_ok = mg_tz_offset_at(tz, a) == before, b_ok = mg_tz_offset_at(tz, b) == after;
	if (a_ok && b_ok)
		return a < b ? a : b;
	if (a_ok)
		return a;
	if (b_ok)
		return b;
	return a;      /* in a gap: the offset before the change */
}
