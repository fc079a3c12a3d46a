/*
 * regex_net.h - PowerShell's regular expressions (.NET syntax) on POSIX
 * regcomp: the common .NET forms are rewritten into extended POSIX ones
 * before compiling, so -match, -replace, -split and Where-Object -match read
 * patterns the way admins write them:
 *   \d \D \w \W \s \S (also inside [...]), a leading (?i), (?: ... ) groups,
 *   lazy quantifiers (*? +? ?? {n,m}?, matched greedily); \b \< \> and the
 *   rest are passed to glibc, which knows them.
 * Back references and look-around have no POSIX form and fail to compile.
 */
#ifndef MIGSH_REGEX_NET_H
#define MIGSH_REGEX_NET_H

#include <regex.h>
#include <stdbool.h>

/* regcomp() of the rewritten pattern with REG_EXTENDED | cflags (REG_ICASE
 * added when icase or the pattern starts with (?i)).  Returns regcomp's code.
 * A (?:...) group becomes a POSIX group: *noncap (may be NULL) gets a bit per
 * such POSIX group number (1 << n, n < 32), for mg_regex_group. */
int mg_regcomp_net(regex_t *rx, const char *pattern, bool icase, int cflags, unsigned *noncap);

/* The POSIX group number of .NET capture group k (0 = the whole match), or
 * -1 when the pattern has no such group within the first 32. */
int mg_regex_group(unsigned noncap, int k);

#endif
