/*
 * builtin_file.c - Out-File, Get-Content, Set-Content and Add-Content.  Get-Content also
 * reads raw bytes (-Encoding Byte of Windows PowerShell 5.1, -AsByteStream
 * of PowerShell 6+), which is how Microsoft's examples feed -CSVData.
 */
#include "config.h"
#include "shell/builtin_util.h"
#include "shell/builtins.h"
#include "shell/format.h"
#include "shell/paths.h"
#include "shell/session.h"
#include "common/fileio.h"
#include "common/mem.h"
#include "common/str.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_READ ((size_t)1 << 31)   /* refuse files over 2 GB */

static const char *const enc_vals[] = {
	"utf8", "utf8NoBOM", "utf8BOM", "ascii", "unicode", "bigendianunicode", "utf32",
	"oem", "default", "byte", NULL
};

static bool enc_is(mg_ctx *c, const char *name)
{
	const char *e = mg_arg_str(c, "Encoding");
	return e && strcasecmp(e, name) == 0;
}

/* UTF-16 (LE or BE) to UTF-8. */
static char *utf16_to_utf8(const unsigned char *p, size_t len, bool be, size_t *outlen)
{
	strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i + 1 < len; i += 2) {
		unsigned u = be ? (unsigned)(p[i] << 8 | p[i + 1]) : (unsigned)(p[i + 1] << 8 | p[i]);
		if (u >= 0xD800 && u < 0xDC00 && i + 3 < len) {
			unsigned lo = be ? (unsigned)(p[i + 2] << 8 | p[i + 3]) : (unsigned)(p[i + 3] << 8 | p[i + 2]);
			if (lo >= 0xDC00 && lo < 0xE000) {
				u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
				i += 2;
			}
		}
		if (u < 0x80) {
			strbuf_addc(&sb, (char)u);
		} else if (u < 0x800) {
			strbuf_addc(&sb, (char)(0xC0 | u >> 6));
			strbuf_addc(&sb, (char)(0x80 | (u & 0x3F)));
		} else if (u < 0x10000) {
			strbuf_addc(&sb, (char)(0xE0 | u >> 12));
			strbuf_addc(&sb, (char)(0x80 | ((u >> 6) & 0x3F)));
			strbuf_addc(&sb, (char)(0x80 | (u & 0x3F)));
		} else {
			strbuf_addc(&sb, (char)(0xF0 | u >> 18));
			strbuf_addc(&sb, (char)(0x80 | ((u >> 12) & 0x3F)));
			strbuf_addc(&sb, (char)(0x80 | ((u >> 6) & 0x3F)));
			strbuf_addc(&sb, (char)(0x80 | (u & 0x3F)));
		}
	}
	if (!sb.buf)
		strbuf_adds(&sb, "");
	return strbuf_detach(&sb, outlen);
}

/* ---- Get-Content ---- */

