/*
 * date_text.c - the one parser of date text (see date_text.h).
 */
#include "config.h"
#include "common/date_text.h"

#include <ctype.h>
#include <string.h>
#include <time.h>

static void skip_blanks(const char **p)
{
	while (isspace((unsigned char)**p))
		(*p)++;
}

/* Read 1..maxd decimal digits; -1 when there is none. */
static int read_num(const char **p, int maxd, int *out)
{
	int v = 0, n = 0;
	while (n < maxd && isdigit((unsigned char)**p)) {
		v = v * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	if (n == 0)
		return -1;
	*out = v;
	return 0;
}

/* "HH:mm[:ss[.fff]]" */
static int read_clock(const char **p, int *h, int *mi, int *se)
{
	if (read_num(p, 2, h) < 0 || **p != ':')
		return -1;
	(*p)++;
	if (read_num(p, 2, mi) < 0)
		return -1;
	if (**p == ':') {
		(*p)++;
		if (read_num(p, 2, se) < 0)
			return -1;
		if (**p == '.') {
			(*p)++;
			if (!isdigit((unsigned char)**p))
				return -1;
			while (isdigit((unsigned char)**p))
				(*p)++;
		}
	}
	return 0;
}

static bool valid_day(int y, int mo, int d)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (y < 1 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1])
		return false;
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return !(mo == 2 && d == 29 && !leap);
}

int mg_date_text_parse(const char *s, mg_date_text *out)
{
	int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0, a;
	bool has_time = false, utc = false;
	const char *p = s;
	skip_blanks(&p);
	if (read_num(&p, 4, &a) < 0)
		return -1;
	if (*p == '-') {                           /* yyyy-MM-dd... */
		y = a;
		p++;
		if (read_num(&p, 2, &mo) < 0 || *p++ != '-' || read_num(&p, 2, &d) < 0)
			return -1;
		if ((*p == 'T' || *p == ' ') && isdigit((unsigned char)p[1])) {
			p++;
			if (read_clock(&p, &h, &mi, &se) < 0)
				return -1;
			has_time = true;
		}
		if (*p == 'Z' || *p == 'z') {
			utc = true;
			p++;
		}
	} else if (*p == '/') {                    /* M/d/yyyy... */
		mo = a;
		p++;
		if (read_num(&p, 2, &d) < 0 || *p++ != '/' || read_num(&p, 4, &y) < 0)
			return -1;
		skip_blanks(&p);
		if (*p) {
			if (read_clock(&p, &h, &mi, &se) < 0)
				return -1;
			has_time = true;
			skip_blanks(&p);
			if (*p) {
				char m0 = (char)toupper((unsigned char)p[0]);
				char m1 = (char)toupper((unsigned char)p[1]);
				if ((m0 != 'A' && m0 != 'P') || m1 != 'M' || h < 1 || h > 12)
					return -1;
				p += 2;
				if (h == 12)
					h = 0;
				if (m0 == 'P')
					h += 12;
			}
		}
	} else {
		return -1;
	}
	skip_blanks(&p);
	if (*p || !valid_day(y, mo, d) || h > 23 || mi > 59 || se > 60)
		return -1;
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	out->wall = (int64_t)timegm(&tm);
	out->has_time = has_time;
	out->utc = utc;
	return 0;
}
