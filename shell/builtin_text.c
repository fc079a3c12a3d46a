/*
 * builtin_text.c - reading text: ConvertFrom-Json and Select-String (sls).
 *
 * ConvertFrom-Json follows PowerShell 7: objects become PSCustomObjects
 * (hashtables with -AsHashtable), whole numbers Int64 (Int32 when they
 * fit, as printed), other numbers Double, ISO date-time strings without a
 * zone DateTime; a top-level array is written item by item unless
 * -NoEnumerate.  Piped lines are joined before parsing.
 *
 * Select-String writes MatchInfo objects that print as the matching line
 * (for files: path:line number:line, the path relative to the current
 * directory), or True/False with -Quiet.
 */
#include "config.h"
#include "shell/builtin_util.h"
#include "shell/builtins.h"
#include "shell/paths.h"
#include "shell/regex_net.h"
#include "shell/session.h"
#include "common/fileio.h"
#include "common/mem.h"
#include "common/str.h"

#include <ctype.h>
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* ---- ConvertFrom-Json ---- */

typedef struct jp {
	const char *s, *p, *end;
	int depth, max_depth;
	bool as_hash;
	char err[256];
} jp;

static void jws(jp *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static mv *jfail(jp *j, const char *what)
{
	if (!j->err[0])
		snprintf(j->err, sizeof j->err, "%s at position %zu", what, (size_t)(j->p - j->s));
	return NULL;
}

static void utf8_put(strbuf *sb, unsigned u)
{
	if (u < 0x80) {
		strbuf_addc(sb, (char)u);
	} else if (u < 0x800) {
		strbuf_addc(sb, (char)(0xC0 | u >> 6));
		strbuf_addc(sb, (char)(0x80 | (u & 0x3F)));
	} else if (u < 0x10000) {
		strbuf_addc(sb, (char)(0xE0 | u >> 12));
		strbuf_addc(sb, (char)(0x80 | ((u >> 6) & 0x3F)));
		strbuf_addc(sb, (char)(0x80 | (u & 0x3F)));
	} else {
		strbuf_addc(sb, (char)(0xF0 | u >> 18));
		strbuf_addc(sb, (char)(0x80 | ((u >> 12) & 0x3F)));
		strbuf_addc(sb, (char)(0x80 | ((u >> 6) & 0x3F)));
		strbuf_addc(sb, (char)(0x80 | (u & 0x3F)));
	}
}

static int hex4(const char *p, unsigned *out)
{
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		char ch = p[i];
		v <<= 4;
		if (ch >= '0' && ch <= '9') v |= (unsigned)(ch - '0');
		else if (ch >= 'a' && ch <= 'f') v |= (unsigned)(ch - 'a' + 10);
		else if (ch >= 'A' && ch <= 'F') v |= (unsigned)(ch - 'A' + 10);
		else return -1;
	}
	*out = v;
	return 0;
}

static char *jstring(jp *j, size_t *len)
{
	/* at the opening quote */
	j->p++;
	strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, "");
	while (j->p < j->end && *j->p != '"') {
		char ch = *j->p++;
		if (ch != '\\') {
			strbuf_addc(&sb, ch);
			continue;
		}
		if (j->p >= j->end)
			break;
		ch = *j->p++;
		switch (ch) {
		case 'n': strbuf_addc(&sb, '\n'); break;
		case 't': strbuf_addc(&sb, '\t'); break;
		case 'r': strbuf_addc(&sb, '\r'); break;
		case 'b': strbuf_addc(&sb, '\b'); break;
		case 'f': strbuf_addc(&sb, '\f'); break;
		case 'u': {
			unsigned u;
			if (j->end - j->p < 4 || hex4(j->p, &u) < 0) {
				strbuf_free(&sb);
				jfail(j, "Bad \\u escape");
				return NULL;
			}
			j->p += 4;
			if (u >= 0xD800 && u < 0xDC00 && j->end - j->p >= 6 && j->p[0] == '\\' && j->p[1] == 'u') {
				unsigned lo;
				if (hex4(j->p + 2, &lo) == 0 && lo >= 0xDC00 && lo < 0xE000) {
					u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
					j->p += 6;
				}
			}
			utf8_put(&sb, u);
			break;
		}
		default: strbuf_addc(&sb, ch); break;
		}
	}
	if (j->p >= j->end) {
		strbuf_free(&sb);
		jfail(j, "Unterminated string");
		return NULL;
	}
	j->p++;
	return strbuf_detach(&sb, len);
}

