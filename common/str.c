/* str.c - small string helpers (see str.h). */
#include "config.h"
#include "common/str.h"
#include "common/mem.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

bool str_ieq(const char *a, const char *b)
{
	return a && b && strcasecmp(a, b) == 0;
}

bool str_iprefix(const char *s, const char *prefix)
{
	return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

bool str_list_has(const char *const *list, const char *s, bool prefix)
{
	for (size_t i = 0; list && list[i]; i++)
		if (prefix ? str_iprefix(list[i], s) : str_ieq(list[i], s))
			return true;
	return false;
}

bool str_has_wildcard(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

static int fold(int c, bool icase)
{
	return icase ? tolower((unsigned char)c) : (unsigned char)c;
}

/* Match a [set] at *pp against c; advances *pp past the ']'. */
static bool match_set(const char **pp, int c, bool icase)
{
	const char *p = *pp + 1;
	bool ok = false;
	while (*p && *p != ']') {
		int lo = fold(*p, icase), hi = lo;
		if (p[1] == '-' && p[2] && p[2] != ']') {
			hi = fold(p[2], icase);
			p += 2;
		}
		if (fold(c, icase) >= lo && fold(c, icase) <= hi)
			ok = true;
		p++;
	}
	*pp = *p ? p + 1 : p;
	return ok;
}

bool str_wildcard(const char *pat, const char *s, bool icase)
{
	const char *star_p = NULL, *star_s = NULL;
	while (*s) {
		if (*pat == '*') {
			star_p = ++pat;
			star_s = s;
			continue;
		}
		if (*pat == '[') {
			const char *q = pat;
			if (match_set(&q, *s, icase)) {
				pat = q;
				s++;
				continue;
			}
		} else if (*pat && (*pat == '?' || fold(*pat, icase) == fold(*s, icase))) {
			pat++;
			s++;
			continue;
		}
		if (!star_p)
			return false;
		pat = star_p;
		s = ++star_s;
	}
	while (*pat == '*')
		pat++;
	return *pat == '\0';
}

size_t str_distance_ci(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t *row = xcalloc(lb + 1, sizeof *row);
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t prev = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t cur = row[j];
			size_t cost = tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 1]) ? 0 : 1;
			size_t v = prev + cost;
			if (row[j] + 1 < v)
				v = row[j] + 1;
			if (row[j - 1] + 1 < v)
				v = row[j - 1] + 1;
			row[j] = v;
			prev = cur;
		}
	}
	size_t d = row[lb];
	free(row);
	return d;
}

char *str_trim(char *s)
{
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	size_t i = 0;
	while (isspace((unsigned char)s[i]))
		i++;
	if (i)
		memmove(s, s + i, n - i + 1);
	return s;
}

int str_to_ll(const char *s, long long *out)
{
	char *end;
	if (!s || !*s)
		return -1;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}
