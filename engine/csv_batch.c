/*
 * csv_batch.c - parse and validate the CSV of an IMAP migration batch with
 * libcsv (rules in csv_batch.h).  The file is fed to libcsv one physical
 * line at a time so every row knows the line it starts on; libcsv's
 * white-space trimming is switched off so UserName, Password and UserRoot
 * reach the engine exactly as written.
 */
#include "config.h"

#include <csv.h>
#include <stdlib.h>
#include <string.h>

#include "common/mem.h"
#include "common/str.h"
#include "engine/csv_batch.h"
#include "engine/store.h"

enum { COL_UNKNOWN = -1, COL_EMAIL = 0, COL_USER, COL_PASSWORD, COL_ROOT };
static const char *const col_names[] = { "EmailAddress", "UserName", "Password", "UserRoot" };

typedef struct parse_ctx {
	/* current row */
	char  **fields;
	size_t  nf, capf;
	long    row_line;        /* line where the current row starts */
	long    cur_line;        /* line being fed */
	long    pending_line;    /* line where the next row will start */
	bool    row_open;
	/* results */
	bool    have_header;
	char  **header;          /* header fields (trimmed) */
	size_t  n_header;
	int    *colmap;          /* header index -> COL_* */
	mg_csv_row *rows;
	size_t  n_rows, cap_rows;
	bool    stop;            /* refused: stop feeding */
	mg_err *err;
	bool    allow_unknown;
	char  **ignored;
	size_t  n_ignored;
} parse_ctx;

static int no_space(unsigned char c)
{
	(void)c;
	return 0;
}

static void free_fields(parse_ctx *c)
{
	for (size_t i = 0; i < c->nf; i++) {
		if (c->fields[i]) {
			mg_wipe(c->fields[i], strlen(c->fields[i]));
			free(c->fields[i]);
		}
	}
	c->nf = 0;
}

static void on_field(void *s, size_t len, void *data)
{
	parse_ctx *c = data;
	if (c->stop)
		return;
	if (!c->row_open) {
		c->row_open = true;
		c->row_line = c->pending_line;
	}
	if (s && memchr(s, 0, len)) {
		/* a C string would end at the NUL: the login sent would silently be
		 * another one, so the row is refused (the value is never shown) */
		int col = c->have_header && c->nf < c->n_header ? c->colmap[c->nf] : COL_UNKNOWN;
		char what[64];
		if (!c->have_header)
			snprintf(what, sizeof what, "its header");
		else if (col != COL_UNKNOWN)
			snprintf(what, sizeof what, "the %s value", col_names[col]);
		else
			snprintf(what, sizeof what, "column %zu", c->nf + 1);
		mg_err_set(c->err, MGC_INVALIDDATA, "CsvValidationNulByte",
		           "Line %ld of the CSV file: %s contains a NUL byte, which no login, password or folder "
		           "name can hold. Remove it (the file may have been saved in another encoding).",
		           c->row_line, what);
		c->stop = true;
		return;
	}
	GROW(c->fields, c->capf, c->nf + 1);
	c->fields[c->nf++] = xstrndup(s ? s : "", s ? len : 0);
}

static void add_ignored(parse_ctx *c, const char *name)
{
	c->ignored = xrealloc(c->ignored, (c->n_ignored + 2) * sizeof *c->ignored);
	c->ignored[c->n_ignored++] = xstrdup(name);
	c->ignored[c->n_ignored] = NULL;
}