/* an ISO date-time without a zone, as PowerShell 7 turns into DateTime */
static bool iso_datetime(const char *s)
{
	const char *f = "dddd-dd-ddTdd:dd:dd";
	size_t i = 0;
	for (; f[i]; i++) {
		if (f[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != f[i])
			return false;
	}
	if (s[i] == '.') {
		i++;
		while (isdigit((unsigned char)s[i]))
			i++;
	}
	return s[i] == '\0';
}

static mv *jvalue(jp *j);

static mv *jcontainer(jp *j, bool obj)
{
	if (++j->depth > j->max_depth)
		return jfail(j, "The JSON is nested too deeply (raise -Depth)");
	j->p++;
	mv *r = obj ? (j->as_hash ? mv_hash() : mv_object(NULL)) : mv_array();
	jws(j);
	if (j->p < j->end && *j->p == (obj ? '}' : ']')) {
		j->p++;
		j->depth--;
		return r;
	}
	for (;;) {
		jws(j);
		char *key = NULL;
		if (obj) {
			if (j->p >= j->end || *j->p != '"') {
				mv_unref(r);
				return jfail(j, "Expected a property name");
			}
			key = jstring(j, NULL);
			if (!key) {
				mv_unref(r);
				return NULL;
			}
			jws(j);
			if (j->p >= j->end || *j->p != ':') {
				free(key);
				mv_unref(r);
				return jfail(j, "Expected ':'");
			}
			j->p++;
		}
		mv *v = jvalue(j);
		if (!v) {
			free(key);
			mv_unref(r);
			return NULL;
		}
		if (obj) {
			mv_set_take(r, key, v);
			free(key);
		} else {
			mv_array_push_take(r, v);
		}
		jws(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			continue;
		}
		if (j->p < j->end && *j->p == (obj ? '}' : ']')) {
			j->p++;
			break;
		}
		mv_unref(r);
		return jfail(j, obj ? "Expected ',' or '}'" : "Expected ',' or ']'");
	}
	j->depth--;
	return r;
}

static mv *jvalue(jp *j)
{
	jws(j);
	if (j->p >= j->end)
		return jfail(j, "Unexpected end of the JSON text");
	char ch = *j->p;
	if (ch == '{' || ch == '[')
		return jcontainer(j, ch == '{');
	if (ch == '"') {
		size_t len;
		char *s = jstring(j, &len);
		if (!s)
			return NULL;
		if (iso_datetime(s)) {
			mv *d = mv_datetime_from_text(s);
			if (d) {
				free(s);
				return d;
			}
		}
		mv *v = mv_string_n(s, len);
		free(s);
		return v;
	}
	static const struct { const char *w; int k; } words[] = { { "true", 1 }, { "false", 0 }, { "null", 2 } };
	for (size_t i = 0; i < 3; i++) {
		size_t n = strlen(words[i].w);
		if ((size_t)(j->end - j->p) >= n && !strncmp(j->p, words[i].w, n)) {
			j->p += n;
			return words[i].k == 2 ? mv_null() : mv_bool(words[i].k == 1);
		}
	}
	if (ch == '-' || isdigit((unsigned char)ch)) {
		const char *b = j->p;
		bool frac = false;
		if (*j->p == '-')
			j->p++;
		while (j->p < j->end && (isdigit((unsigned char)*j->p) || *j->p == '.' || *j->p == 'e' ||
		                         *j->p == 'E' || *j->p == '+' || *j->p == '-')) {
			if (*j->p == '.' || *j->p == 'e' || *j->p == 'E')
				frac = true;
			j->p++;
		}
		char *t = xstrndup(b, (size_t)(j->p - b));
		char *e;
		errno = 0;
		mv *v;
		if (!frac) {
			long long n = strtoll(t, &e, 10);
			v = *e || errno ? mv_double(strtod(t, NULL)) : mv_int(n);
		} else {
			double d = strtod(t, &e);
			v = *e ? NULL : mv_double(d);
		}
		free(t);
		return v ? v : jfail(j, "Bad number");
	}
	return jfail(j, "Unexpected character");
}

static int cfj_end(mg_ctx *c)
{
	bu_coll_state *st = c->state;
	strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, "");
	mv *io = st->in.n ? NULL : mg_arg(c, "InputObject");
	if (io) {
		char *s = mv_to_string(io);
		strbuf_adds(&sb, s);
		free(s);
	}
	for (size_t i = 0; i < st->in.n; i++) {
		char *s = mv_to_string(st->in.v[i]);
		if (i)
			strbuf_addc(&sb, '\n');
		strbuf_adds(&sb, s);
		free(s);
	}
	jp j;
	memset(&j, 0, sizeof j);
	j.s = j.p = sb.buf;
	j.end = sb.buf + sb.len;
	j.max_depth = 1024;
	j.as_hash = mg_switch(c, "AsHashtable");
	if (mg_has(c, "Depth")) {
		long long d = 1024;
		mv_to_ll(mg_arg(c, "Depth"), &d);
		j.max_depth = d > 0 && d < 10000 ? (int)d : 1024;
	}
	jws(&j);
	if (j.p >= j.end) {   /* empty input: nothing */
		strbuf_free(&sb);
		return 0;
	}
	mv *v = jvalue(&j);
	if (v) {
		jws(&j);
		if (j.p < j.end) {
			mv_unref(v);
			v = jfail(&j, "Additional text after the JSON value");
		}
	}
	strbuf_free(&sb);
	if (!v) {
		mg_err_set(&c->err, MGC_INVALIDARG, "System.ArgumentException",
		           "Conversion from JSON failed with error: %s.", j.err);
		return -1;
	}
	int rc = v->kind == MV_ARRAY && !mg_switch(c, "NoEnumerate") ? bu_emit_enum(c, v) : mg_emit(c, v);
	mv_unref(v);
	return rc;
}

