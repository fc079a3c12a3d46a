/*
 * scalar_fmt.c - the culture-dependent text of scalars, en-US as PowerShell
 * prints them: dates (and the .NET custom/standard date formats), Exchange
 * byte sizes and TimeSpans.  Used by mv_to_string (value.c) and by the
 * table formatter; depends on neither.
 */
#include "config.h"
#include "shell/scalar_fmt.h"
#include "common/mem.h"
#include "common/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void mg_format_datetime(int64_t sec, int32_t usec, strbuf *out)
{
	(void)usec;
	time_t t = (time_t)sec;
	struct tm tm;
	if (!localtime_r(&t, &tm)) {
		strbuf_addf(out, "%lld", (long long)sec);
		return;
	}
	int h = tm.tm_hour % 12;
	if (h == 0)
		h = 12;
	strbuf_addf(out, "%d/%d/%d %d:%02d:%02d %s", tm.tm_mon + 1, tm.tm_mday,
	            tm.tm_year + 1900, h, tm.tm_min, tm.tm_sec, tm.tm_hour < 12 ? "AM" : "PM");
}

static const char *const month_names[] = { "January", "February", "March", "April", "May",
	"June", "July", "August", "September", "October", "November", "December" };
static const char *const day_names[] = { "Sunday", "Monday", "Tuesday", "Wednesday",
	"Thursday", "Friday", "Saturday" };

static size_t run_of(const char *p)
{
	size_t n = 1;
	while (p[n] == p[0])
		n++;
	return n;
}

/* .NET custom date format (en-US). */
static void net_format(strbuf *o, const char *f, const struct tm *tm, int32_t usec, long gmtoff)
{
	/* standard one-letter formats */
	if (f[0] && !f[1]) {
		const char *std = NULL;
		switch (f[0]) {
		case 'd': std = "M/d/yyyy"; break;
		case 'D': std = "dddd, MMMM d, yyyy"; break;
		case 't': std = "h:mm tt"; break;
		case 'T': std = "h:mm:ss tt"; break;
		case 'f': std = "dddd, MMMM d, yyyy h:mm tt"; break;
		case 'F': std = "dddd, MMMM d, yyyy h:mm:ss tt"; break;
		case 'g': std = "M/d/yyyy h:mm tt"; break;
		case 'G': std = "M/d/yyyy h:mm:ss tt"; break;
		case 's': std = "yyyy-MM-ddTHH:mm:ss"; break;
		case 'u': std = "yyyy-MM-dd HH:mm:ssZ"; break;
		case 'o': case 'O': std = "yyyy-MM-ddTHH:mm:ss.fffffffK"; break;
		case 'M': case 'm': std = "MMMM d"; break;
		case 'Y': case 'y': std = "MMMM yyyy"; break;
		}
		if (std) {
			net_format(o, std, tm, usec, gmtoff);
			return;
		}
	}
	int h12 = tm->tm_hour % 12 ? tm->tm_hour % 12 : 12;
	for (const char *p = f; *p; ) {
		size_t n = run_of(p);
		switch (*p) {
		case 'y':
			if (n <= 2)
				strbuf_addf(o, n == 1 ? "%d" : "%02d", (tm->tm_year + 1900) % 100);
			else
				strbuf_addf(o, "%0*d", (int)n, tm->tm_year + 1900);
			break;
		case 'M':
			if (n >= 4) strbuf_adds(o, month_names[tm->tm_mon]);
			else if (n == 3) strbuf_addf(o, "%.3s", month_names[tm->tm_mon]);
			else strbuf_addf(o, n == 2 ? "%02d" : "%d", tm->tm_mon + 1);
			break;
		case 'd':
			if (n >= 4) strbuf_adds(o, day_names[tm->tm_wday]);
			else if (n == 3) strbuf_addf(o, "%.3s", day_names[tm->tm_wday]);
			else strbuf_addf(o, n == 2 ? "%02d" : "%d", tm->tm_mday);
			break;
		case 'H': strbuf_addf(o, n >= 2 ? "%02d" : "%d", tm->tm_hour); break;
		case 'h': strbuf_addf(o, n >= 2 ? "%02d" : "%d", h12); break;
		case 'm': strbuf_addf(o, n >= 2 ? "%02d" : "%d", tm->tm_min); break;
		case 's': strbuf_addf(o, n >= 2 ? "%02d" : "%d", tm->tm_sec); break;
		case 't':
			if (n == 1) strbuf_addc(o, tm->tm_hour < 12 ? 'A' : 'P');
			else strbuf_adds(o, tm->tm_hour < 12 ? "AM" : "PM");
			break;
		case 'f': case 'F': {
			char digits[8];
			snprintf(digits, sizeof digits, "%06d0", (int)usec);
			strbuf_addf(o, "%.*s", (int)(n > 7 ? 7 : n), digits);
			break;
		}
		case 'z': case 'K': {
			long off = gmtoff;
			char sign = off < 0 ? '-' : '+';
			if (off < 0)
				off = -off;
			if (*p == 'z' && n == 1) strbuf_addf(o, "%c%ld", sign, off / 3600);
			else if (*p == 'z' && n == 2) strbuf_addf(o, "%c%02ld", sign, off / 3600);
			else strbuf_addf(o, "%c%02ld:%02ld", sign, off / 3600, off / 60 % 60);
			break;
		}
		case '\'': case '"': {
			char q = *p++;
			while (*p && *p != q)
				strbuf_addc(o, *p++);
			if (*p)
				p++;
			continue;
		}
		case '\\':
			if (p[1]) {
				strbuf_addc(o, p[1]);
				p += 2;
			} else {
				p++;
			}
			continue;
		default:
			strbuf_add(o, p, n);
		}
		p += n;
	}
}

