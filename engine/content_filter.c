/*
 * content_filter.c - parse New-MigrationBatch -ContentFilter into received-
 * date conditions (engine/sync.h mg_date_cond).  Grammar (case-insensitive):
 *   filter := cond { "-and" cond }
 *   cond   := [ "(" ] "Received" op date [ ")" ]
 *   op     := -gt | -ge | -lt | -le | -eq
 *   date   := 'M/d/yyyy [H:mm[:ss] [AM|PM]]' | 'yyyy-MM-dd[( |T)HH:mm[:ss][Z]]'
 *             (single or double quotes), a wall-clock time in the batch's
 *             -TimeZone (engine/tz.h; UTC by default), or UTC with 'Z'.
 * -eq means "received on that day" when no time is given (two conditions:
 * from that day's midnight to the next one's, 23 or 25 hours apart on the
 * days clocks change).
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/mem.h"
#include "common/str.h"
#include "engine/lifecycle.h"
#include "engine/tz.h"

static void skip_ws(const char **p)
{
	while (**p == ' ' || **p == '\t' || **p == '\r' || **p == '\n')
		(*p)++;
}

/* *out: the wall-clock time as timegm() counts it; *utc: it ended in Z. */
static int parse_date(const char *s, int64_t *out, bool *has_time, bool *utc)
{
	int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0, n = 0;
	char ampm[3] = "";
	*has_time = false;
	*utc = false;
	const char *p = s;
	if (sscanf(p, "%4d-%2d-%2d%n", &y, &mo, &d, &n) == 3 && n >= 8) {
		p += n;
		if (*p == 'T' || *p == ' ') {
			p++;
			int m = 0;
			if (sscanf(p, "%2d:%2d%n", &h, &mi, &m) != 2)
				return -1;
			p += m;
			if (*p == ':') {
				p++;
				if (sscanf(p, "%2d%n", &se, &m) != 1)
					return -1;
				p += m;
			}
			*has_time = true;
			if (*p == 'Z') {
				*utc = true;
				p++;
			}
		}
	} else if (sscanf(p, "%2d/%2d/%4d%n", &mo, &d, &y, &n) == 3 && y >= 1000) {
		p += n;
		skip_ws(&p);
		if (*p) {
			int m = 0;
			if (sscanf(p, "%2d:%2d%n", &h, &mi, &m) != 2)
				return -1;
			p += m;
			if (*p == ':') {
				p++;
				if (sscanf(p, "%2d%n", &se, &m) != 1)
					return -1;
				p += m;
			}
			*has_time = true;
			skip_ws(&p);
			if (*p) {
				ampm[0] = (char)toupper((unsigned char)p[0]);
				ampm[1] = (char)toupper((unsigned char)(p[0] ? p[1] : 0));
				if (strcmp(ampm, "AM") && strcmp(ampm, "PM"))
					return -1;
				if (h < 1 || h > 12)
					return -1;
				if (!strcmp(ampm, "AM") && h == 12)
					h = 0;
				else if (!strcmp(ampm, "PM") && h != 12)
					h += 12;
				p += 2;
			}
		}
	} else {
		return -1;
	}
	skip_ws(&p);
	if (*p)
		return -1;
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] ||
	    h > 23 || mi > 59 || se > 60)
		return -1;
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (mo == 2 && d == 29 && !leap)
		return -1;
	struct tm tm = { 0 };
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	*out = (int64_t)timegm(&tm);
	return 0;
}

static int refuse(mg_err *err, const char *filter, const char *why)
{
	return mg_err_set(err, MGC_INVALIDARG, "InvalidContentFilter",
	                  "The ContentFilter \"%s\" isn't supported: %s. migsh filters on the received date "
	                  "only, e.g. \"Received -gt '8/23/2020'\" or \"Received -ge '2020-01-01' -and "
	                  "Received -lt '2021-01-01'\" (operators -gt -ge -lt -le -eq).", filter, why);
}

