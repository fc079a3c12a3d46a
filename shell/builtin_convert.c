/*
 * builtin_convert.c - ConvertTo-Json, ConvertTo-Csv, Export-Csv,
 * Import-Csv and ConvertFrom-Csv (PowerShell 7 style: every field quoted,
 * no #TYPE line; -NoTypeInformation accepted for scripts written for 5.1).
 */
#include "config.h"
#include "shell/builtin_util.h"
#include "shell/builtins.h"
#include "shell/paths.h"
#include "shell/session.h"
#include "common/fileio.h"
#include "common/mem.h"
#include "common/str.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* ---- JSON ---- */

static void json_str(strbuf *o, const char *s, size_t len)
{
	strbuf_addc(o, '"');
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		switch (ch) {
		case '"': strbuf_adds(o, "\\\""); break;
		case '\\': strbuf_adds(o, "\\\\"); break;
		case '\n': strbuf_adds(o, "\\n"); break;
		case '\r': strbuf_adds(o, "\\r"); break;
		case '\t': strbuf_adds(o, "\\t"); break;
		case '\b': strbuf_adds(o, "\\b"); break;
		case '\f': strbuf_adds(o, "\\f"); break;
		default:
			if (ch < 0x20)
				strbuf_addf(o, "\\u%04x", ch);
			else
				strbuf_addc(o, (char)ch);
		}
	}
	strbuf_addc(o, '"');
}

static void json_nl(strbuf *o, bool compress, int indent)
{
	if (compress)
		return;
	strbuf_addc(o, '\n');
	for (int i = 0; i < indent; i++)
		strbuf_adds(o, "  ");
}

/* Once the text is longer than *limit bytes (values holding themselves grow
 * it exponentially with -Depth) nothing more is added; json_end reports it. */
static void json_val(strbuf *o, const mv *v, int depth, int maxdepth, bool compress, int indent, size_t limit)
{
	if (o->len > limit)
		return;
	if (!v || v->kind == MV_NULL) {
		strbuf_adds(o, "null");
		return;
	}
	switch (v->kind) {
	case MV_BOOL:
		strbuf_adds(o, v->u.b ? "true" : "false");
		return;
	case MV_INT:
		strbuf_addf(o, "%lld", v->u.i);
		return;
	case MV_DOUBLE:
		if (!isfinite(v->u.d))
			strbuf_adds(o, "null");
		else
			strbuf_addf(o, "%.15g", v->u.d);
		return;
	case MV_STRING:
		json_str(o, v->u.str.s, v->u.str.len);
		return;
	case MV_DATETIME: {
		time_t t = (time_t)v->u.dt.sec;
		struct tm tm;
		gmtime_r(&t, &tm);
		char buf[64];
		strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
		json_str(o, buf, strlen(buf));
		return;
	}
	case MV_SIZE:
	case MV_TIMESPAN:
	case MV_SCRIPTBLOCK: {
		char *s = mv_to_string(v);
		json_str(o, s, strlen(s));
		free(s);
		return;
	}
	case MV_BYTES:
	case MV_ARRAY: {
		size_t n = mv_count(v);
		if (depth > maxdepth) {
			char *s = mv_to_string(v);
			json_str(o, s, strlen(s));
			free(s);
			return;
		}
		strbuf_addc(o, '[');
		for (size_t i = 0; i < n; i++) {
			if (i)
				strbuf_addc(o, ',');
			json_nl(o, compress, indent + 1);
			if (v->kind == MV_BYTES)
				strbuf_addf(o, "%u", v->u.bytes.p[i]);
			else
				json_val(o, v->u.arr.items[i], depth + 1, maxdepth, compress, indent + 1, limit);
		}
		if (n)
			json_nl(o, compress, indent);
		strbuf_addc(o, ']');
		return;
	}
	case MV_HASH:
	case MV_OBJECT: {
		if (depth > maxdepth) {
			char *s = mv_to_string(v);
			json_str(o, s, strlen(s));
			free(s);
			return;
		}
		strbuf_addc(o, '{');
		for (size_t i = 0; i < v->u.obj.n; i++) {
			if (i)
				strbuf_addc(o, ',');
			json_nl(o, compress, indent + 1);
			json_str(o, v->u.obj.props[i].name, strlen(v->u.obj.props[i].name));
			strbuf_adds(o, compress ? ":" : ": ");
			json_val(o, v->u.obj.props[i].val, depth + 1, maxdepth, compress, indent + 1, limit);
		}
		if (v->u.obj.n)
			json_nl(o, compress, indent);
		strbuf_addc(o, '}');
		return;
	}
	default:
		strbuf_adds(o, "null");
	}
}

