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
#include "common/date_text.h"

static void skip_ws(const char **p)
{
	while (**p == ' ' || **p == '\t' || **p == '\r' || **p == '\n')
		(*p)++;
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
		mg_date_text dt;
		int drc = mg_date_text_parse(date, &dt);
		if (drc < 0 || dt.wall < 0) {
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
		if (ops[which].op == MG_CMP_EQ && !dt.has_time) {
			v[cnt].op = MG_CMP_GE;
			v[cnt++].when = mg_tz_to_utc(tz, dt.wall);
			v[cnt].op = MG_CMP_LT;
			v[cnt++].when = mg_tz_to_utc(tz, dt.wall + 86400);
		} else {
			v[cnt].op = ops[which].op;
			v[cnt++].when = dt.utc ? dt.wall : mg_tz_to_utc(tz, dt.wall);
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

static bool blank(const char *s)
{
	if (!s)
		return true;
	skip_ws(&s);
	return !*s;
}

int mg_content_filter_parse_in(const char *s, const mg_tz *tz, mg_date_cond **out, size_t *n,
                               mg_err *err)
{
	*out = NULL;
	*n = 0;
	if (blank(s))
		return 0;
	const char *p = s;
	skip_ws(&p);
	return parse_conds(s, p, tz, out, n, err);
}

int mg_content_filter_parse(const char *s, const char *time_zone, mg_date_cond **out, size_t *n,
                            mg_err *err)
{
	*out = NULL;
	*n = 0;
	if (blank(s))
		return 0;
	mg_tz *tz = NULL;
	if (mg_tz_open(time_zone, &tz, err) < 0)
		return -1;
	int rc = mg_content_filter_parse_in(s, tz, out, n, err);
	mg_tz_free(tz);
	return rc;
}