static int cfj_process(mg_ctx *c, mv *input)
{
	bu_coll_state *st = c->state;
	if (input)
		mvlist_push(&st->in, input);
	return 0;
}

static const mg_param cfj_params[] = {
	{ "InputObject", MPT_OBJECT, MPF_MANDATORY | MPF_PIPE_VALUE, 0, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "The JSON text (piped lines are joined)." },
	{ "AsHashtable", MPT_SWITCH, 0, -1, NULL, NULL, NULL, "False", MGCOMP_NONE,
	  "Makes hashtables instead of PSCustomObjects." },
	{ "Depth", MPT_INT, 0, -1, NULL, NULL, NULL, "1024", MGCOMP_NONE,
	  "How deeply the JSON may be nested." },
	{ "NoEnumerate", MPT_SWITCH, 0, -1, NULL, NULL, NULL, "False", MGCOMP_NONE,
	  "Writes a top-level array as one object." },
	P_END
};

static const mg_example cfj_examples[] = {
	{ "'{\"Batch\":\"IMAPBatch1\",\"Users\":2}' | ConvertFrom-Json", "An object with the properties Batch and Users.",
	  0, "IMAPBatch1" },
	{ "(Get-MigrationBatch IMAPBatch1 | ConvertTo-Json | ConvertFrom-Json).Status",
	  "A round trip through JSON.", 0, "Synced" },
	EX_END
};

const mg_cmdlet mg_cmd_convertfrom_json = {
	.name = "ConvertFrom-Json",
	.synopsis = "Converts JSON text to objects.",
	.description = "ConvertFrom-Json parses JSON text into PSCustomObjects (or hashtables "
	               "with -AsHashtable), arrays, strings, numbers, booleans and $null. Text that "
	               "is not JSON is an error that says where parsing stopped.",
	.params = cfj_params,
	.inputs = "System.String",
	.outputs = "System.Management.Automation.PSCustomObject, System.Collections.Hashtable",
	.examples = cfj_examples,
	.related = MG_NAMES("ConvertTo-Json", "Get-Content"),
	.state_size = sizeof(bu_coll_state),
	.process = cfj_process,
	.end = cfj_end,
	.cleanup = bu_coll_cleanup,
};

/* ---- Select-String ---- */

static const char *const mi_dp[] = { "Line", NULL };
/* matches in piped text print as the line, in files as path:number:line */
const mv_type_info mg_type_match_info = { "Microsoft.PowerShell.Commands.MatchInfo", mi_dp, 3, "Line" };
const mv_type_info mg_type_match_info_file = { "Microsoft.PowerShell.Commands.MatchInfo", mi_dp, 3, "Display" };

typedef struct ss_state {
	bool ready;
	regex_t *rx;
	size_t nrx;
	char **pats;
	bool quiet_done;   /* -Quiet: already answered True */
	long long piped;   /* piped strings so far: their LineNumber */
} ss_state;

static void ss_cleanup(mg_ctx *c)
{
	ss_state *st = c->state;
	for (size_t i = 0; i < st->nrx; i++)
		regfree(&st->rx[i]);
	free(st->rx);
	bu_strv_free(st->pats);
}

