/*
 * scalar_fmt.h - en-US text of dates, byte sizes and TimeSpans (what
 * mv_to_string and the formatter print for them).
 */
#ifndef MIGSH_SCALAR_FMT_H
#define MIGSH_SCALAR_FMT_H

#include <stdint.h>
#include "common/mem.h"

/* Shared with mv_to_string (value.c), the formatter and Get-Date. */
void mg_format_datetime(int64_t sec, int32_t usec, strbuf *out);   /* M/d/yyyy h:mm:ss AM */
/* A .NET date format ("yyyy-MM-dd", "M/d/yyyy", "s", ...; en-US), in local time:
 * Get-Date -Format and [DateTime].ToString(format). */
void mg_format_datetime_as(int64_t sec, int32_t usec, const char *fmt, strbuf *out);
void mg_format_size(long long bytes, strbuf *out);                 /* 1.5 MB (1,572,864 bytes) */
void mg_format_timespan(long long ms, strbuf *out);                /* d.hh:mm:ss[.fffffff] */

#endif
