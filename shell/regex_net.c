/*
 * regex_net.c - .NET regular expression forms on POSIX regcomp (regex_net.h).
 */
#include "config.h"
#include "shell/regex_net.h"
#include "common/mem.h"

#include <string.h>

/* \d \w \s and their negations: the bracket-expression body of each. */
static const char *class_body(char c)
{
	switch (c) {
	case 'd': case 'D': return "0-9";
	case 'w': case 'W': return "[:alnum:]_";
	case 's': case 'S': return "[:space:]";
	default: return NULL;
	}
}

int mg_regex_group(unsigned noncap, int k)
{
	if (k <= 0)
		return 0;
	for (int n = 1; n < 32; n++)
		if (!(noncap & (1u << n)) && --k == 0)
			return n;
	return -1;
}

int mg_regcomp_net(regex_t *rx, const char *pattern, bool icase, int cflags, unsigned *noncap)
{
	int group = 0;   /* POSIX groups opened so far */
	if (noncap)
		*noncap = 0;
	strbuf re = STRBUF_INIT;
	strbuf_adds(&re, "");
	const char *p = pattern ? pattern : "";
	if (strncmp(p, "(?i)", 4) == 0) {
		icase = true;
		p += 4;
	}
	bool inset = false;
	const char *start = p;
	for (; *p; p++) {
		if (*p == '\\' && p[1]) {
			char n = p[1];
			const char *body = class_body(n);
			if (body && inset) {
				/* inside [...] only the positive classes can be merged */
				if (n == 'd' || n == 'w' || n == 's')
					strbuf_adds(&re, body);
				else {
					strbuf_addc(&re, '\\');
					strbuf_addc(&re, n);
				}
			} else if (body) {
				strbuf_addf(&re, "[%s%s]", (n >= 'A' && n <= 'Z') ? "^" : "", body);
			} else if (inset) {
				/* POSIX has no escapes in brackets: a literal character */
				strbuf_addc(&re, n);
			} else {
				strbuf_addc(&re, '\\');
				strbuf_addc(&re, n);
			}
			p++;
			continue;
		}
		if (!inset && *p == '(') {
			group++;
			if (p[1] == '?' && p[2] == ':') {
				/* non-capturing: a plain POSIX group, left out of the numbering */
				if (noncap && group < 32)
					*noncap |= 1u << group;
				strbuf_addc(&re, '(');
				p += 2;
				continue;
			}
		}
		if (*p == '[' && !inset) {
			inset = true;
			strbuf_addc(&re, '[');
			/* a leading ^ or ] belongs to the set */
			if (p[1] == '^') {
				strbuf_addc(&re, '^');
				p++;
			}
			if (p[1] == ']') {
				strbuf_addc(&re, ']');
				p++;
			}
			continue;
		}
		if (*p == ']' && inset)
			inset = false;
		/* lazy quantifiers (*? +? ?? }?) have no ERE form: matched greedily */
		if (!inset && *p == '?' && p > start &&
		    (p[-1] == '*' || p[-1] == '+' || p[-1] == '?' || p[-1] == '}') &&
		    !(p - 1 > start && p[-2] == '\\'))
			continue;
		strbuf_addc(&re, *p);
	}
	int r = regcomp(rx, re.buf, REG_EXTENDED | cflags | (icase ? REG_ICASE : 0));
	strbuf_free(&re);
	return r;
}
