/*
 * tz.h - time zones for New-MigrationBatch -TimeZone: wall-clock times in
 * -StartAfter, -CompleteAfter and -ContentFilter are read in the batch's zone
 * and kept in UTC.
 *
 * A zone is named the way Exchange admins name it (a Windows time zone id such
 * as "Pacific Standard Time" or "W. Europe Standard Time"), by its IANA name
 * ("America/Los_Angeles"), as a fixed offset ("UTC+05:30", "UTC-03"), or
 * "UTC".  IANA data comes from the system's compiled tz database (TZif files
 * under $TZDIR, default /usr/share/zoneinfo; Debian's tzdata); rules past the
 * file's last transition come from its POSIX TZ footer.
 */
#ifndef MIGSH_TZ_H
#define MIGSH_TZ_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

typedef struct mg_tz mg_tz;

/* Resolve name (NULL or "" = UTC) into *out (free with mg_tz_free).
 * -1 with an InvalidArgument error naming the zone when it is not known. */
int mg_tz_open(const char *name, mg_tz **out, mg_err *err);

/* Parse the bytes of a TZif file (RFC 8536, versions 1-4).  For tests and
 * mg_tz_open; label names the zone in errors. */
int mg_tz_from_tzif(const char *label, const unsigned char *data, size_t len, mg_tz **out,
                    mg_err *err);

void mg_tz_free(mg_tz *tz);

/* The i-th Windows time zone id migsh knows (NULL past the last); the unit
 * test checks each one resolves on this system. */
const char *mg_tz_windows_name(size_t i);

/* The IANA name, fixed offset or "UTC" the zone was resolved to. */
const char *mg_tz_name(const mg_tz *tz);

/* Offset from UTC in seconds (east positive) in effect at the UTC instant t. */
int32_t mg_tz_offset_at(const mg_tz *tz, int64_t t);

/* A wall-clock time in the zone (seconds since 1970-01-01 00:00 of that
 * zone's calendar, as timegm() gives for the broken-down time) to UTC.
 * A time that occurs twice (clocks go back) gives its first occurrence; a
 * time that does not exist (clocks go forward) is read with the offset in
 * effect before the change, so it lands just after it. */
int64_t mg_tz_to_utc(const mg_tz *tz, int64_t wall);

#endif