static void take_header(parse_ctx *c)
{
	/* not comma-separated: a single column holding another separator */
	if (c->nf == 1) {
		const char *h = c->fields[0];
		const char *seps = ";\t|";
		for (const char *s = seps; *s; s++)
			if (strchr(h, *s)) {
				mg_err_set(c->err, MGC_INVALIDDATA, "CsvValidationNotCommaSeparated",
				           "The CSV file isn't comma-separated: its header line is '%s'. "
				           "Separate the columns with commas (EmailAddress,UserName,Password).", h);
				c->stop = true;
				return;
			}
	}
	c->n_header = c->nf;
	c->header = xcalloc(c->nf + 1, sizeof *c->header);
	c->colmap = xcalloc(c->nf + 1, sizeof *c->colmap);
	int seen[4] = { -1, -1, -1, -1 };
	strbuf unknown = STRBUF_INIT;
	size_t n_unknown = 0;
	for (size_t i = 0; i < c->nf; i++) {
		char *h = str_trim(c->fields[i]);
		c->header[i] = xstrdup(h);
		c->colmap[i] = COL_UNKNOWN;
		for (int k = 0; k < 4; k++)
			if (str_ieq(h, col_names[k])) {
				if (seen[k] >= 0) {
					mg_err_set(c->err, MGC_INVALIDDATA, "CsvValidationDuplicateColumn",
					           "The CSV header names the column '%s' twice. Each column may appear only once.",
					           col_names[k]);
					c->stop = true;
					strbuf_free(&unknown);
					return;
				}
				seen[k] = (int)i;
				c->colmap[i] = k;
			}
		if (c->colmap[i] == COL_UNKNOWN) {
			if (n_unknown++)
				strbuf_adds(&unknown, ", ");
			strbuf_addf(&unknown, "'%s'", h);
		}
	}
	strbuf missing = STRBUF_INIT;
	for (int k = 0; k < 3; k++)
		if (seen[k] < 0) {
			if (missing.len)
				strbuf_adds(&missing, ", ");
			strbuf_adds(&missing, col_names[k]);
		}
	if (missing.len) {
		mg_err_set(c->err, MGC_INVALIDDATA, "CsvValidationMissingColumn",
		           "The CSV header is missing the required column%s %s. The first line must name "
		           "the columns EmailAddress, UserName and Password (UserRoot is optional).",
		           strchr(missing.buf, ',') ? "s" : "", missing.buf);
		c->stop = true;
	} else if (n_unknown && !c->allow_unknown) {
		mg_err_set(c->err, MGC_INVALIDDATA, "CsvValidationUnknownColumn",
		           "The CSV file has unknown column%s %s. Allowed columns: EmailAddress, UserName, "
		           "Password, UserRoot. Remove %s, or use -AllowUnknownColumnsInCsv $true to ignore %s.",
		           n_unknown > 1 ? "s" : "", unknown.buf, n_unknown > 1 ? "them" : "it",
		           n_unknown > 1 ? "them" : "it");
		c->stop = true;
	} else {
		for (size_t i = 0; i < c->nf; i++)
			if (c->colmap[i] == COL_UNKNOWN)
				add_ignored(c, c->header[i]);
		c->have_header = true;
	}
	strbuf_free(&missing);
	strbuf_free(&unknown);
}

static void take_row(parse_ctx *c)
{
	if (c->nf != c->n_header) {
		mg_err_set(c->err, MGC_INVALIDDATA, "CsvValidationColumnCount",
		           "Line %ld of the CSV file has %zu column%s, but the header has %zu. "
		           "Every line needs a value (possibly empty) for each column; quote values that contain commas.",
		           c->row_line, c->nf, c->nf == 1 ? "" : "s", c->n_header);
		c->stop = true;
		return;
	}
	if (c->n_rows >= MG_CSV_MAX_ROWS) {
		mg_err_set(c->err, MGC_LIMIT, "CsvValidationTooManyRows",
		           "The CSV file has more than %d data rows (the limit for one batch). "
		           "Split the users into several batches.", MG_CSV_MAX_ROWS);
		c->stop = true;
		return;
	}
	GROW(c->rows, c->cap_rows, c->n_rows + 1);
	mg_csv_row *r = &c->rows[c->n_rows++];
	memset(r, 0, sizeof *r);
	r->line = c->row_line;
	for (size_t i = 0; i < c->nf; i++) {
		switch (c->colmap[i]) {
		case COL_EMAIL:    r->email = xstrdup(str_trim(c->fields[i])); break;
		case COL_USER:     r->user_name = xstrdup(c->fields[i]); break;
		case COL_PASSWORD: r->password = xstrdup(c->fields[i]); break;
		case COL_ROOT:     r->user_root = *c->fields[i] ? xstrdup(c->fields[i]) : NULL; break;
		default: break;
		}
	}
}