static int gc_one(mg_ctx *c, const char *given)
{
	mg_err e;
	mg_err_clear(&e);
	char *path = mg_map_path(c->session, given, &e);
	if (!path)
		return mg_error(c, &e, given);
	char *data;
	size_t len;
	if (mg_read_file(path, MAX_READ, &data, &len, &e) < 0) {
		free(path);
		return mg_error(c, &e, given);
	}
	free(path);
	long long total = -1;
	if (mg_has(c, "TotalCount"))
		mv_to_ll(mg_arg(c, "TotalCount"), &total);
	if (mg_switch(c, "AsByteStream") || enc_is(c, "Byte")) {
		/* Byte[]: always one value (as with -Raw or -ReadCount 0), so that
		 * -CSVData (Get-Content x -Encoding Byte) gets the file's bytes */
		size_t n = total >= 0 && (size_t)total < len ? (size_t)total : len;
		return mg_emit_take(c, mv_bytes_take((unsigned char *)data, n));
	}
	size_t off = 0;
	const unsigned char *u = (const unsigned char *)data;
	if (len >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF))) {
		size_t nl;
		char *t = utf16_to_utf8(u + 2, len - 2, u[0] == 0xFE, &nl);
		free(data);
		data = t;
		len = nl;
	} else if (enc_is(c, "Unicode") || enc_is(c, "BigEndianUnicode")) {
		size_t nl;
		char *t = utf16_to_utf8(u, len, enc_is(c, "BigEndianUnicode"), &nl);
		free(data);
		data = t;
		len = nl;
	} else if (len >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) {
		off = 3;
	}
	int rc = 0;
	if (mg_switch(c, "Raw")) {
		rc = mg_emit_take(c, mv_string_n(data + off, len - off));
		free(data);
		return rc;
	}
	long long readcount = 1;
	if (mg_has(c, "ReadCount"))
		mv_to_ll(mg_arg(c, "ReadCount"), &readcount);
	mv *batch = readcount != 1 ? mv_array() : NULL;
	long long nlines = 0;
	size_t i = off;
	while (i < len && rc == 0 && (total < 0 || nlines < total)) {
		size_t j = i;
		while (j < len && data[j] != '\n' && data[j] != '\r')
			j++;
		mv *line = mv_string_n(data + i, j - i);
		nlines++;
		if (batch) {
			mv_array_push_take(batch, line);
			if (readcount > 0 && (long long)mv_count(batch) >= readcount) {
				rc = mg_emit_take(c, batch);
				batch = mv_array();
			}
		} else {
			rc = mg_emit_take(c, line);
		}
		if (j < len && data[j] == '\r')
			j++;
		if (j < len && data[j] == '\n')
			j++;
		i = j;
	}
	if (batch) {
		if (rc == 0 && mv_count(batch))
			rc = mg_emit_take(c, batch);
		else
			mv_unref(batch);
	}
	free(data);
	return rc;
}

static int gc_process(mg_ctx *c, mv *input)
{
	mv *pv = mg_arg(c, "Path");
	if (!pv && input)
		pv = mv_get(input, "Path") ? mv_get(input, "Path") : input;
	size_t n;
	char **paths = bu_strv(pv, &n);
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = gc_one(c, paths[i]);
	bu_strv_free(paths);
	return rc;
}

static const mg_param gc_params[] = {
	{ "Path", MPT_STRINGS, MPF_MANDATORY | MPF_PIPE_PROPNAME, 0, NULL, NULL, MG_NAMES("LiteralPath", "PSPath"),
	  NULL, MGCOMP_FILE,
	  "The file to read. A Windows path such as C:\\Users\\Administrator\\Desktop\\batch.csv "
	  "is looked up as $MIGSH_HOME/drives/c/Users/Administrator/Desktop/batch.csv, then as "
	  "batch.csv in the current directory (see migsh-language(7))." },
	{ "Raw", MPT_SWITCH, 0, -1, NULL, NULL, NULL, "False", MGCOMP_NONE,
	  "Returns the whole file as one string (or, with -AsByteStream / -Encoding Byte, one "
	  "byte array) instead of one string per line." },
	{ "Encoding", MPT_ENUM, 0, -1, enc_vals, NULL, NULL, "utf8", MGCOMP_ENUM,
	  "Byte returns the file's bytes (Windows PowerShell 5.1 syntax); Unicode and "
	  "BigEndianUnicode read UTF-16; everything else reads UTF-8. A byte order mark "
	  "selects UTF-8 or UTF-16 by itself." },
	{ "AsByteStream", MPT_SWITCH, 0, -1, NULL, NULL, NULL, "False", MGCOMP_NONE,
	  "Returns the file's bytes (PowerShell 6+ syntax), e.g. for -CSVData." },
	{ "ReadCount", MPT_INT, 0, -1, NULL, NULL, NULL, "1", MGCOMP_NONE,
	  "How many lines go down the pipeline at a time; 0 sends all lines as one array. "
	  "Bytes are always returned as one array." },
	{ "TotalCount", MPT_INT, 0, -1, NULL, NULL, MG_NAMES("First", "Head"), "-1", MGCOMP_NONE,
	  "Reads only the first N lines (or bytes)." },
	P_END
};