static int json_end(mg_ctx *c)
{
	bu_coll_state *st = c->state;
	long long depth = 2;
	if (mg_has(c, "Depth") && (mv_to_ll(mg_arg(c, "Depth"), &depth) < 0 || depth < 0 || depth > 100)) {
		mg_err_set(&c->err, MGC_INVALIDARG, "ParameterArgumentValidationError",
		           "Cannot validate argument on parameter 'Depth'. Give a number from 0 to 100.");
		return -1;
	}
	bool compress = mg_switch(c, "Compress");
	size_t limit = c->session->max_string;
	strbuf o = STRBUF_INIT;
	if (st->in.n == 1 && !mg_switch(c, "AsArray")) {
		json_val(&o, st->in.v[0], 0, (int)depth, compress, 0, limit);
	} else if (st->in.n > 0 || mg_switch(c, "AsArray")) {
		mv *a = mv_array();
		for (size_t i = 0; i < st->in.n; i++)
			mv_array_push(a, st->in.v[i]);
		/* the array itself does not count towards the depth */
		json_val(&o, a, -1, (int)depth, compress, 0, limit);
		mv_unref(a);
	} else {
		return 0;
	}
	if (o.len > limit) {
		strbuf_free(&o);
		mg_err_set(&c->err, MGC_LIMIT, "JsonTooLong",
		           "The JSON text would be longer than %zu bytes, the longest string migsh builds. "
		           "Give a smaller -Depth or convert fewer objects.", limit);
		return -1;
	}
	int r = mg_emit_take(c, mv_string_take(strbuf_detach(&o, NULL)));
	strbuf_free(&o);
	return r;
}

static const mg_param json_params[] = {
	{ "Depth", MPT_INT, 0, -1, NULL, NULL, NULL, "2", MGCOMP_NONE,
	  "How many levels of nested objects to write (0-100); deeper objects are written "
	  "as their string form." },
	{ "Compress", MPT_SWITCH, 0, -1, NULL, NULL, NULL, "False", MGCOMP_NONE,
	  "Writes everything on one line without spaces." },
	{ "AsArray", MPT_SWITCH, 0, -1, NULL, NULL, NULL, "False", MGCOMP_NONE,
	  "Writes a JSON array even for a single object." },
	P_INPUT("The objects to convert. Usually piped in."),
	P_END
};

static const mg_example json_examples[] = {
	{ "Get-MigrationUserStatistics -Identity terrya@contoso.edu | ConvertTo-Json",
	  "The statistics of one user as a JSON object.", 0, NULL },
	{ "migsh -c 'Get-MigrationBatch | ConvertTo-Json -Compress' | jq .",
	  "From bash: feed batch details to jq.", MG_EXAMPLE_BASH, "\"Status\": \"Synced\"" },
	{ "@{Name='x'; Count=2} | ConvertTo-Json -Compress", "Prints {\"Name\":\"x\",\"Count\":2}.",
	  0, "\"Count\":2" },
	EX_END
};

