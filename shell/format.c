/*
 * format.c - PowerShell-style rendering of objects: Out-Default, the
 * Format-List and Format-Table layouts.  See format.h; the culture-dependent
 * scalar formats are in scalar_fmt.c.
 */
#include "config.h"
#include "shell/format.h"
#include "common/mem.h"
#include "common/str.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define ENUM_LIMIT 4   /* $FormatEnumerationLimit */

int mg_format_width(FILE *f)
{
	if (f && isatty(fileno(f))) {
		struct winsize ws;
		if (ioctl(fileno(f), TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20)
			return ws.ws_col;
	}
	const char *c = getenv("COLUMNS");
	long long n;
	if (c && str_to_ll(c, &n) == 0 && n >= 20 && n <= 10000)
		return (int)n;
	return 120;
}

/* ---- UTF-8 display width helpers (one column per code point) ---- */

static size_t u8_width(const char *s, size_t len)
{
	size_t w = 0;
	for (size_t i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			w++;
	return w;
}

/* Byte length of the longest prefix of s (len bytes) that is at most cols wide. */
static size_t u8_prefix(const char *s, size_t len, size_t cols)
{
	size_t w = 0, i = 0;
	while (i < len) {
		size_t j = i + 1;
		while (j < len && ((unsigned char)s[j] & 0xC0) == 0x80)
			j++;
		if (w + 1 > cols)
			break;
		w++;
		i = j;
	}
	return i;
}

static void add_spaces(strbuf *out, size_t n)
{
	for (size_t i = 0; i < n; i++)
		strbuf_addc(out, ' ');
}

static void trim_trailing_spaces(strbuf *out, size_t from)
{
	while (out->len > from && out->buf[out->len - 1] == ' ')
		out->buf[--out->len] = '\0';
}

/* ---- cells ---- */

/* arrays in a cell nest at most this deep; deeper ones show as "..." */
#define CELL_DEPTH 4

static void cell_buf(const mv *v, strbuf *out, int depth);

static void enum_buf(mv *const *items, size_t n, strbuf *out, int depth)
{
	strbuf_addc(out, '{');
	for (size_t i = 0; i < n && i < ENUM_LIMIT; i++) {
		if (i)
			strbuf_adds(out, ", ");
		cell_buf(items[i], out, depth + 1);
	}
	if (n > ENUM_LIMIT)
		strbuf_adds(out, "...");
	strbuf_addc(out, '}');
}

static void cell_buf(const mv *v, strbuf *out, int depth)
{
	if (!v)
		return;
	switch (v->kind) {
	case MV_ARRAY:
		if (depth >= CELL_DEPTH) {   /* nested (or holding itself): cut */
			strbuf_adds(out, "...");
			return;
		}
		enum_buf(v->u.arr.items, v->u.arr.n, out, depth);
		return;
	case MV_BYTES:
		strbuf_addc(out, '{');
		for (size_t i = 0; i < v->u.bytes.len && i < ENUM_LIMIT; i++)
			strbuf_addf(out, i ? ", %u" : "%u", v->u.bytes.p[i]);
		if (v->u.bytes.len > ENUM_LIMIT)
			strbuf_adds(out, "...");
		strbuf_addc(out, '}');
		return;
	case MV_HASH:
		strbuf_addc(out, '{');
		for (size_t i = 0; i < v->u.obj.n && i < ENUM_LIMIT; i++) {
			if (i)
				strbuf_adds(out, ", ");
			strbuf_addf(out, "[%s, ", v->u.obj.props[i].name);
			if (depth < 3)
				cell_buf(v->u.obj.props[i].val, out, depth + 1);
			strbuf_addc(out, ']');
		}
		if (v->u.obj.n > ENUM_LIMIT)
			strbuf_adds(out, "...");
		strbuf_addc(out, '}');
		return;
	default: {
		char *s = mv_to_string(v);
		strbuf_adds(out, s);
		free(s);
		return;
	}
	}
}

char *mg_format_cell(const mv *v)
{
	strbuf sb = STRBUF_INIT;
	strbuf_grow(&sb, 1);
	sb.buf[0] = '\0';   /* strbuf_detach of an empty buffer needs this */
	cell_buf(v, &sb, 0);
	return strbuf_detach(&sb, NULL);
}

/* ---- property selection ---- */

static bool name_in(const char **names, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(names[i], name) == 0)
			return true;
	return false;
}

const char **mg_format_select(const mv *obj, const char *const *props, size_t nprops,
                              bool all_when_default, size_t *count)
{
	size_t n = 0, cap = 0;
	const char **names = NULL;
	GROW(names, cap, 1);
	bool isobj = obj && (obj->kind == MV_OBJECT || obj->kind == MV_HASH);
	if (isobj && props && nprops) {
		for (size_t p = 0; p < nprops; p++) {
			if (!props[p])
				continue;
			if (str_has_wildcard(props[p])) {
				for (size_t i = 0; i < obj->u.obj.n; i++) {
					const char *nm = obj->u.obj.props[i].name;
					if (str_wildcard(props[p], nm, true) && !name_in(names, n, nm)) {
						GROW(names, cap, n + 2);
						names[n++] = nm;
					}
				}
			} else {
				for (size_t i = 0; i < obj->u.obj.n; i++) {
					const char *nm = obj->u.obj.props[i].name;
					if (strcasecmp(nm, props[p]) == 0 && !name_in(names, n, nm)) {
						GROW(names, cap, n + 2);
						names[n++] = nm;
						break;
					}
				}
			}
		}
	} else if (isobj) {
		const mv_type_info *t = obj->kind == MV_OBJECT ? obj->u.obj.type : NULL;
		if (!all_when_default && t && t->default_props) {
			for (size_t d = 0; t->default_props[d]; d++) {
				for (size_t i = 0; i < obj->u.obj.n; i++) {
					const char *nm = obj->u.obj.props[i].name;
					if (strcasecmp(nm, t->default_props[d]) == 0 && !name_in(names, n, nm)) {
						GROW(names, cap, n + 2);
						names[n++] = nm;
						break;
					}
				}
			}
		} else {
			for (size_t i = 0; i < obj->u.obj.n; i++) {
				GROW(names, cap, n + 2);
				names[n++] = obj->u.obj.props[i].name;
			}
		}
	}
	names[n] = NULL;
	if (count)
		*count = n;
	return names;
}

static bool is_record(const mv *v)
{
	return v && (v->kind == MV_OBJECT || v->kind == MV_HASH);
}

/* A hashtable formats as its entries (Name, Value), like PowerShell's
 * DictionaryEntry view.  Returns a new array of new references. */
static const mv_type_info dict_entry_t = { "System.Collections.DictionaryEntry", NULL, 1, NULL };

static mv **expand_hashes(mv *const *objs, size_t n, size_t *nout)
{
	size_t cap = n + 1, k = 0;
	mv **out = xcalloc(cap, sizeof *out);
	for (size_t i = 0; i < n; i++) {
		const mv *o = objs[i];
		if (o && o->kind == MV_HASH) {
			for (size_t j = 0; j < o->u.obj.n; j++) {
				GROW(out, cap, k + 1);
				mv *e = mv_object(&dict_entry_t);
				mv_set_str(e, "Name", o->u.obj.props[j].name);
				mv_set(e, "Value", o->u.obj.props[j].val);
				out[k++] = e;
			}
			continue;
		}
		GROW(out, cap, k + 1);
		out[k++] = mv_ref((mv *)o);
	}
	*nout = k;
	return out;
}

static void free_expanded(mv **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		mv_unref(v[i]);
	free(v);
}

/* ---- Format-List ---- */

static void list_one(const mv *obj, const char **names, size_t n, strbuf *out)
{
	size_t w = 0;
	for (size_t i = 0; i < n; i++) {
		size_t l = u8_width(names[i], strlen(names[i]));
		if (l > w)
			w = l;
	}
	for (size_t i = 0; i < n; i++) {
		strbuf_adds(out, names[i]);
		add_spaces(out, w - u8_width(names[i], strlen(names[i])));
		size_t start = out->len;
		strbuf_adds(out, " : ");
		char *cell = mg_format_cell(mv_get(obj, names[i]));
		/* continuation lines of a multi-line value line up under it */
		for (const char *p = cell; *p; p++) {
			if (*p == '\r' && p[1] == '\n')
				continue;
			strbuf_addc(out, *p);
			if (*p == '\n' && p[1])
				add_spaces(out, w + 3);
		}
		free(cell);
		trim_trailing_spaces(out, start);
		strbuf_addc(out, '\n');
	}
}

void mg_format_list(mv *const *objs, size_t n, const char *const *props, size_t nprops,
                    strbuf *out)
{
	if (!(props && nprops)) {
		size_t m;
		mv **ex = expand_hashes(objs, n, &m);
		mg_format_list(ex, m, (const char *const[]){ "*" }, 1, out);
		free_expanded(ex, m);
		return;
	}
	bool any = false;
	for (size_t i = 0; i < n; i++) {
		const mv *o = objs[i];
		if (!o)
			continue;
		if (!any) {
			strbuf_addc(out, '\n');
			any = true;
		}
		if (!is_record(o)) {
			char *s = mv_to_string(o);
			strbuf_adds(out, s);
			strbuf_addc(out, '\n');
			free(s);
			continue;
		}
		size_t cnt;
		const char **names = mg_format_select(o, props, nprops, true, &cnt);
		list_one(o, names, cnt, out);
		free(names);
		strbuf_addc(out, '\n');
	}
}

/* ---- Format-Table ---- */

typedef struct col {
	const char *name;
	size_t width;
	bool right;
} col;

static bool is_number(const mv *v)
{
	return v && (v->kind == MV_INT || v->kind == MV_DOUBLE);
}

/* Add cell text s to out padded/truncated to width w; *rest gets the part
 * that did not fit (for -Wrap), or NULL. */
static void put_cell(strbuf *out, const char *s, size_t w, bool right, bool last,
                     bool wrap, const char **rest)
{
	size_t len = strlen(s);
	const char *nl = strpbrk(s, "\r\n");
	size_t linelen = nl ? (size_t)(nl - s) : len;
	*rest = NULL;
	size_t sw = u8_width(s, linelen);
	if (sw <= w) {
		if (right)
			add_spaces(out, w - sw);
		strbuf_add(out, s, linelen);
		if (!right && !last)
			add_spaces(out, w - sw);
		if (nl && wrap) {
			const char *r = nl;
			while (*r == '\r' || *r == '\n')
				r++;
			if (*r)
				*rest = r;
		}
		return;
	}
	if (wrap) {
		size_t cut = u8_prefix(s, linelen, w);
		/* prefer breaking at a space */
		size_t sp = cut;
		while (sp > 0 && s[sp] != ' ')
			sp--;
		if (sp > 0 && s[cut] != '\0')
			cut = sp;
		strbuf_add(out, s, cut);
		if (!last)
			add_spaces(out, w - u8_width(s, cut));
		const char *r = s + cut;
		while (*r == ' ')
			r++;
		*rest = *r ? r : NULL;
		return;
	}
	if (w <= 3) {
		strbuf_add(out, s, u8_prefix(s, linelen, w));
		return;
	}
	size_t cut = u8_prefix(s, linelen, w - 3);
	if (right)
		add_spaces(out, w - 3 - u8_width(s, cut));
	strbuf_add(out, s, cut);
	strbuf_adds(out, "...");
	if (!right && !last)
		add_spaces(out, w - 3 - u8_width(s, cut));
}

static void table_rows(mv *const *objs, size_t n, col *cols, size_t ncol,
                       const mg_table_opts *o, strbuf *out)
{
	size_t ncell = n * ncol;
	char **cells = xcalloc(ncell ? ncell : 1, sizeof *cells);
	for (size_t r = 0; r < n; r++)
		for (size_t c = 0; c < ncol; c++)
			cells[r * ncol + c] = mg_format_cell(mv_get(objs[r], cols[c].name));

	/* natural widths and alignment */
	for (size_t c = 0; c < ncol; c++) {
		size_t w = u8_width(cols[c].name, strlen(cols[c].name));
		bool allnum = true, anyval = false;
		for (size_t r = 0; r < n; r++) {
			const char *s = cells[r * ncol + c];
			const char *nl = strpbrk(s, "\r\n");
			size_t cw = u8_width(s, nl ? (size_t)(nl - s) : strlen(s));
			if (cw > w)
				w = cw;
			mv *v = mv_get(objs[r], cols[c].name);
			if (v && v->kind != MV_NULL) {
				anyval = true;
				if (!is_number(v))
					allnum = false;
			}
		}
		cols[c].width = w;
		cols[c].right = anyval && allnum;
	}
	if (!o->autosize) {
		size_t width = (size_t)(o->width > 0 ? o->width : mg_format_width(NULL));
		size_t total = ncol ? ncol - 1 : 0;
		for (size_t c = 0; c < ncol; c++)
			total += cols[c].width;
		/* shrink the widest column until the table fits (columns keep >= 4) */
		while (total > width) {
			size_t wi = 0;
			for (size_t c = 1; c < ncol; c++)
				if (cols[c].width > cols[wi].width)
					wi = c;
			if (cols[wi].width <= 4)
				break;
			cols[wi].width--;
			total--;
		}
	}

	if (!o->hide_headers) {
		/* header: names, then dashes as long as each name */
		for (int pass = 0; pass < 2; pass++) {
			size_t start = out->len;
			for (size_t c = 0; c < ncol; c++) {
				const char *rest;
				if (c)
					strbuf_addc(out, ' ');
				if (pass == 0) {
					put_cell(out, cols[c].name, cols[c].width, cols[c].right,
					         c + 1 == ncol, false, &rest);
				} else {
					size_t nw = u8_width(cols[c].name, strlen(cols[c].name));
					if (nw > cols[c].width)
						nw = cols[c].width;
					char *d = xmalloc(nw + 1);
					memset(d, '-', nw);
					d[nw] = '\0';
					put_cell(out, d, cols[c].width, cols[c].right, c + 1 == ncol, false,
					         &rest);
					free(d);
				}
			}
			trim_trailing_spaces(out, start);
			strbuf_addc(out, '\n');
		}
	}
	const char **rest = xcalloc(ncol ? ncol : 1, sizeof *rest);
	for (size_t r = 0; r < n; r++) {
		for (size_t c = 0; c < ncol; c++)
			rest[c] = cells[r * ncol + c];
		bool more = true;
		while (more) {
			more = false;
			size_t start = out->len;
			for (size_t c = 0; c < ncol; c++) {
				if (c)
					strbuf_addc(out, ' ');
				const char *s = rest[c] ? rest[c] : "";
				put_cell(out, s, cols[c].width, cols[c].right, c + 1 == ncol, o->wrap,
				         &rest[c]);
				if (rest[c])
					more = true;
			}
			trim_trailing_spaces(out, start);
			strbuf_addc(out, '\n');
		}
	}
	free(rest);
	for (size_t i = 0; i < ncell; i++)
		free(cells[i]);
	free(cells);
}

/* One table for objs that share a header (all records). */
static void table_block(mv *const *objs, size_t n, const char *const *props, size_t nprops,
                        const mg_table_opts *o, strbuf *out)
{
	size_t ncol;
	const char **names = mg_format_select(objs[0], props, nprops, false, &ncol);
	col *cols = xcalloc(ncol ? ncol : 1, sizeof *cols);
	for (size_t c = 0; c < ncol; c++)
		cols[c].name = names[c];
	table_rows(objs, n, cols, ncol, o, out);
	free(cols);
	free(names);
}

/* Do a and b print under one table header? */
static bool same_shape(const mv *a, const mv *b)
{
	if (!is_record(a) || !is_record(b) || a->kind != b->kind)
		return false;
	if (a->kind == MV_OBJECT && a->u.obj.type != b->u.obj.type)
		return false;
	if (a->kind == MV_OBJECT && a->u.obj.type)
		return true;
	if (a->u.obj.n != b->u.obj.n)
		return false;
	for (size_t i = 0; i < a->u.obj.n; i++)
		if (strcasecmp(a->u.obj.props[i].name, b->u.obj.props[i].name))
			return false;
	return true;
}

void mg_format_table(mv *const *objs, size_t n, const char *const *props, size_t nprops,
                     const mg_table_opts *opts, strbuf *out)
{
	mg_table_opts def = { 0 };
	const mg_table_opts *o = opts ? opts : &def;
	if (!(props && nprops)) {
		bool has_hash = false;
		for (size_t k = 0; k < n; k++)
			if (objs[k] && objs[k]->kind == MV_HASH)
				has_hash = true;
		if (has_hash) {
			size_t m;
			mv **ex = expand_hashes(objs, n, &m);
			mg_format_table(ex, m, (const char *const[]){ "Name", "Value" }, 2, o, out);
			free_expanded(ex, m);
			return;
		}
	}
	size_t i = 0;
	bool first = true;
	while (i < n) {
		if (!objs[i]) {
			i++;
			continue;
		}
		if (!is_record(objs[i])) {
			if (first)
				strbuf_addc(out, '\n');
			char *s = mv_to_string(objs[i]);
			strbuf_adds(out, s);
			strbuf_addc(out, '\n');
			free(s);
			first = false;
			i++;
			continue;
		}
		/* Format-Table with explicit properties: one header for all records */
		size_t j = i + 1;
		if (props && nprops)
			while (j < n && is_record(objs[j]))
				j++;
		else
			while (j < n && objs[j] && same_shape(objs[i], objs[j]))
				j++;
		strbuf_addc(out, '\n');
		table_block(objs + i, j - i, props, nprops, o, out);
		first = false;
		i = j;
	}
	if (!first)
		strbuf_addc(out, '\n');
}

/* ---- Out-Default ---- */

/* Does this object's default view come out as a table? */
static bool wants_table(const mv *o)
{
	if (o->kind == MV_HASH)
		return true;
	const mv_type_info *t = o->u.obj.type;
	if (t && t->prefer == 1)
		return true;
	if (t && t->prefer == 2)
		return false;
	size_t cnt;
	const char **names = mg_format_select(o, NULL, 0, false, &cnt);
	free(names);
	return cnt <= 4;
}

/* A hashtable prints as a Name / Value table. */
static void hash_table(const mv *h, const mg_table_opts *o, strbuf *out)
{
	static const mv_type_info nv = { "DictionaryEntry", NULL, 1, NULL };
	size_t n = h->u.obj.n;
	mv **rows = xcalloc(n ? n : 1, sizeof *rows);
	for (size_t i = 0; i < n; i++) {
		rows[i] = mv_object(&nv);
		mv_set_str(rows[i], "Name", h->u.obj.props[i].name);
		mv_set(rows[i], "Value", h->u.obj.props[i].val);
	}
	col cols[2] = { { "Name", 0, false }, { "Value", 0, false } };
	table_rows(rows, n, cols, 2, o, out);
	for (size_t i = 0; i < n; i++)
		mv_unref(rows[i]);
	free(rows);
}

/* Flatten arrays (and bytes) the way the pipeline enumerates them.  An
 * array nested deeper than FLATTEN_DEPTH shows as its type name, and after
 * FLATTEN_ARRAYS arrays (one that holds itself: $a[0] = $a) the rest is left
 * out. */
#define FLATTEN_DEPTH 64
#define FLATTEN_ARRAYS 100000

static void flatten(mv *v, mv ***items, size_t *n, size_t *cap, int depth, size_t *arrays)
{
	if (!v)
		return;
	if (v->kind == MV_ARRAY) {
		if (*arrays == 0)
			return;
		--*arrays;
		if (depth >= FLATTEN_DEPTH) {
			GROW(*items, *cap, *n + 1);
			(*items)[(*n)++] = mv_string("System.Object[]");
			return;
		}
		for (size_t i = 0; i < v->u.arr.n; i++)
			flatten(v->u.arr.items[i], items, n, cap, depth + 1, arrays);
		return;
	}
	if (v->kind == MV_BYTES) {
		for (size_t i = 0; i < v->u.bytes.len; i++) {
			GROW(*items, *cap, *n + 1);
			(*items)[(*n)++] = mv_int(v->u.bytes.p[i]);
		}
		return;
	}
	GROW(*items, *cap, *n + 1);
	(*items)[(*n)++] = mv_ref(v);
}

static void default_buf(mv *const *in, size_t nin, int width, strbuf *out)
{
	mv **objs = NULL;
	size_t n = 0, cap = 0;
	size_t arrays = FLATTEN_ARRAYS;
	for (size_t i = 0; i < nin; i++)
		flatten(in[i], &objs, &n, &cap, 0, &arrays);
	mg_table_opts o = { .width = width };
	size_t i = 0;
	bool prev_block = false;   /* last thing printed was a table/list block */
	while (i < n) {
		mv *v = objs[i];
		if (v->kind == MV_NULL) {
			i++;
			continue;
		}
		/* an error record in the output (2>&1) shows as its message, not
		 * as a list of its properties */
		bool errrec = v->kind == MV_OBJECT && v->u.obj.type && v->u.obj.type->name &&
		              !strcmp(v->u.obj.type->name, "System.Management.Automation.ErrorRecord");
		if (v->kind == MV_OBJECT && v->u.obj.type && v->u.obj.type->prefer == 3) {
			/* objects shown as their text (MatchInfo): a block of lines */
			strbuf_addc(out, '\n');
			for (; i < n && objs[i]->kind == MV_OBJECT && objs[i]->u.obj.type &&
			       objs[i]->u.obj.type->prefer == 3; i++) {
				char *s = mv_to_string(objs[i]);
				strbuf_adds(out, s);
				strbuf_addc(out, '\n');
				free(s);
			}
			strbuf_addc(out, '\n');
			prev_block = true;
			continue;
		}
		if (!is_record(v) || errrec) {
			if (prev_block)
				prev_block = false;
			char *s = mv_to_string(v);
			strbuf_adds(out, s);
			strbuf_addc(out, '\n');
			free(s);
			i++;
			continue;
		}
		if (v->kind == MV_HASH) {
			strbuf_addc(out, '\n');
			hash_table(v, &o, out);
			strbuf_addc(out, '\n');
			prev_block = true;
			i++;
			continue;
		}
		size_t j = i + 1;
		while (j < n && same_shape(v, objs[j]))
			j++;
		if (v->kind == MV_OBJECT && v->u.obj.type && v->u.obj.type->prefer == 4) {
			/* Get-Member's view: a table per TypeName, under its name */
			for (size_t k = i; k < j; ) {
				const char *tn = mv_get_str(objs[k], "TypeName");
				size_t m = k + 1;
				while (m < j && str_ieq(mv_get_str(objs[m], "TypeName") ? mv_get_str(objs[m], "TypeName") : "",
				                        tn ? tn : ""))
					m++;
				strbuf_addf(out, "\n   TypeName: %s\n\n", tn ? tn : "");
				table_block(objs + k, m - k, NULL, 0, &o, out);
				strbuf_addc(out, '\n');
				k = m;
			}
			prev_block = true;
			i = j;
			continue;
		}
		if (wants_table(v)) {
			strbuf_addc(out, '\n');
			table_block(objs + i, j - i, NULL, 0, &o, out);
			strbuf_addc(out, '\n');
		} else {
			strbuf_addc(out, '\n');
			for (size_t k = i; k < j; k++) {
				size_t cnt;
				const char **names = mg_format_select(objs[k], NULL, 0, false, &cnt);
				list_one(objs[k], names, cnt, out);
				free(names);
				strbuf_addc(out, '\n');
			}
		}
		prev_block = true;
		i = j;
	}
	for (size_t k = 0; k < n; k++)
		mv_unref(objs[k]);
	free(objs);
}

void mg_format_default_buf(mv *const *objs, size_t n, strbuf *out)
{
	default_buf(objs, n, 0, out);
}

void mg_format_default(struct mg_session *s, mv *const *objs, size_t n, FILE *out)
{
	(void)s;
	strbuf sb = STRBUF_INIT;
	default_buf(objs, n, mg_format_width(out), &sb);
	if (sb.len)
		fwrite(sb.buf, 1, sb.len, out);
	strbuf_free(&sb);
}