static const mg_example gc_examples[] = {
	{ "New-MigrationBatch -Name IMAPBatch2 -SourceEndpoint IMAPEndpoint -CSVData (Get-Content -Path C:\\Users\\Administrator\\Desktop\\IMAPmigration_1.csv -Encoding Byte -ReadCount 0)",
	  "Windows PowerShell 5.1 style: the CSV file's bytes for -CSVData.", 0, NULL },
	{ "New-MigrationBatch -Name IMAPBatch3 -SourceEndpoint IMAPEndpoint -CSVData (Get-Content -Path IMAPmigration_2.csv -AsByteStream -Raw)",
	  "PowerShell 7 style.", 0, NULL },
	{ "Get-Content IMAPmigration_1.csv -TotalCount 1", "The first line of a file (here the CSV header).", 0, "EmailAddress" },
	EX_END
};

const mg_cmdlet mg_cmd_get_content = {
	.name = "Get-Content",
	.aliases = MG_NAMES("gc", "type"),   /* cat is a Windows-only alias: on Linux it runs cat(1) */
	.synopsis = "Reads a file as lines of text or as bytes.",
	.description =
		"Get-Content reads a file and writes one string per line (line ends are removed), "
		"the whole text with -Raw, or the file's bytes with -AsByteStream or "
		"-Encoding Byte. The byte form is what Microsoft's examples use to pass a CSV "
		"file to New-MigrationBatch -CSVData.\n\n"
		"Windows paths are mapped to local files (see migsh-language(7)); a path that "
		"does not exist is an error naming every place that was looked at.",
	.params = gc_params,
	.inputs = "System.String\n\nObjects with a Path property can be piped in.",
	.outputs = "System.String, System.Byte[]",
	.examples = gc_examples,
	.related = MG_NAMES("Set-Content", "Out-File", "Import-Csv", "New-MigrationBatch"),
	.process = gc_process,
};

/* ---- Set-Content ---- */

/* nested arrays are written item by item down to this depth, deeper ones
 * (or one holding itself) as their string form */
#define APPEND_DEPTH 32

#define APPEND_ARRAYS 100000   /* arrays written at most (one may hold itself) */

static void append_value(strbuf *sb, const mv *v, bool nonewline, int depth, size_t *arrays)
{
	if (!v)
		return;
	if (v->kind == MV_BYTES) {
		strbuf_add(sb, v->u.bytes.p, v->u.bytes.len);
		return;
	}
	if (v->kind == MV_ARRAY && depth < APPEND_DEPTH) {
		if (*arrays == 0)
			return;
		--*arrays;
		for (size_t i = 0; i < v->u.arr.n; i++)
			append_value(sb, v->u.arr.items[i], nonewline, depth + 1, arrays);
		return;
	}
	if (v->kind == MV_ARRAY) {
		strbuf_adds(sb, nonewline ? "System.Object[]" : "System.Object[]\n");
		return;
	}
	char *s = mv_to_string(v);
	strbuf_adds(sb, s);
	free(s);
	if (!nonewline)
		strbuf_addc(sb, '\n');
}

static int sc_end(mg_ctx *c)
{
	bu_coll_state *st = c->state;
	const char *path = mg_arg_str(c, "Path");
	if (!path) {
		mg_err_set(&c->err, MGC_INVALIDARG, "MissingPath", "Set-Content needs -Path.");
		return -1;
	}
	strbuf sb = STRBUF_INIT;
	bool nonl = mg_switch(c, "NoNewline");
	mv *val = mg_arg(c, "Value");
	size_t arrays = APPEND_ARRAYS;
	if (st->in.n == 0 && val)
		append_value(&sb, val, nonl, 0, &arrays);
	for (size_t i = 0; i < st->in.n; i++)
		append_value(&sb, st->in.v[i], nonl, 0, &arrays);
	int rc = bu_write_text_file(c, path, sb.buf ? sb.buf : "", sb.len, false, false);
	strbuf_free(&sb);
	return rc;
}

static int sc_process(mg_ctx *c, mv *input)
{
	bu_coll_state *st = c->state;
	if (input)
		mvlist_push(&st->in, input);
	return 0;
}