const mg_cmdlet mg_cmd_convertto_json = {
	.name = "ConvertTo-Json",
	.synopsis = "Converts objects to JSON text.",
	.description =
		"ConvertTo-Json writes its input as JSON: one object as a JSON object, several "
		"as an array. Property order is kept. Dates are written in ISO 8601 UTC "
		"(2025-03-14T10:02:11Z), byte sizes and durations as their display text. The "
		"layout is PowerShell 7's: two-space indentation, or one line with -Compress.",
	.params = json_params,
	.inputs = "System.Object",
	.outputs = "System.String",
	.examples = json_examples,
	.related = MG_NAMES("ConvertTo-Csv", "Export-Csv"),
	.state_size = sizeof(bu_coll_state),
	.process = bu_coll_process,
	.end = json_end,
	.cleanup = bu_coll_cleanup,
};

/* ---- CSV out ---- */

static int delimiter(mg_ctx *c, char *out)
{
	const char *d = mg_arg_str(c, "Delimiter");
	*out = ',';
	if (!d)
		return 0;
	if (strlen(d) != 1) {
		mg_err_set(&c->err, MGC_INVALIDARG, "InvalidDelimiter",
		           "The delimiter must be a single character, e.g. -Delimiter ';'.");
		return -1;
	}
	*out = d[0];
	return 0;
}

static void csv_field(strbuf *o, const char *s)
{
	strbuf_addc(o, '"');
	for (; *s; s++) {
		if (*s == '"')
			strbuf_addc(o, '"');
		strbuf_addc(o, *s);
	}
	strbuf_addc(o, '"');
}

/* The header names (from the first object) and each row as text lines. */
static char **csv_lines(mvlist *in, char delim, bool header, size_t *nlines)
{
	size_t n = 0;
	char **lines = xcalloc(in->n + 2, sizeof *lines);
	const mv *first = NULL;
	for (size_t i = 0; i < in->n && !first; i++)
		if (in->v[i] && in->v[i]->kind != MV_NULL)
			first = in->v[i];
	if (!first) {
		*nlines = 0;
		return lines;
	}
	const char **names;
	size_t nn;
	bool rec = first->kind == MV_OBJECT || first->kind == MV_HASH;
	if (rec) {
		nn = first->u.obj.n;
		names = xcalloc(nn + 1, sizeof *names);
		for (size_t k = 0; k < nn; k++)
			names[k] = first->u.obj.props[k].name;
	} else {
		/* scalars: PowerShell writes their properties; a string has Length */
		nn = 1;
		names = xcalloc(2, sizeof *names);
		names[0] = first->kind == MV_STRING ? "Length" : "Value";
	}
	strbuf sb = STRBUF_INIT;
	if (header) {
		for (size_t k = 0; k < nn; k++) {
			if (k)
				strbuf_addc(&sb, delim);
			csv_field(&sb, names[k]);
		}
		lines[n++] = strbuf_detach(&sb, NULL);
	}
	for (size_t i = 0; i < in->n; i++) {
		const mv *o = in->v[i];
		if (!o || o->kind == MV_NULL)
			continue;
		for (size_t k = 0; k < nn; k++) {
			if (k)
				strbuf_addc(&sb, delim);
			mv *v = NULL;
			if (o->kind == MV_OBJECT || o->kind == MV_HASH)
				v = mv_get(o, names[k]);
			else if (o->kind == MV_STRING && !rec)
				v = NULL;
			char *s;
			if (!rec)
				s = o->kind == MV_STRING ? xasprintf("%zu", o->u.str.len) : mv_to_string(o);
			else
				s = mv_to_string(v);
			/* $null is an empty, unquoted field in PowerShell 7 */
			if (v || !rec)
				csv_field(&sb, s);
			free(s);
		}
		if (!sb.len)
			strbuf_adds(&sb, "");
		lines[n++] = strbuf_detach(&sb, NULL);
	}
	free(names);
	*nlines = n;
	return lines;
}

static int csvto_end(mg_ctx *c)
{
	bu_coll_state *st = c->state;
	char delim;
	if (delimiter(c, &delim) < 0)
		return -1;
	size_t n;
	char **lines = csv_lines(&st->in, delim, !mg_switch(c, "NoHeader"), &n);
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		if (rc == 0)
			rc = mg_emit_take(c, mv_string_take(lines[i]));
		else
			free(lines[i]);
	}
	free(lines);
	return rc;
}