static int parse_conds(const char *s, const char *p, const mg_tz *tz, mg_date_cond **out,
                       size_t *n, mg_err *err)
{
	mg_date_cond *v = NULL;
	size_t cnt = 0, cap = 0;
	for (;;) {
		skip_ws(&p);
		int parens = 0;
		while (*p == '(') {
			parens++;
			p++;
			skip_ws(&p);
		}
		if (!str_iprefix(p, "Received") || isalnum((unsigned char)p[8])) {
			free(v);
			return refuse(err, s, "only the property Received can be used");
		}
		p += 8;
		skip_ws(&p);
		static const struct { const char *name; mg_cmp op; } ops[] = {
			{ "-gt", MG_CMP_GT }, { "-ge", MG_CMP_GE }, { "-lt", MG_CMP_LT },
			{ "-le", MG_CMP_LE }, { "-eq", MG_CMP_EQ },
		};
		int which = -1;
		for (int i = 0; i < 5; i++)
			if (str_iprefix(p, ops[i].name) && (p[3] == ' ' || p[3] == '\t' || p[3] == '\'' || p[3] == '"')) {
				which = i;
				break;
			}
		if (which < 0) {
			free(v);
			return refuse(err, s, "expected one of -gt -ge -lt -le -eq after Received");
		}
		p += 3;
		skip_ws(&p);
		char q = *p;
		if (q != '\'' && q != '"') {
			free(v);
			return refuse(err, s, "the date must be quoted, e.g. '8/23/2020'");
		}
		const char *end = strchr(p + 1, q);
		if (!end) {
			free(v);
			return refuse(err, s, "a quote is not closed");
		}
		char *date = xstrndup(p + 1, (size_t)(end - p - 1));
		int64_t when;
		bool has_time, utc;
		int drc = parse_date(str_trim(date), &when, &has_time, &utc);
		if (drc < 0) {
			char *why = xasprintf("'%s' is not a date (use M/d/yyyy or yyyy-MM-dd, optionally with a time)", date);
			free(date);
			free(v);
			int rc = refuse(err, s, why);
			free(why);
			return rc;
		}
		free(date);
		p = end + 1;
		GROW(v, cap, cnt + 2);
		if (ops[which].op == MG_CMP_EQ && !has_time) {
			v[cnt].op = MG_CMP_GE;
			v[cnt++].when = mg_tz_to_utc(tz, when);
			v[cnt].op = MG_CMP_LT;
			v[cnt++].when = mg_tz_to_utc(tz, when + 86400);
		} else {
			v[cnt].op = ops[which].op;
			v[cnt++].when = utc ? when : mg_tz_to_utc(tz, when);
		}
		skip_ws(&p);
		while (parens > 0 && *p == ')') {
			parens--;
			p++;
			skip_ws(&p);
		}
		if (parens) {
			free(v);
			return refuse(err, s, "a parenthesis is not closed");
		}
		if (!*p)
			break;
		if (str_iprefix(p, "-and") && (p[4] == ' ' || p[4] == '\t' || p[4] == '(')) {
			p += 4;
			continue;
		}
		free(v);
		if (str_iprefix(p, "-or"))
			return refuse(err, s, "-or is not supported (use -and, or several batches)");
		return refuse(err, s, "expected -and between conditions");
	}
	*out = v;
	*n = cnt;
	return 0;
}

int mg_content_filter_parse(const char *s, const char *time_zone, mg_date_cond **out, size_t *n,
                            mg_err *err)
{
	*out = NULL;
	*n = 0;
	if (!s)
		return 0;
	const char *p = s;
	skip_ws(&p);
	if (!*p)
		return 0;
	mg_tz *tz = NULL;
	if (mg_tz_open(time_zone, &tz, err) < 0)
		return -1;
	int rc = parse_conds(s, p, tz, out, n, err);
	mg_tz_free(tz);
	return rc;
}
