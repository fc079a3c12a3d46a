/*
 * date_text.h - the one parser of date text in migsh.
 *
 * Accepted forms (what an Exchange admin types):
 *   M/d/yyyy[ h:mm[:ss][ AM|PM]]          (en-US, as Exchange Online prints dates)
 *   yyyy-MM-dd[(T| )HH:mm[:ss[.fff]]][Z]  (ISO 8601)
 * The result keeps the wall clock apart from any zone: `wall` counts the
 * typed fields as if they were UTC (timegm), and `utc` says the text ended in
 * Z.  Whoever reads the value decides which zone a wall-clock time belongs to
 * (the machine's for the shell, the batch's -TimeZone for a migration batch);
 * nothing here looks at the machine's zone.
 */
#ifndef MIGSH_DATE_TEXT_H
#define MIGSH_DATE_TEXT_H

#include <stdbool.h>
#include <stdint.h>

typedef struct mg_date_text {
	int64_t wall;      /* the typed fields, counted as timegm() counts them */
	bool has_time;     /* a time of day was typed (else midnight) */
	bool utc;          /* ended in Z: an instant, not a wall-clock time */
} mg_date_text;

/* Parse s (surrounding blanks allowed).  0 on success, -1 when s is not one of
 * the forms above or names an impossible date (Feb 30, hour 24, year 0). */
int mg_date_text_parse(const char *s, mg_date_text *out);

#endif