static int write_text_file(mg_ctx *c, const char *path_arg, const char *text, size_t len,
                           bool append, bool noclobber)
{
	char *path = mg_map_path_for_write(c->session, path_arg);
	if (noclobber && !append) {
		FILE *t = fopen(path, "r");
		if (t) {
			fclose(t);
			mg_err_set(&c->err, MGC_EXISTS, "NoClobber",
			           "The file '%s' already exists. Remove -NoClobber to overwrite it.",
			           path_arg);
			free(path);
			return -1;
		}
	}
	FILE *f = fopen(path, append ? "ab" : "wb");
	if (!f) {
		mg_err_sys(&c->err, MGC_WRITE, "FileOpenFailure", "Cannot open '%s' for writing",
		           path_arg);
		free(path);
		return -1;
	}
	size_t w = len ? fwrite(text, 1, len, f) : 0;
	int bad = (w != len) | (fclose(f) != 0);
	if (bad) {
		mg_err_sys(&c->err, MGC_WRITE, "FileWriteFailure", "Cannot write '%s'", path_arg);
		free(path);
		return -1;
	}
	free(path);
	return 0;
}

/* Exported for Out-File / Set-Content (builtin_file.c). */
int bu_write_text_file(mg_ctx *c, const char *path_arg, const char *text, size_t len,
                       bool append, bool noclobber)
{
	return write_text_file(c, path_arg, text, len, append, noclobber);
}

static int export_end(mg_ctx *c)
{
	bu_coll_state *st = c->state;
	char delim;
	if (delimiter(c, &delim) < 0)
		return -1;
	const char *path = mg_arg_str(c, "Path");
	if (!path) {
		mg_err_set(&c->err, MGC_INVALIDARG, "MissingPath",
		           "Export-Csv needs -Path: the file to write.");
		return -1;
	}
	bool append = mg_switch(c, "Append");
	bool header = true;
	if (append) {
		char *p = mg_map_path_for_write(c->session, path);
		FILE *f = fopen(p, "rb");
		if (f) {
			int ch = fgetc(f);
			header = ch == EOF;
			fclose(f);
		}
		free(p);
	}
	size_t n;
	char **lines = csv_lines(&st->in, delim, header, &n);
	strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < n; i++) {
		strbuf_adds(&sb, lines[i]);
		strbuf_addc(&sb, '\n');
		free(lines[i]);
	}
	free(lines);
	int rc = write_text_file(c, path, sb.buf ? sb.buf : "", sb.len, append,
	                         mg_switch(c, "NoClobber"));
	strbuf_free(&sb);
	return rc;
}

static const char *const enc_vals[] = {
	"utf8", "utf8NoBOM", "utf8BOM", "ascii", "unicode", "bigendianunicode", "utf32",
	"oem", "default", "byte", NULL
};

#define P_DELIM { "Delimiter", MPT_STRING, 0, -1, NULL, NULL, NULL, ",", MGCOMP_NONE, \
	"The character between fields, e.g. ';'." }
#define P_NOTYPE { "NoTypeInformation", MPT_SWITCH, MPF_IGNORED, -1, NULL, NULL, MG_NAMES("NTI"), NULL, \
	MGCOMP_NONE, "Accepted for scripts written for Windows PowerShell 5.1; migsh never writes " \
	"a #TYPE line (PowerShell 7 behaviour)." }

static const mg_param csvto_params[] = {
	P_DELIM,
	P_NOTYPE,
	{ "NoHeader", MPT_SWITCH, 0, -1, NULL, NULL, NULL, "False", MGCOMP_NONE,
	  "Leaves out the header line." },
	P_INPUT("The objects to convert. Usually piped in."),
	P_END
};

