/*
 * fuzz_csv_batch.c - libFuzzer target for the batch CSV reader
 * (engine/csv_batch.c).  The first input byte chooses -AllowUnknownColumnsInCsv;
 * the rest is the file.  Checks, besides memory safety: a parse that succeeds
 * returns only rows whose UserName, Password and EmailAddress are whole
 * (no value was cut at a NUL: the file had none there) and carry a line number
 * inside the file.  Build: configure --enable-fuzzing CC=clang.
 */
#include "config.h"
#include "engine/csv_batch.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	bool allow = data[0] & 1;
	const uint8_t *csv = data + 1;
	size_t len = size - 1;
	long lines = 1;
	for (size_t i = 0; i < len; i++)   /* LF, CRLF or a lone CR */
		lines += csv[i] == '\n' || (csv[i] == '\r' && (i + 1 >= len || csv[i + 1] != '\n'));
	mg_csv_batch cb;
	mg_err err;
	mg_err_clear(&err);
	if (mg_csv_parse_batch(csv, len, allow, &cb, &err) == 0) {
		if (!cb.n_rows)
			abort();          /* success means at least one user */
		if (memchr(csv, 0, len))
			abort();          /* a NUL anywhere in a value must have been refused */
		for (size_t i = 0; i < cb.n_rows; i++) {
			const mg_csv_row *r = &cb.rows[i];
			if (r->line < 2 || r->line > lines)
				abort();
			if (!r->error && (!r->email || !r->user_name || !r->password))
				abort();
		}
		mg_csv_batch_free(&cb);
	} else if (!err.set || !err.msg[0] || !err.id[0]) {
		abort();                  /* a refusal always says why */
	}
	return 0;
}
