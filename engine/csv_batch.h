/*
 * csv_batch.h - validation of the CSV file of an IMAP migration batch
 * (the rules of Exchange Online, documented for admins in about_Migration_Csv,
 * man migsh-migration(7)), parsed with libcsv.
 *
 * Batch-level checks refuse the whole file (return -1, MGC_INVALIDDATA, id
 * "CsvValidation...", message naming the failed check):
 *   empty file; not comma-separated; more than 50,000 data rows; larger than
 *   10 MB; not UTF-8; header missing EmailAddress, UserName or Password
 *   (case-insensitive; UserRoot optional); unknown columns (named) unless
 *   allow_unknown_columns; a row whose column count differs from the
 *   header's (line number named).
 * Per-row checks mark the row (row->error) and let the rest go on: malformed
 * EmailAddress, empty UserName, empty Password, duplicate EmailAddress within
 * the file; mg_csv_check_in_use() adds "already in another batch".
 * UTF-8 with or without BOM, CRLF or LF, quoted fields with commas/quotes.
 * Values are carried untouched (admin UserName forms, UserRoot), except that
 * EmailAddress is trimmed of surrounding white space.
 */
#ifndef MIGSH_ENGINE_CSV_BATCH_H
#define MIGSH_ENGINE_CSV_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include "common/err.h"
#include "engine/records.h"

#define MG_CSV_MAX_ROWS  50000
#define MG_CSV_MAX_BYTES (10L * 1024 * 1024)

struct mg_store;

typedef struct mg_csv_row {
	long  line;          /* 1-based line number in the file where the row starts */
	char *email;
	char *user_name;
	char *password;      /* SECRET */
	char *user_root;     /* NULL when the column is absent or the field empty */
	char *error;         /* per-row validation error, or NULL when valid */
} mg_csv_row;

typedef struct mg_csv_batch {
	mg_csv_row *rows;
	size_t      n_rows;
	char      **ignored_columns;  /* unknown columns ignored (allow_unknown_columns); NULL-terminated or NULL */
	size_t      n_invalid;        /* rows with an error */
} mg_csv_batch;

/* Parse and validate.  0: *out filled (rows may carry errors); -1: refused. */
int  mg_csv_parse_batch(const void *data, size_t len, bool allow_unknown_columns,
                        mg_csv_batch *out, mg_err *err);
void mg_csv_batch_free(mg_csv_batch *cb);   /* wipes passwords */

/* Mark rows whose EmailAddress is already a user of another batch
 * (except_batch: the batch being added to, or NULL). */
void mg_csv_check_in_use(mg_csv_batch *cb, struct mg_store *st, const char *except_batch);

/* Build user records for batch_name: valid rows Stopped (not started),
 * invalid rows Failed with validation_failed and the error. */
int  mg_csv_to_users(const mg_csv_batch *cb, const char *batch_name,
                     mg_user ***out, size_t *n, mg_err *err);

/* Is s a well-formed email address (local@domain, no spaces, one '@',
 * domain with a dot or "localhost"-style label)? */
bool mg_email_valid(const char *s);

#endif