static const mg_example csvto_examples[] = {
	{ "Get-MigrationUser | Select-Object Identity,Status | ConvertTo-Csv",
	  "Users as CSV text.", 0, NULL },
	{ "@{EmailAddress='a@contoso.edu'; UserName='a'} | ConvertTo-Csv",
	  "Prints \"EmailAddress\",\"UserName\" and \"a@contoso.edu\",\"a\".", 0,
	  "\"a@contoso.edu\",\"a\"" },
	EX_END
};

const mg_cmdlet mg_cmd_convertto_csv = {
	.name = "ConvertTo-Csv",
	.synopsis = "Converts objects to lines of comma-separated values.",
	.description =
		"ConvertTo-Csv writes a header line with the property names of the first object "
		"and one line per object. Every field is quoted and quotes inside values are "
		"doubled, as in PowerShell 7; no #TYPE line is written. A $null value is an empty "
		"field. A list value is written as its items separated by spaces.",
	.params = csvto_params,
	.inputs = "System.Management.Automation.PSObject",
	.outputs = "System.String\n\nOne string per line.",
	.examples = csvto_examples,
	.related = MG_NAMES("Export-Csv", "Import-Csv", "ConvertFrom-Csv"),
	.state_size = sizeof(bu_coll_state),
	.process = bu_coll_process,
	.end = csvto_end,
	.cleanup = bu_coll_cleanup,
};

static const mg_param export_params[] = {
	{ "Path", MPT_STRING, MPF_MANDATORY, 0, NULL, NULL, NULL, NULL, MGCOMP_FILE,
	  "The file to write. Windows paths such as C:\\Users\\me\\users.csv are mapped as "
	  "described in migsh-language(7)." },
	P_DELIM,
	P_NOTYPE,
	{ "Append", MPT_SWITCH, 0, -1, NULL, NULL, NULL, "False", MGCOMP_NONE,
	  "Adds the rows to the end of the file (the header is written only when the file "
	  "is new or empty)." },
	{ "NoClobber", MPT_SWITCH, 0, -1, NULL, NULL, NULL, "False", MGCOMP_NONE,
	  "Refuses to overwrite an existing file." },
	{ "Encoding", MPT_ENUM, 0, -1, enc_vals, NULL, NULL, "utf8NoBOM", MGCOMP_ENUM,
	  "Accepted for compatibility; files are written as UTF-8 without a byte order mark." },
	{ "Force", MPT_SWITCH, MPF_IGNORED, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "Accepted for compatibility; has no effect." },
	P_INPUT("The objects to export. Usually piped in."),
	P_END
};

static const mg_example export_examples[] = {
	{ "Get-MigrationUserStatistics -Identity terrya@contoso.edu | Select-Object Identity,Status,SyncedItemCount,SkippedItemCount | Export-Csv -Path report.csv -NoTypeInformation",
	  "A per-user report that opens in a spreadsheet.", 0, NULL },
	{ "migsh -c 'Get-MigrationUser | Export-Csv -Path /var/tmp/users.csv'",
	  "From cron or bash.", MG_EXAMPLE_BASH, NULL },
	EX_END
};

const mg_cmdlet mg_cmd_export_csv = {
	.name = "Export-Csv",
	.synopsis = "Writes objects to a CSV file.",
	.description =
		"Export-Csv writes its input to a file in the format of ConvertTo-Csv: a header "
		"line from the first object's property names, then one line per object, every "
		"field quoted, no #TYPE line (PowerShell 7 style).",
	.params = export_params,
	.inputs = "System.Management.Automation.PSObject",
	.outputs = "None",
	.examples = export_examples,
	.related = MG_NAMES("Import-Csv", "ConvertTo-Csv", "Out-File"),
	.state_size = sizeof(bu_coll_state),
	.process = bu_coll_process,
	.end = export_end,
	.cleanup = bu_coll_cleanup,
};

/* ---- CSV in ---- */

/* Parse CSV text into rows of fields (RFC 4180 with any delimiter). */
typedef struct csv_row {
	char **f;
	size_t n, cap;
} csv_row;

