/* textgen.c - filler text, base64, RFC 2047 words, dates and sizes for the corpus. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "tests/corpus/textgen.h"

static const char *const words[] = {
	"migration", "mailbox", "server", "quarterly", "report", "meeting", "budget",
	"invoice", "project", "schedule", "review", "draft", "please", "thanks",
	"tomorrow", "agenda", "customer", "delivery", "update", "question", "answer",
	"folder", "archive", "summer", "winter", "office", "holiday", "contract",
	"the", "a", "and", "of", "to", "in", "for", "on", "with", "we", "you", "it",
	"is", "was", "will", "be", "this", "that", "from", "by", "at", "as", "all",
	"new", "old", "first", "last", "next", "about", "after", "before", "again",
};
#define NWORDS (sizeof words / sizeof words[0])

void cg_add_phrase(strbuf *sb, cg_rng *r, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		if (i)
			strbuf_addc(sb, ' ');
		strbuf_adds(sb, words[cg_rng_below(r, NWORDS)]);
	}
}

void cg_add_words(strbuf *sb, cg_rng *r, size_t bytes)
{
	size_t start = sb->len, line = 0;

	while (sb->len - start < bytes) {
		const char *w = words[cg_rng_below(r, NWORDS)];
		size_t wl = strlen(w);

		if (line && line + 1 + wl > 72) {
			strbuf_addc(sb, '\n');
			line = 0;
		} else if (line) {
			strbuf_addc(sb, ' ');
			line++;
		}
		strbuf_add(sb, w, wl);
		line += wl;
	}
	strbuf_addc(sb, '\n');
}

static const char b64[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void b64_block(strbuf *sb, const unsigned char *p, size_t n)
{
	char out[4];
	unsigned v = (unsigned)p[0] << 16 | (n > 1 ? (unsigned)p[1] << 8 : 0) | (n > 2 ? p[2] : 0);

	out[0] = b64[(v >> 18) & 63];
	out[1] = b64[(v >> 12) & 63];
	out[2] = n > 1 ? b64[(v >> 6) & 63] : '=';
	out[3] = n > 2 ? b64[v & 63] : '=';
	strbuf_add(sb, out, 4);
}

void cg_add_base64(strbuf *sb, const unsigned char *data, size_t n)
{
	size_t col = 0;

	for (size_t i = 0; i < n; i += 3) {
		b64_block(sb, data + i, n - i >= 3 ? 3 : n - i);
		col += 4;
		if (col == 76) {
			strbuf_addc(sb, '\n');
			col = 0;
		}
	}
	if (col)
		strbuf_addc(sb, '\n');
}

void cg_add_2047_b(strbuf *sb, const char *utf8)
{
	size_t n = strlen(utf8);

	strbuf_adds(sb, "=?UTF-8?B?");
	for (size_t i = 0; i < n; i += 3)
		b64_block(sb, (const unsigned char *)utf8 + i, n - i >= 3 ? 3 : n - i);
	strbuf_adds(sb, "?=");
}

void cg_add_2047_q(strbuf *sb, const char *charset, const char *text)
{
	strbuf_addf(sb, "=?%s?Q?", charset);
	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		if (*p == ' ')
			strbuf_addc(sb, '_');
		else if (*p < 128 && (('a' <= *p && *p <= 'z') || ('A' <= *p && *p <= 'Z') ||
		                      ('0' <= *p && *p <= '9')))
			strbuf_addc(sb, (char)*p);
		else
			strbuf_addf(sb, "=%02X", *p);
	}
	strbuf_adds(sb, "?=");
}

/* Days since 1970-01-01 to civil date (Howard Hinnant's algorithm). */
static void civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;

	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

void cg_format_date(char *buf, size_t size, int64_t epoch, int tz_minutes)
{
	static const char *const wd[] = { "Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed" };
	static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	int64_t t = epoch + (int64_t)tz_minutes * 60;
	int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
	int64_t secs = t - days * 86400;
	int y;
	unsigned m, d;
	int tz = tz_minutes < 0 ? -tz_minutes : tz_minutes;

	civil_from_days(days, &y, &m, &d);
	snprintf(buf, size, "%s, %u %s %d %02d:%02d:%02d %c%02d%02d",
	         wd[((days % 7) + 7) % 7], d, mon[m - 1], y, (int)(secs / 3600),
	         (int)(secs / 60 % 60), (int)(secs % 60), tz_minutes < 0 ? '-' : '+',
	         tz / 60, tz % 60);
}

size_t cg_vsize(const char *data, size_t len)
{
	size_t v = len;

	for (size_t i = 0; i < len; i++)
		if (data[i] == '\n' && (i == 0 || data[i - 1] != '\r'))
			v++;
	return v;
}