static void on_row(int term, void *data)
{
	(void)term;
	parse_ctx *c = data;
	if (c->stop) {
		free_fields(c);
		return;
	}
	if (!c->row_open)
		c->row_line = c->cur_line;
	if (!c->have_header)
		take_header(c);
	else
		take_row(c);
	free_fields(c);
	c->row_open = false;
}

/* First invalid UTF-8 byte's line, or 0 when valid. */
static long utf8_bad_line(const unsigned char *s, size_t len)
{
	long line = 1;
	size_t i = 0;
	while (i < len) {
		unsigned char ch = s[i];
		if (ch == '\n' || (ch == '\r' && (i + 1 >= len || s[i + 1] != '\n')))
			line++;
		if (ch < 0x80) {
			i++;
			continue;
		}
		size_t need;
		unsigned min;
		if ((ch & 0xe0) == 0xc0) { need = 1; min = 0x80; }
		else if ((ch & 0xf0) == 0xe0) { need = 2; min = 0x800; }
		else if ((ch & 0xf8) == 0xf0) { need = 3; min = 0x10000; }
		else return line;
		unsigned cp = ch & (0x3f >> need);
		for (size_t k = 1; k <= need; k++) {
			if (i + k >= len || (s[i + k] & 0xc0) != 0x80)
				return line;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return line;
		i += need + 1;
	}
	return 0;
}

bool mg_email_valid(const char *s)
{
	if (!s)
		return false;
	const char *at = strchr(s, '@');
	if (!at || strchr(at + 1, '@'))
		return false;
	size_t ll = (size_t)(at - s);
	if (ll == 0 || ll > 64 || s[0] == '.' || at[-1] == '.')
		return false;
	for (const char *p = s; p < at; p++) {
		unsigned char ch = (unsigned char)*p;
		if (ch >= 0x80)
			continue;   /* internationalised local part */
		if (ch <= 0x20 || ch == 0x7f || strchr("\"(),:;<>[\\]", ch))
			return false;
		if (ch == '.' && p[1] == '.')
			return false;
	}
	const char *d = at + 1;
	size_t dl = strlen(d);
	if (dl == 0 || dl > 253)
		return false;
	size_t label = 0, dots = 0;
	for (const char *p = d; ; p++) {
		unsigned char ch = (unsigned char)*p;
		if (ch == '.' || ch == '\0') {
			if (label == 0 || label > 63 || p[-1] == '-')
				return false;
			if (ch == '\0')
				break;
			dots++;
			label = 0;
			continue;
		}
		if (label == 0 && ch == '-')
			return false;
		if (!(ch >= 0x80 || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '-'))
			return false;
		label++;
	}
	return dots > 0 || str_ieq(d, "localhost");
}

static void set_row_error(mg_csv_row *r, char *msg)
{
	free(r->error);
	r->error = msg;
}

typedef struct idx_email { size_t idx; char *key; } idx_email;

static int cmp_idx(const void *a, const void *b)
{
	const idx_email *x = a, *y = b;
	int c = strcmp(x->key, y->key);
	if (c)
		return c;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static char *lower(const char *s)
{
	char *r = xstrdup(s ? s : "");
	for (char *p = r; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return r;
}

static void validate_rows(mg_csv_batch *cb)
{
	for (size_t i = 0; i < cb->n_rows; i++) {
		mg_csv_row *r = &cb->rows[i];
		if (!r->email || !*r->email)
			set_row_error(r, xasprintf("EmailAddress is empty (CSV line %ld). Every user needs the "
			                           "address of its destination mailbox.", r->line));
		else if (!mg_email_valid(r->email))
			set_row_error(r, xasprintf("The EmailAddress '%s' is not a valid email address (CSV line %ld).",
			                           r->email, r->line));
		else if (!r->user_name || !*r->user_name)
			set_row_error(r, xasprintf("UserName is empty for '%s' (CSV line %ld). Give the IMAP login "
			                           "name of the source mailbox.", r->email, r->line));
		else if (!r->password || !*r->password)
			set_row_error(r, xasprintf("Password is empty for '%s' (CSV line %ld). Give the password of "
			                           "the UserName account.", r->email, r->line));
	}
	/* duplicates within the file (case-insensitive): the first occurrence stays */
	idx_email *v = xcalloc(cb->n_rows + 1, sizeof *v);
	for (size_t i = 0; i < cb->n_rows; i++) {
		v[i].idx = i;
		v[i].key = lower(cb->rows[i].email);
	}
	qsort(v, cb->n_rows, sizeof *v, cmp_idx);
	for (size_t i = 1; i < cb->n_rows; i++) {
		if (!*v[i].key || strcmp(v[i].key, v[i - 1].key))
			continue;
		size_t first = i - 1;
		while (first > 0 && !strcmp(v[first - 1].key, v[i].key))
			first--;
		mg_csv_row *r = &cb->rows[v[i].idx];
		set_row_error(r, xasprintf("The EmailAddress '%s' appears more than once in the CSV file "
		                           "(line %ld, first on line %ld). Each user may be listed only once.",
		                           r->email, r->line, cb->rows[v[first].idx].line));
	}
	for (size_t i = 0; i < cb->n_rows; i++)
		free(v[i].key);
	free(v);
	cb->n_invalid = 0;
	for (size_t i = 0; i < cb->n_rows; i++)
		if (cb->rows[i].error)
			cb->n_invalid++;
}

int mg_csv_parse_batch(const void *data, size_t len, bool allow_unknown_columns,
                       mg_csv_batch *out, mg_err *err)
{
	memset(out, 0, sizeof *out);
	const unsigned char *s = data;
	if (len >= 3 && s[0] == 0xef && s[1] == 0xbb && s[2] == 0xbf) {
		s += 3;
		len -= 3;
	}
	size_t nonblank = 0;
	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			nonblank++;
	if (!data || nonblank == 0)
		return mg_err_set(err, MGC_INVALIDDATA, "CsvValidationEmpty",
		                  "The CSV file is empty. It needs a header line (EmailAddress,UserName,Password) "
		                  "and one line per user.");
	if (len > (size_t)MG_CSV_MAX_BYTES)
		return mg_err_set(err, MGC_LIMIT, "CsvValidationTooLarge",
		                  "The CSV file is %zu bytes, larger than the 10 MB limit for one batch. "
		                  "Split the users into several batches.", len);
	if (len >= 2 && ((s[0] == 0xff && s[1] == 0xfe) || (s[0] == 0xfe && s[1] == 0xff)))
		return mg_err_set(err, MGC_INVALIDDATA, "CsvValidationEncoding",
		                  "The CSV file is UTF-16 encoded. Save it as UTF-8 (with or without BOM).");
	long bad = utf8_bad_line(s, len);
	if (bad)
		return mg_err_set(err, MGC_INVALIDDATA, "CsvValidationEncoding",
		                  "The CSV file is not valid UTF-8 (line %ld). Save it as UTF-8 (with or without BOM).",
		                  bad);

	struct csv_parser p;
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0)
		return mg_err_set(err, MGC_RESOURCE, "CsvInit", "cannot initialise the CSV parser");
	csv_set_space_func(&p, no_space);
	parse_ctx c = { 0 };
	c.err = err;
	c.allow_unknown = allow_unknown_columns;
	c.cur_line = 1;
	size_t pos = 0;
	int rc = 0;
	while (pos < len && !c.stop) {
		/* a physical line ends at LF, CRLF or a lone CR (old Mac files) */
		size_t chunk = 0;
		while (pos + chunk < len && s[pos + chunk] != '\n' && s[pos + chunk] != '\r')
			chunk++;
		if (pos + chunk < len)
			chunk += s[pos + chunk] == '\r' && pos + chunk + 1 < len && s[pos + chunk + 1] == '\n' ? 2 : 1;
		if (p.pstate == 0)   /* libcsv's ROW_NOT_BEGUN: a new row starts on this line */
			c.pending_line = c.cur_line;
		if (csv_parse(&p, s + pos, chunk, on_field, on_row, &c) != chunk) {
			rc = mg_err_set(err, MGC_INVALIDDATA, "CsvValidationMalformed",
			                "The CSV file is malformed at line %ld: %s. Quote values that contain "
			                "commas or quotes, and double quotes inside quoted values (\"\").",
			                c.cur_line, csv_strerror(csv_error(&p)));
			c.stop = true;
			break;
		}
		pos += chunk;
		c.cur_line++;
	}
	c.cur_line--;
	if (rc == 0 && !c.stop && csv_fini(&p, on_field, on_row, &c) != 0) {
		rc = mg_err_set(err, MGC_INVALIDDATA, "CsvValidationMalformed",
		                "The CSV file is malformed at line %ld: a quoted value is not closed. "
		                "Close every opening quote.", c.row_line);
		c.stop = true;
	}
	csv_free(&p);
	free_fields(&c);
	free(c.fields);
	if (rc == 0 && c.stop)
		rc = -1;   /* err filled by the check that stopped */
	if (rc == 0 && !c.have_header)
		rc = mg_err_set(err, MGC_INVALIDDATA, "CsvValidationEmpty", "The CSV file is empty.");
	if (rc == 0 && c.n_rows == 0)
		rc = mg_err_set(err, MGC_INVALIDDATA, "CsvValidationNoRows",
		                "The CSV file has a header but no users. Add one line per user below the header.");
	for (size_t i = 0; i < c.n_header; i++)
		free(c.header[i]);
	free(c.header);
	free(c.colmap);
	out->rows = c.rows;
	out->n_rows = c.n_rows;
	out->ignored_columns = c.ignored;
	if (rc < 0) {
		mg_csv_batch_free(out);
		return -1;
	}
	validate_rows(out);
	return 0;
}

void mg_csv_batch_free(mg_csv_batch *cb)
{
	if (!cb)
		return;
	for (size_t i = 0; i < cb->n_rows; i++) {
		mg_csv_row *r = &cb->rows[i];
		free(r->email);
		free(r->user_name);
		if (r->password) {
			mg_wipe(r->password, strlen(r->password));
			free(r->password);
		}
		free(r->user_root);
		free(r->error);
	}
	free(cb->rows);
	mg_strv_free_all(cb->ignored_columns);
	memset(cb, 0, sizeof *cb);
}

void mg_csv_check_in_use(mg_csv_batch *cb, struct mg_store *st, const char *except_batch)
{
	for (size_t i = 0; i < cb->n_rows; i++) {
		mg_csv_row *r = &cb->rows[i];
		if (r->error)
			continue;
		char *other = NULL;
		if (mg_store_email_in_use(st, r->email, except_batch, &other)) {
			set_row_error(r, xasprintf("The user '%s' (CSV line %ld) already belongs to the migration "
			                           "batch '%s'. A user can be in only one batch; remove it there first.",
			                           r->email, r->line, other ? other : "?"));
			cb->n_invalid++;
		}
		free(other);
	}
}

int mg_csv_to_users(const mg_csv_batch *cb, const char *batch_name,
                    mg_user ***out, size_t *n, mg_err *err)
{
	(void)err;
	mg_user **v = xcalloc(cb->n_rows + 1, sizeof *v);
	/* identities must be unique: an invalid row whose address is empty or
	 * taken by another row/batch gets "<address> (CSV line N)" */
	for (size_t i = 0; i < cb->n_rows; i++) {
		const mg_csv_row *r = &cb->rows[i];
		char *ident;
		bool dup = r->error && (strstr(r->error, "appears more than once") ||
		                        strstr(r->error, "already belongs"));
		if (!r->email || !*r->email)
			ident = xasprintf("(CSV line %ld)", r->line);
		else if (dup)
			ident = xasprintf("%s (CSV line %ld)", r->email, r->line);
		else
			ident = xstrdup(r->email);
		mg_user *u = mg_user_new(ident, batch_name);
		free(ident);
		u->user_name = xstrdup(r->user_name);
		u->password = xstrdup(r->password);
		u->user_root = xstrdup(r->user_root);
		u->csv_line = r->line;
		if (r->error) {
			u->status = MG_US_FAILED;
			u->validation_failed = true;
			u->error = xstrdup(r->error);
			u->error_summary = xasprintf("Validation failed: %s", r->error);
			u->error_category = xstrdup(mg_err_category_name(MGC_INVALIDDATA));
		}
		v[i] = u;
	}
	*out = v;
	*n = cb->n_rows;
	return 0;
}