void mg_format_datetime_as(int64_t sec, int32_t usec, const char *fmt, strbuf *out)
{
	time_t t = (time_t)sec;
	struct tm tm;
	if (!localtime_r(&t, &tm)) {
		strbuf_addf(out, "%lld", (long long)sec);
		return;
	}
	net_format(out, fmt, &tm, usec, tm.tm_gmtoff);
}

static void add_grouped(long long v, strbuf *out)
{
	char digits[32];
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	snprintf(digits, sizeof digits, "%llu", u);
	if (v < 0)
		strbuf_addc(out, '-');
	size_t n = strlen(digits);
	for (size_t i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0)
			strbuf_addc(out, ',');
		strbuf_addc(out, digits[i]);
	}
}

void mg_format_size(long long bytes, strbuf *out)
{
	static const char *const units[] = { "B", "KB", "MB", "GB", "TB", "PB" };
	long long a = bytes < 0 ? -bytes : bytes;
	int u = 0;
	double val = (double)a;
	while (u < 5 && val >= 1024.0) {
		val /= 1024.0;
		u++;
	}
	if (u == 0) {
		strbuf_addf(out, "%lld B", bytes);
	} else {
		char num[64];
		snprintf(num, sizeof num, "%.3f", val);
		/* "0.###": drop trailing zeros and a bare point */
		char *dot = strchr(num, '.');
		if (dot) {
			char *e = num + strlen(num) - 1;
			while (e > dot && *e == '0')
				*e-- = '\0';
			if (e == dot)
				*e = '\0';
		}
		strbuf_addf(out, "%s%s %s", bytes < 0 ? "-" : "", num, units[u]);
	}
	strbuf_adds(out, " (");
	add_grouped(bytes, out);
	strbuf_adds(out, " bytes)");
}

void mg_format_timespan(long long ms, strbuf *out)
{
	if (ms < 0) {
		strbuf_addc(out, '-');
		ms = -ms;
	}
	long long days = ms / 86400000LL;
	long long rest = ms % 86400000LL;
	int h = (int)(rest / 3600000), m = (int)(rest / 60000 % 60), s = (int)(rest / 1000 % 60);
	int frac = (int)(rest % 1000);
	if (days)
		strbuf_addf(out, "%lld.", days);
	strbuf_addf(out, "%02d:%02d:%02d", h, m, s);
	if (frac)
		strbuf_addf(out, ".%03d0000", frac);
}
