/* err.c - filling mg_err records (see err.h for the convention). */
#include "config.h"
#include "common/err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void fill(mg_err *e, const char *category, const char *id)
{
	e->set = 1;
	e->side = MG_SIDE_UNKNOWN;
	snprintf(e->category, sizeof e->category, "%s", category ? category : MGC_NOTSPECIFIED);
	snprintf(e->id, sizeof e->id, "%s", id ? id : "Error");
}

int mg_err_set(mg_err *e, const char *category, const char *id, const char *fmt, ...)
{
	if (!e)
		return -1;
	va_list ap;
	fill(e, category, id);
	e->sys_errno = 0;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	return -1;
}

int mg_err_sys(mg_err *e, const char *category, const char *id, const char *fmt, ...)
{
	int saved = errno;
	if (!e)
		return -1;
	va_list ap;
	fill(e, category, id);
	e->sys_errno = saved;
	va_start(ap, fmt);
	int n = vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	/* the cause (strerror) is kept whole: a long message (a long path) is
	 * shortened instead, marked with "..." */
	char cause[160];
	size_t lc = (size_t)snprintf(cause, sizeof cause, ": %s", strerror(saved));
	if (lc >= sizeof cause)
		lc = sizeof cause - 1;
	size_t at = n < 0 ? 0 : (size_t)n;
	if (at + lc >= sizeof e->msg) {
		at = sizeof e->msg - lc - 4;
		while (at > 0 && ((unsigned char)e->msg[at] & 0xC0) == 0x80)
			at--;
		memcpy(e->msg + at, "...", 3);
		at += 3;
	}
	memcpy(e->msg + at, cause, lc + 1);
	errno = saved;
	return -1;
}

int mg_err_prefix(mg_err *e, const char *fmt, ...)
{
	if (!e)
		return -1;
	char head[512], old[sizeof e->msg];
	va_list ap;
	va_start(ap, fmt);
	int hn = vsnprintf(head, sizeof head, fmt, ap);
	va_end(ap);
	if (hn >= (int)sizeof head) {
		size_t k = sizeof head - 4;
		while (k > 0 && ((unsigned char)head[k] & 0xC0) == 0x80)
			k--;
		memcpy(head + k, "...", 4);
	}
	memcpy(old, e->msg, sizeof old);
	/* the cause is what the user needs: shorten the context, never the cause */
	size_t room = sizeof e->msg - 1, lo = strlen(old), lh = strlen(head);
	if (lh + 2 + lo > room && lo + 2 + 3 < room) {
		size_t keep = room - lo - 2 - 3;
		while (keep > 0 && ((unsigned char)head[keep] & 0xC0) == 0x80)
			keep--;
		memcpy(head + keep, "...", 4);
	}
	snprintf(e->msg, sizeof e->msg, "%s: %s", head, old);
	if (!e->set)
		fill(e, MGC_NOTSPECIFIED, "Error");
	return -1;
}

void mg_err_clear(mg_err *e)
{
	if (e)
		memset(e, 0, sizeof *e);
}

void mg_err_copy(mg_err *dst, const mg_err *src)
{
	if (dst && src && dst != src)
		memcpy(dst, src, sizeof *dst);
}
