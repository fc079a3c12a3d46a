/*
 * imap_throttle.c - recognise replies that ask to slow down and wait as asked
 * (see imap_throttle.h); imap_run() re-sends the command after the wait.
 */
#include "config.h"
#include "net/imap_throttle.h"
#include "net/imap_internal.h"
#include "common/str.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define DEFAULT_MS       2000    /* no time suggested: 2 s, 4 s, 8 s ... */
#define DEFAULT_CONN_MS  10000   /* too many connections: wait for others to end */

/* case-insensitive substring */
static const char *ifind(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	for (; *hay; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return hay;
	return NULL;
}

/* the response code at the start of a saved reply text ("[LIMIT] ...") */
static bool has_code(const char *text, const char *code)
{
	size_t n = strlen(code);
	return text[0] == '[' && strncasecmp(text + 1, code, n) == 0 &&
	       (text[1 + n] == ']' || text[1 + n] == ' ');
}

static long clamp(long long ms)
{
	if (ms < MG_THROTTLE_MIN_MS)
		return MG_THROTTLE_MIN_MS;
	if (ms > MG_THROTTLE_MAX_MS)
		return MG_THROTTLE_MAX_MS;
	return (long)ms;
}

long mg_imap_throttle_ms(const char *text, int attempt)
{
	if (!text)
		return 0;
	const char *s = ifind(text, "Suggested Backoff Time:");
	if (s) {
		s += strlen("Suggested Backoff Time:");
		while (*s == ' ')
			s++;
		if (isdigit((unsigned char)*s)) {
			long long v = 0;
			while (isdigit((unsigned char)*s) && v < 1000000000LL)
				v = v * 10 + (*s++ - '0');
			while (*s == ' ')
				s++;
			/* "N milliseconds" as Exchange sends it; "N seconds" just in case */
			if (strncasecmp(s, "sec", 3) == 0 || strncasecmp(s, "s ", 2) == 0 || (s[0] == 's' && !s[1]))
				v *= 1000;
			return clamp(v);
		}
	}
	if (attempt < 0)
		attempt = 0;
	if (attempt > 10)
		attempt = 10;
	/* [LIMIT] alone may be a lasting limit (too many flags): only about connections */
	bool conns = ifind(text, "connection") || ifind(text, "session");
	if ((has_code(text, "LIMIT") && conns) || ifind(text, "too many connections") ||
	    ifind(text, "too many simultaneous connections") || ifind(text, "maximum number of connections"))
		return clamp((long long)DEFAULT_CONN_MS << attempt);
	if (has_code(text, "THROTTLED") || has_code(text, "UNAVAILABLE") || ifind(text, "throttled"))
		return clamp((long long)DEFAULT_MS << attempt);
	return 0;
}

void mg_imap_set_cancel(mg_imap *c, volatile sig_atomic_t *flag)
{
	c->cancel = flag;
}

int imap_throttle_wait(mg_imap *c, imap_cmd *k, int attempt, mg_err *err)
{
	if (attempt >= MG_THROTTLE_TRIES)
		return 0;
	long ms = mg_imap_throttle_ms(c->last_text, attempt);
	if (!ms)
		return 0;
	if (c->p.trace) {
		char line[96];
		snprintf(line, sizeof line, "(server asks to slow down: waiting %ld ms)", ms);
		imap_trace(c, "-- ", line, strlen(line));
	}
	while (ms > 0) {
		if (c->cancel && *c->cancel)
			return mg_err_set(err, MGC_STOPPED, "OperationStopped",
			                  "stopped while waiting for %s, which asked to slow down", c->host);
		long step = ms < 100 ? ms : 100;
		struct timespec ts = { step / 1000, (step % 1000) * 1000000L };
		nanosleep(&ts, NULL);
		ms -= step;
	}
	/* the same command under a new tag */
	char old[16];
	int ol = snprintf(old, sizeof old, "M%u ", k->tag);
	k->tag = ++c->next_tag;
	strbuf sb = STRBUF_INIT;
	strbuf_addf(&sb, "M%u ", k->tag);
	int delta = (int)sb.len - ol;
	strbuf_add(&sb, k->sb.buf + ol, k->sb.len - (size_t)ol);
	strbuf_free(&k->sb);
	k->sb = sb;
	for (int i = 0; i < k->nsplits; i++)
		k->splits[i] = (size_t)((long)k->splits[i] + delta);
	return 1;
}
