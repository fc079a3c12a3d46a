/*
 * netfmt.h - .NET format strings for numbers, as the -f operator and
 * ToString(fmt) apply them in PowerShell 7 (en-US culture).
 *
 * Standard formats: C/c (currency), D/d (integer digits), E/e (scientific),
 * F/f (fixed), G/g (general), N/n (grouped), P/p (percent), X/x (hex), each
 * with an optional precision (0-99).  Custom formats: '0' and '#' digit
 * placeholders, '.', ',' (grouping, and scaling by 1000 before the point),
 * '%' (percent), quoted literals, '\' escapes and ';' sections.  Rounding is
 * half away from zero on the exact value of the number, as .NET Core 3.0+.
 */
#ifndef MIGSH_NETFMT_H
#define MIGSH_NETFMT_H

#include "common/mem.h"
#include "shell/value.h"

/* Format v with fmt into out.  Returns 0 when done, 1 when v is not a
 * number (the caller formats it its own way), -1 when the format is not
 * valid for the number (.NET's FormatException: 'D' or 'X' of a
 * non-integer, a precision over 99). */
int mg_netfmt_number(const mv *v, const char *fmt, strbuf *out);

#endif