static void row_add(csv_row *r, strbuf *field)
{
	GROW(r->f, r->cap, r->n + 1);
	if (!field->buf)
		strbuf_adds(field, "");
	r->f[r->n++] = strbuf_detach(field, NULL);
}

static csv_row *csv_parse(const char *s, size_t len, char delim, size_t *nrows)
{
	csv_row *rows = NULL;
	size_t n = 0, cap = 0;
	size_t i = 0;
	if (len >= 3 && (unsigned char)s[0] == 0xEF && (unsigned char)s[1] == 0xBB &&
	    (unsigned char)s[2] == 0xBF)
		i = 3;
	while (i < len) {
		csv_row r = { 0 };
		strbuf field = STRBUF_INIT;
		bool end_row = false;
		while (!end_row) {
			if (i < len && s[i] == '"') {
				i++;
				while (i < len) {
					if (s[i] == '"') {
						if (i + 1 < len && s[i + 1] == '"') {
							strbuf_addc(&field, '"');
							i += 2;
							continue;
						}
						i++;
						break;
					}
					strbuf_addc(&field, s[i++]);
				}
			}
			while (i < len && s[i] != delim && s[i] != '\n' && s[i] != '\r')
				strbuf_addc(&field, s[i++]);
			row_add(&r, &field);
			if (i >= len) {
				end_row = true;
			} else if (s[i] == delim) {
				i++;
			} else {
				if (s[i] == '\r')
					i++;
				if (i < len && s[i] == '\n')
					i++;
				end_row = true;
			}
		}
		strbuf_free(&field);
		/* skip blank lines and a #TYPE line */
		if ((r.n == 1 && r.f[0][0] == '\0') || (r.n >= 1 && n == 0 && strncmp(r.f[0], "#TYPE", 5) == 0)) {
			for (size_t k = 0; k < r.n; k++)
				free(r.f[k]);
			free(r.f);
			continue;
		}
		GROW(rows, cap, n + 1);
		rows[n++] = r;
	}
	*nrows = n;
	return rows;
}

static int csv_emit_objects(mg_ctx *c, const char *text, size_t len, char delim)
{
	size_t n;
	csv_row *rows = csv_parse(text, len, delim, &n);
	char **header = NULL;
	size_t nh = 0;
	size_t start = 0;
	int rc = 0;
	size_t given;
	char **hv = bu_strv(mg_arg(c, "Header"), &given);
	if (hv) {
		header = hv;
		nh = given;
	} else if (n) {
		header = rows[0].f;
		nh = rows[0].n;
		start = 1;
	}
	for (size_t i = start; i < n && rc == 0; i++) {
		mv *o = mv_object(NULL);
		for (size_t k = 0; k < nh; k++) {
			const char *name = header[k][0] ? header[k] : "H";
			if (k < rows[i].n)
				mv_set_str(o, name, rows[i].f[k]);
			else
				mv_set_take(o, name, mv_null());
		}
		rc = mg_emit_take(c, o);
	}
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < rows[i].n; k++)
			free(rows[i].f[k]);
		free(rows[i].f);
	}
	free(rows);
	bu_strv_free(hv);
	return rc;
}

static int import_process(mg_ctx *c, mv *input)
{
	char delim;
	if (delimiter(c, &delim) < 0)
		return -1;
	size_t np;
	char **paths = bu_strv(input ? input : mg_arg(c, "Path"), &np);
	int rc = 0;
	for (size_t i = 0; i < np && rc == 0; i++) {
		mg_err e;
		mg_err_clear(&e);
		char *p = mg_map_path(c->session, paths[i], &e);
		if (!p) {
			rc = mg_error(c, &e, paths[i]);
			continue;
		}
		char *text;
		size_t len;
		if (mg_read_file(p, (size_t)1 << 30, &text, &len, &e) < 0) {
			free(p);
			rc = mg_error(c, &e, paths[i]);
			continue;
		}
		free(p);
		rc = csv_emit_objects(c, text, len, delim);
		free(text);
	}
	bu_strv_free(paths);
	return rc;
}