static int ss_prepare(mg_ctx *c, ss_state *st)
{
	if (st->ready)
		return 0;
	st->ready = true;
	size_t n;
	st->pats = bu_strv(mg_arg(c, "Pattern"), &n);
	if (mg_switch(c, "SimpleMatch"))
		return 0;
	st->rx = xcalloc(n + 1, sizeof *st->rx);
	for (size_t i = 0; i < n; i++) {
		if (mg_regcomp_net(&st->rx[i], st->pats[i], !mg_switch(c, "CaseSensitive"), 0, NULL) != 0) {
			mg_err_set(&c->err, MGC_INVALIDARG, "InvalidRegex",
			           "The string %s is not a valid regular expression.", st->pats[i]);
			return -1;
		}
		st->nrx = i + 1;
	}
	return 0;
}

/* Does line match?  *which gets the pattern that matched. */
static bool ss_match(mg_ctx *c, ss_state *st, const char *line, size_t *which)
{
	bool cs = mg_switch(c, "CaseSensitive");
	for (size_t i = 0; st->pats && st->pats[i]; i++) {
		bool m;
		if (mg_switch(c, "SimpleMatch")) {
			size_t pl = strlen(st->pats[i]);
			m = false;
			for (const char *q = line; *q && !m; q++)
				m = cs ? strncmp(q, st->pats[i], pl) == 0 : strncasecmp(q, st->pats[i], pl) == 0;
			if (!pl)
				m = true;
		} else {
			m = regexec(&st->rx[i], line, 0, NULL, 0) == 0;
		}
		if (m) {
			*which = i;
			return true;
		}
	}
	return false;
}

/* Try one line; returns 1 when it was written (or answered -Quiet), 0 not, -1 error. */
static int ss_line(mg_ctx *c, ss_state *st, const char *line, long long lineno, const char *path,
                   const char *shown)
{
	size_t which = 0;
	bool m = ss_match(c, st, line, &which);
	if (mg_switch(c, "NotMatch"))
		m = !m;
	if (!m)
		return 0;
	if (mg_switch(c, "Quiet")) {
		if (st->quiet_done)
			return 1;
		st->quiet_done = true;
		return mg_emit_take(c, mv_bool(true)) < 0 ? -1 : 1;
	}
	mv *o = mv_object(path ? &mg_type_match_info_file : &mg_type_match_info);
	mv_set_bool(o, "IgnoreCase", !mg_switch(c, "CaseSensitive"));
	mv_set_int(o, "LineNumber", lineno);
	mv_set_str(o, "Line", line);
	mv_set_str(o, "Filename", path ? strrchr(path, '/') ? strrchr(path, '/') + 1 : path : "InputStream");
	mv_set_str(o, "Path", path ? path : "InputStream");
	mv_set_str(o, "Pattern", st->pats[which]);
	if (path)
		mv_set_take(o, "Display", mv_stringf("%s:%lld:%s", shown, lineno, line));
	return mg_emit_take(c, o) < 0 ? -1 : 1;
}

static int ss_file(mg_ctx *c, ss_state *st, const char *given, const char *local)
{
	char *data;
	size_t len;
	mg_err e;
	mg_err_clear(&e);
	if (mg_read_file(local, (size_t)1 << 30, &data, &len, &e) < 0)
		return mg_error(c, &e, given);
	char cwd[PATH_MAX];
	char *full = local[0] == '/' ? xstrdup(local)
	             : xasprintf("%s/%s", getcwd(cwd, sizeof cwd) ? cwd : ".", local);
	const char *shown = local[0] == '/' ? full : local;
	if (local[0] == '.' && local[1] == '/')
		shown = local + 2;
	int rc = 0;
	long long lineno = 0;
	size_t i = 0;
	while (i < len && rc >= 0) {
		size_t k = i;
		while (k < len && data[k] != '\n')
			k++;
		size_t L = k - i;
		if (L && data[i + L - 1] == '\r')
			L--;
		char *line = xstrndup(data + i, L);
		lineno++;
		rc = ss_line(c, st, line, lineno, full, shown);
		free(line);
		if (rc == 1 && mg_switch(c, "List"))
			break;
		i = k + 1;
		if (rc > 0)
			rc = 0;
	}
	free(full);
	free(data);
	return rc < 0 ? -1 : 0;
}