static const mg_param sc_params[] = {
	{ "Path", MPT_STRING, MPF_MANDATORY, 0, NULL, NULL, NULL, NULL, MGCOMP_FILE,
	  "The file to write (replaced if it exists)." },
	{ "Value", MPT_OBJECT, MPF_MANDATORY | MPF_PIPE_VALUE, 1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "The content: strings are written one per line, byte arrays as they are." },
	{ "NoNewline", MPT_SWITCH, 0, -1, NULL, NULL, NULL, "False", MGCOMP_NONE,
	  "Writes the values without line ends." },
	{ "Encoding", MPT_ENUM, 0, -1, enc_vals, NULL, NULL, "utf8NoBOM", MGCOMP_ENUM,
	  "Byte writes byte arrays as they are; text is always written as UTF-8 without a "
	  "byte order mark." },
	{ "AsByteStream", MPT_SWITCH, 0, -1, NULL, NULL, NULL, "False", MGCOMP_NONE,
	  "Accepted; byte arrays are always written as they are." },
	P_END
};

static const mg_example sc_examples[] = {
	{ "Set-Content -Path batch.csv -Value 'EmailAddress,UserName,Password'",
	  "Starts a migration CSV file with its header line.", 0, NULL },
	{ "Get-Content a.csv -AsByteStream -Raw | Set-Content b.csv -AsByteStream",
	  "Copies a file byte for byte.", 0, NULL },
	EX_END
};

const mg_cmdlet mg_cmd_set_content = {
	.name = "Set-Content",
	.synopsis = "Writes text or bytes to a file, replacing its contents.",
	.description = "Set-Content writes -Value (or the piped objects) to a file: each "
	               "value's text on its own line, byte arrays unchanged. Text is UTF-8.",
	.params = sc_params,
	.inputs = "System.Object",
	.outputs = "None",
	.examples = sc_examples,
	.related = MG_NAMES("Get-Content", "Out-File"),
	.state_size = sizeof(bu_coll_state),
	.process = sc_process,
	.end = sc_end,
	.cleanup = bu_coll_cleanup,
};

/* ---- Add-Content ---- */

static int ac_end(mg_ctx *c)
{
	bu_coll_state *st = c->state;
	char **paths = bu_strv(mg_arg(c, "Path"), NULL);
	strbuf sb = STRBUF_INIT;
	bool nonl = mg_switch(c, "NoNewline");
	mv *val = mg_arg(c, "Value");
	size_t arrays = APPEND_ARRAYS;
	if (st->in.n == 0 && val)
		append_value(&sb, val, nonl, 0, &arrays);
	for (size_t i = 0; i < st->in.n; i++)
		append_value(&sb, st->in.v[i], nonl, 0, &arrays);
	int rc = 0;
	for (size_t i = 0; paths && paths[i] && rc == 0; i++) {
		if (c->session && c->session->file_root) {
			mg_err_set(&c->err, MGC_PERMISSION, "PathNotAllowed",
			           "Cannot change '%s': this session may not change files.", paths[i]);
			rc = -1;
			break;
		}
		rc = bu_write_text_file(c, paths[i], sb.buf ? sb.buf : "", sb.len, true, false);
	}
	strbuf_free(&sb);
	bu_strv_free(paths);
	return rc;
}

static const mg_param ac_params[] = {
	{ "Path", MPT_STRINGS, MPF_MANDATORY | MPF_PIPE_PROPNAME, 0, NULL, NULL, MG_NAMES("PSPath", "LiteralPath"), NULL,
	  MGCOMP_FILE, "The files to add to (created when missing)." },
	{ "Value", MPT_OBJECT, MPF_MANDATORY | MPF_PIPE_VALUE, 1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "The content: each value's text on a line of its own." },
	{ "NoNewline", MPT_SWITCH, 0, -1, NULL, NULL, NULL, "False", MGCOMP_NONE,
	  "Adds the values without line ends." },
	{ "Encoding", MPT_ENUM, 0, -1, enc_vals, NULL, NULL, "utf8NoBOM", MGCOMP_ENUM,
	  "Accepted; text is written as UTF-8." },
	{ "Force", MPT_SWITCH, MPF_IGNORED, -1, NULL, NULL, NULL, "False", MGCOMP_NONE, "Accepted." },
	P_END
};

static const mg_example ac_examples[] = {
	{ "Add-Content -Path migration.log -Value \"$(Get-Date -Format s) batch IMAPBatch1 started\"",
	  "Adds a line to a log file.", 0, NULL },
	EX_END
};

