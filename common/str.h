/* str.h - small string helpers shared by every layer. */
#ifndef MIGSH_STR_H
#define MIGSH_STR_H

#include <stdbool.h>
#include <stddef.h>

bool str_ieq(const char *a, const char *b);                 /* ASCII case-insensitive equality */
bool str_iprefix(const char *s, const char *prefix);       /* s starts with prefix, ignoring case */
/* Is s one of the NULL-terminated list's strings (ignoring case; list may be
 * NULL)?  With prefix: does one of them start with s? */
bool str_list_has(const char *const *list, const char *s, bool prefix);
/* PowerShell -like wildcard match (* ? [a-z]), case-insensitive when icase. */
bool str_wildcard(const char *pattern, const char *s, bool icase);
bool str_has_wildcard(const char *s);
/* Levenshtein distance (for "did you mean" suggestions), case-insensitive. */
size_t str_distance_ci(const char *a, const char *b);
/* Trim ASCII white space in place; returns s. */
char *str_trim(char *s);
/* Parse a decimal integer fully; returns 0 on success, -1 otherwise. */
int str_to_ll(const char *s, long long *out);

#endif