static int cfrom_process(mg_ctx *c, mv *input)
{
	bu_coll_state *st = c->state;
	bu_collect(c, input, &st->in);
	return 0;
}

static int cfrom_end(mg_ctx *c)
{
	bu_coll_state *st = c->state;
	char delim;
	if (delimiter(c, &delim) < 0)
		return -1;
	strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < st->in.n; i++) {
		char *s = mv_to_string(st->in.v[i]);
		strbuf_adds(&sb, s);
		strbuf_addc(&sb, '\n');
		free(s);
	}
	int rc = csv_emit_objects(c, sb.buf ? sb.buf : "", sb.len, delim);
	strbuf_free(&sb);
	return rc;
}

static const mg_param import_params[] = {
	{ "Path", MPT_STRINGS, MPF_MANDATORY | MPF_PIPE_VALUE, 0, NULL, NULL, NULL, NULL, MGCOMP_FILE,
	  "The CSV file(s) to read. Windows paths are mapped as described in migsh-language(7)." },
	P_DELIM,
	{ "Header", MPT_STRINGS, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "Column names to use instead of the file's first line (which is then read as data)." },
	{ "Encoding", MPT_ENUM, 0, -1, enc_vals, NULL, NULL, "utf8", MGCOMP_ENUM,
	  "Accepted for compatibility; files are read as UTF-8 (a byte order mark is skipped)." },
	P_END
};

static const mg_example import_examples[] = {
	{ "Import-Csv -Path IMAPmigration_1.csv | Select-Object EmailAddress,UserName",
	  "Checks a migration CSV before creating a batch (the Password column is left out "
	  "on purpose).", 0, NULL },
	{ "Import-Csv C:\\Users\\Administrator\\Desktop\\IMAPmigration_1.csv | Measure-Object",
	  "Counts the users in a CSV file given with a Windows path.", 0, NULL },
	EX_END
};

const mg_cmdlet mg_cmd_import_csv = {
	.name = "Import-Csv",
	.synopsis = "Reads a CSV file into objects, one per line.",
	.description =
		"Import-Csv reads a file of comma-separated values and writes one object per "
		"data line. The first line gives the property names; every value is a string. "
		"Quoted fields may contain the delimiter, doubled quotes and line breaks. A "
		"#TYPE line written by Windows PowerShell 5.1 is skipped.",
	.params = import_params,
	.inputs = "System.String\n\nA path can be piped in.",
	.outputs = "System.Management.Automation.PSCustomObject",
	.examples = import_examples,
	.related = MG_NAMES("Export-Csv", "ConvertFrom-Csv", "New-MigrationBatch",
	                    "migsh-migration"),
	.process = import_process,
};

static const mg_param cfrom_params[] = {
	{ "InputObject", MPT_OBJECT, MPF_MANDATORY | MPF_PIPE_VALUE, 0, NULL, NULL, NULL, NULL,
	  MGCOMP_NONE, "The CSV lines to convert." },
	P_DELIM,
	{ "Header", MPT_STRINGS, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "Column names to use instead of the first line." },
	P_END
};

static const mg_example cfrom_examples[] = {
	{ "'EmailAddress,UserName','a@contoso.edu,a' | ConvertFrom-Csv",
	  "One object with the properties EmailAddress and UserName.", 0, "a@contoso.edu" },
	EX_END
};

const mg_cmdlet mg_cmd_convertfrom_csv = {
	.name = "ConvertFrom-Csv",
	.synopsis = "Converts lines of comma-separated values into objects.",
	.description = "ConvertFrom-Csv works like Import-Csv on strings from the pipeline "
	               "instead of a file.",
	.params = cfrom_params,
	.inputs = "System.String",
	.outputs = "System.Management.Automation.PSCustomObject",
	.examples = cfrom_examples,
	.related = MG_NAMES("Import-Csv", "ConvertTo-Csv"),
	.state_size = sizeof(bu_coll_state),
	.process = cfrom_process,
	.end = cfrom_end,
	.cleanup = bu_coll_cleanup,
};