const mg_cmdlet mg_cmd_add_content = {
	.name = "Add-Content",
	.aliases = NULL,   /* ac is a Windows-only alias */
	.synopsis = "Adds text to the end of a file.",
	.description = "Add-Content appends -Value (or the piped objects) to the file, each "
	               "value's text on its own line; the file is created when it does not exist.",
	.params = ac_params,
	.inputs = "System.Object",
	.outputs = "None",
	.examples = ac_examples,
	.related = MG_NAMES("Set-Content", "Get-Content", "Out-File"),
	.state_size = sizeof(bu_coll_state),
	.process = sc_process,
	.end = ac_end,
	.cleanup = bu_coll_cleanup,
};

/* ---- Out-File ---- */

static int of_end(mg_ctx *c)
{
	bu_coll_state *st = c->state;
	const char *path = mg_arg_str(c, "FilePath");
	if (!path) {
		mg_err_set(&c->err, MGC_INVALIDARG, "MissingPath", "Out-File needs -FilePath.");
		return -1;
	}
	strbuf sb = STRBUF_INIT;
	/* strings go as they are; objects as the console would show them */
	size_t i = 0;
	while (i < st->in.n) {
		size_t j = i;
		while (j < st->in.n && st->in.v[j]->kind != MV_STRING)
			j++;
		if (j > i) {
			mg_format_default_buf(st->in.v + i, j - i, &sb);
			i = j;
			continue;
		}
		strbuf_add(&sb, st->in.v[i]->u.str.s, st->in.v[i]->u.str.len);
		if (!mg_switch(c, "NoNewline"))
			strbuf_addc(&sb, '\n');
		i++;
	}
	int rc = bu_write_text_file(c, path, sb.buf ? sb.buf : "", sb.len, mg_switch(c, "Append"),
	                            mg_switch(c, "NoClobber"));
	strbuf_free(&sb);
	return rc;
}

static const mg_param of_params[] = {
	{ "FilePath", MPT_STRING, MPF_MANDATORY, 0, NULL, NULL, MG_NAMES("Path"), NULL, MGCOMP_FILE,
	  "The file to write." },
	{ "Append", MPT_SWITCH, 0, -1, NULL, NULL, NULL, "False", MGCOMP_NONE,
	  "Adds to the end of the file instead of replacing it." },
	{ "NoClobber", MPT_SWITCH, 0, -1, NULL, NULL, MG_NAMES("NoOverwrite"), "False", MGCOMP_NONE,
	  "Refuses to replace an existing file." },
	{ "NoNewline", MPT_SWITCH, 0, -1, NULL, NULL, NULL, "False", MGCOMP_NONE,
	  "Does not end strings with a line break." },
	{ "Encoding", MPT_ENUM, 0, -1, enc_vals, NULL, NULL, "utf8NoBOM", MGCOMP_ENUM,
	  "Accepted for compatibility; files are written as UTF-8 without a byte order mark." },
	{ "Width", MPT_INT, MPF_IGNORED, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "Accepted for compatibility; tables use $COLUMNS or 120 columns." },
	{ "Force", MPT_SWITCH, MPF_IGNORED, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "Accepted for compatibility; has no effect." },
	P_INPUT("The objects to write. Usually piped in."),
	P_END
};

static const mg_example of_examples[] = {
	{ "Get-MigrationUserStatistics -Identity terrya@contoso.edu -IncludeReport | Format-List Status,Error,Report | Out-File -FilePath terrya-report.txt",
	  "Saves a user's migration report to a text file.", 0, NULL },
	{ "Get-MigrationBatch | Out-File batches.txt -Append",
	  "Adds the current batch table to a log file.", 0, NULL },
	EX_END
};

const mg_cmdlet mg_cmd_out_file = {
	.name = "Out-File",
	.synopsis = "Writes the console text of objects to a file.",
	.description =
		"Out-File writes to a file exactly what the console would show for its input: "
		"strings as they are, other objects as tables or lists. The file is UTF-8 "
		"without a byte order mark.",
	.params = of_params,
	.inputs = "System.Management.Automation.PSObject",
	.outputs = "None",
	.examples = of_examples,
	.related = MG_NAMES("Set-Content", "Export-Csv", "Out-String"),
	.state_size = sizeof(bu_coll_state),
	.process = bu_coll_process,
	.end = of_end,
	.cleanup = bu_coll_cleanup,
};