static int ss_process(mg_ctx *c, mv *input)
{
	ss_state *st = c->state;
	if (ss_prepare(c, st) < 0)
		return -1;
	if (mg_switch(c, "Quiet") && st->quiet_done)
		return 0;
	mv *pathv = mg_arg(c, "Path");
	if (!pathv)
		pathv = mg_arg(c, "LiteralPath");
	if (pathv) {
		size_t n;
		char **paths = bu_strv(pathv, &n);
		int rc = 0;
		for (size_t i = 0; i < n && rc == 0; i++) {
			if (str_has_wildcard(paths[i]) && !mg_arg(c, "LiteralPath")) {
				glob_t g;
				memset(&g, 0, sizeof g);
				if (glob(paths[i], 0, NULL, &g) == 0)
					for (size_t k = 0; k < g.gl_pathc && rc == 0; k++)
						if (mg_path_confined(c->session, g.gl_pathv[k]))
							rc = ss_file(c, st, paths[i], g.gl_pathv[k]);
				globfree(&g);
				continue;
			}
			mg_err e;
			mg_err_clear(&e);
			char *local = mg_map_path(c->session, paths[i], &e);
			if (!local) {
				rc = mg_error(c, &e, paths[i]);
				continue;
			}
			rc = ss_file(c, st, paths[i], local);
			free(local);
		}
		bu_strv_free(paths);
		return rc;
	}
	mv *o = bu_input(c, input, "InputObject");
	if (!o)
		return 0;
	/* objects from Get-ChildItem: search the file */
	if (o->kind == MV_OBJECT && mv_get(o, "FullName") && mv_get(o, "PSIsContainer")) {
		if (mv_truthy(mv_get(o, "PSIsContainer")))
			return 0;
		const char *f = mv_get_str(o, "FullName");
		return f ? ss_file(c, st, f, f) : 0;
	}
	char *s = mv_to_string(o);
	int rc = ss_line(c, st, s, ++st->piped, NULL, NULL);
	free(s);
	return rc < 0 ? -1 : 0;
}

static int ss_end(mg_ctx *c)
{
	ss_state *st = c->state;
	if (mg_switch(c, "Quiet") && !st->quiet_done)
		return mg_emit_take(c, mv_bool(false));
	return 0;
}

static const mg_param ss_params[] = {
	{ "Pattern", MPT_STRINGS, MPF_MANDATORY, 0, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "Regular expressions (.NET syntax; text with -SimpleMatch); a line matches when any does." },
	{ "Path", MPT_STRINGS, 0, 1, NULL, NULL, NULL, NULL, MGCOMP_FILE,
	  "Files to search (wildcards allowed); without it the piped text is searched." },
	{ "LiteralPath", MPT_STRINGS, 0, -1, NULL, NULL, MG_NAMES("PSPath", "LP"), NULL, MGCOMP_FILE,
	  "Files to search, names taken as they are." },
	P_INPUT("The text to search (each string is one line)."),
	{ "SimpleMatch", MPT_SWITCH, 0, -1, NULL, NULL, NULL, "False", MGCOMP_NONE,
	  "The patterns are plain text, not regular expressions." },
	{ "CaseSensitive", MPT_SWITCH, 0, -1, NULL, NULL, NULL, "False", MGCOMP_NONE,
	  "Matches case-sensitively (the default ignores case)." },
	{ "NotMatch", MPT_SWITCH, 0, -1, NULL, NULL, NULL, "False", MGCOMP_NONE,
	  "Writes the lines that do not match." },
	{ "Quiet", MPT_SWITCH, 0, -1, NULL, NULL, NULL, "False", MGCOMP_NONE,
	  "Writes only True (something matched) or False." },
	{ "List", MPT_SWITCH, 0, -1, NULL, NULL, NULL, "False", MGCOMP_NONE,
	  "Only the first match of each file." },
	{ "Encoding", MPT_STRING, MPF_IGNORED, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "Accepted for compatibility; files are read as UTF-8." },
	P_END
};

static const mg_example ss_examples[] = {
	{ "Select-String -Path IMAPmigration_1.csv -Pattern 'contoso'", "The CSV lines with contoso, as file:line:text.",
	  0, "IMAPmigration_1.csv:2:" },
	{ "Get-MigrationUser | Out-String -Stream | Select-String Synced", "The lines of the user table that say Synced.",
	  0, "Synced" },
	EX_END
};

const mg_cmdlet mg_cmd_select_string = {
	.name = "Select-String",
	.aliases = MG_NAMES("sls"),
	.synopsis = "Finds text in strings and files.",
	.description = "Select-String looks for the patterns in each piped string or in each "
	               "line of the files given with -Path, and writes a MatchInfo object per "
	               "matching line (properties Line, LineNumber, Path, Filename, Pattern). "
	               "It prints as the line, or for files as path:line number:line.",
	.params = ss_params,
	.inputs = "System.Management.Automation.PSObject",
	.outputs = "Microsoft.PowerShell.Commands.MatchInfo, System.Boolean",
	.examples = ss_examples,
	.related = MG_NAMES("Where-Object", "Get-Content"),
	.state_size = sizeof(ss_state),
	.process = ss_process,
	.end = ss_end,
	.cleanup = ss_cleanup,
};
