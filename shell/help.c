/*
 * help.c - one renderer for Get-Help and the man pages.
 *
 * A cmdlet declaration (or a help topic) is first turned into a small
 * document: sections, paragraphs, verbatim blocks, bullets, parameter tags
 * and attribute lines.  Two back ends write that document: plain text laid
 * out like PowerShell's Get-Help, and roff (man(7) macros) for the pages
 * installed under man1/ and man7/.  Nothing about a cmdlet is written twice.
 */
#include "config.h"
#include "shell/help.h"
#include "common/mem.h"
#include "common/str.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- the document model ---- */

typedef enum dkind {
	D_SECTION,   /* a: heading */
	D_SUB,       /* a: sub-heading (Example 1) */
	D_PARA,      /* a: text to fill */
	D_PRE,       /* a: verbatim lines */
	D_BULLET,    /* a: text of a bullet item */
	D_TAG,       /* a: a parameter line (-Name <String>) */
	D_KV,        /* a: key, b: value */
	D_SYNTAX     /* a: command name, b: the rest of the syntax line */
} dkind;

typedef struct dblock {
	dkind kind;
	int   indent;   /* 0 = body of a section, 1 = body of a parameter */
	char *a, *b;
} dblock;

typedef struct doc {
	dblock *v;
	size_t  n, cap;
} doc;

static void d_add(doc *d, dkind k, int indent, const char *a, const char *b)
{
	GROW(d->v, d->cap, d->n + 1);
	d->v[d->n].kind = k;
	d->v[d->n].indent = indent;
	d->v[d->n].a = xstrdup(a ? a : "");
	d->v[d->n].b = xstrdup(b);
	d->n++;
}

static void d_free(doc *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].a);
		free(d->v[i].b);
	}
	free(d->v);
	d->v = NULL;
	d->n = d->cap = 0;
}

/* Parse help markup (see help.h) into blocks. */
static void d_markup(doc *d, const char *text, int indent)
{
	if (!text || !*text)
		return;
	strbuf para = STRBUF_INIT, pre = STRBUF_INIT;
	bool bullet = false;
	const char *p = text;
	for (;;) {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		bool blank = true;
		for (size_t i = 0; i < len; i++)
			if (!isspace((unsigned char)p[i]))
				blank = false;
		bool is_pre = !blank && len >= 2 && p[0] == ' ' && p[1] == ' ';
		bool is_bullet = !blank && !is_pre && len >= 2 && p[0] == '-' && p[1] == ' ';
		/* flush what a new kind of line ends */
		if ((blank || is_pre || is_bullet) && para.len) {
			d_add(d, bullet ? D_BULLET : D_PARA, indent, para.buf, NULL);
			strbuf_reset(&para);
			bullet = false;
		}
		if (!is_pre && pre.len) {
			d_add(d, D_PRE, indent, pre.buf, NULL);
			strbuf_reset(&pre);
		}
		if (is_pre) {
			if (pre.len)
				strbuf_addc(&pre, '\n');
			strbuf_add(&pre, p + 2, len - 2);
		} else if (!blank) {
			const char *s = p;
			size_t l = len;
			if (is_bullet) {
				bullet = true;
				s += 2;
				l -= 2;
			}
			while (l && isspace((unsigned char)*s)) {
				s++;
				l--;
			}
			while (l && isspace((unsigned char)s[l - 1]))
				l--;
			if (para.len)
				strbuf_addc(&para, ' ');
			strbuf_add(&para, s, l);
		} else {
			bullet = false;
		}
		if (!e)
			break;
		p = e + 1;
	}
	if (para.len)
		d_add(d, bullet ? D_BULLET : D_PARA, indent, para.buf, NULL);
	if (pre.len)
		d_add(d, D_PRE, indent, pre.buf, NULL);
	strbuf_free(&para);
	strbuf_free(&pre);
}

/* ---- text back end ---- */

static void spaces(strbuf *o, int n)
{
	for (int i = 0; i < n; i++)
		strbuf_addc(o, ' ');
}

static size_t u8len(const char *s, size_t n)
{
	size_t w = 0;
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			w++;
	return w;
}

/* Fill text into lines of at most width columns; first line starts with
 * `first` spaces, later ones with `rest` spaces. */
static void wrap(strbuf *o, const char *text, int first, int rest, int width)
{
	int col = first;
	spaces(o, first);
	bool line_empty = true;
	const char *p = text;
	while (*p) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		const char *e = p;
		while (*e && *e != ' ')
			e++;
		int wl = (int)u8len(p, (size_t)(e - p));
		if (!line_empty && col + 1 + wl > width) {
			strbuf_addc(o, '\n');
			spaces(o, rest);
			col = rest;
			line_empty = true;
		}
		if (!line_empty) {
			strbuf_addc(o, ' ');
			col++;
		}
		strbuf_add(o, p, (size_t)(e - p));
		col += wl;
		line_empty = false;
		p = e;
	}
	strbuf_addc(o, '\n');
}

static void render_text(const doc *d, int width, strbuf *o)
{
	strbuf_addc(o, '\n');
	for (size_t i = 0; i < d->n; i++) {
		const dblock *b = &d->v[i];
		int ind = 4 + 4 * b->indent;
		bool next_kv = i + 1 < d->n && d->v[i + 1].kind == D_KV;
		switch (b->kind) {
		case D_SECTION:
			strbuf_adds(o, b->a);
			strbuf_addc(o, '\n');
			break;
		case D_SUB: {
			strbuf_addc(o, '\n');
			spaces(o, ind);
			int w = (int)strlen(b->a) + 2;
			int dash = (width - ind - w) / 2 - 4;
			if (dash < 4)
				dash = 4;
			for (int k = 0; k < dash; k++)
				strbuf_addc(o, '-');
			strbuf_addf(o, " %s ", b->a);
			for (int k = 0; k < dash; k++)
				strbuf_addc(o, '-');
			strbuf_adds(o, "\n\n");
			break;
		}
		case D_PARA:
			wrap(o, b->a, ind, ind, width);
			strbuf_addc(o, '\n');
			break;
		case D_BULLET:
			spaces(o, ind);
			strbuf_adds(o, "- ");
			{
				strbuf tmp = STRBUF_INIT;
				wrap(&tmp, b->a, 0, ind + 2, width - 0);
				strbuf_adds(o, tmp.buf);
				strbuf_free(&tmp);
			}
			if (!(i + 1 < d->n && d->v[i + 1].kind == D_BULLET))
				strbuf_addc(o, '\n');
			break;
		case D_PRE: {
			const char *p = b->a;
			for (;;) {
				const char *e = strchr(p, '\n');
				size_t len = e ? (size_t)(e - p) : strlen(p);
				if (len)
					spaces(o, ind);
				strbuf_add(o, p, len);
				strbuf_addc(o, '\n');
				if (!e)
					break;
				p = e + 1;
			}
			strbuf_addc(o, '\n');
			break;
		}
		case D_TAG:
			spaces(o, ind);
			strbuf_adds(o, b->a);
			strbuf_addc(o, '\n');
			break;
		case D_KV:
			spaces(o, ind);
			strbuf_adds(o, b->a);
			spaces(o, 29 - (int)strlen(b->a) > 1 ? 29 - (int)strlen(b->a) : 1);
			strbuf_adds(o, b->b ? b->b : "");
			strbuf_addc(o, '\n');
			if (!next_kv)
				strbuf_addc(o, '\n');
			break;
		case D_SYNTAX: {
			strbuf line = STRBUF_INIT;
			strbuf_addf(&line, "%s %s", b->a, b->b ? b->b : "");
			wrap(o, line.buf, ind, ind + 4, width);
			strbuf_free(&line);
			strbuf_addc(o, '\n');
			break;
		}
		}
	}
	/* one trailing newline is enough */
	while (o->len >= 2 && o->buf[o->len - 1] == '\n' && o->buf[o->len - 2] == '\n')
		o->buf[--o->len] = '\0';
}

/* ---- roff back end ---- */

/* Escape text for roff; `line_start` tracks whether we are at the start of
 * an input line (where '.' and '\'' are control characters). */
static void roff_esc(strbuf *o, const char *s, bool verbatim)
{
	bool bol = o->len == 0 || o->buf[o->len - 1] == '\n';
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		unsigned c = *p;
		if (bol && (c == '.' || c == '\''))
			strbuf_adds(o, "\\&");
		bol = false;
		if (c == '\\') {
			strbuf_adds(o, "\\e");
		} else if (c == '-') {
			strbuf_adds(o, "\\-");
		} else if (c == '\n') {
			strbuf_addc(o, '\n');
			bol = true;
		} else if (c == '\t') {
			strbuf_adds(o, verbatim ? "        " : " ");
		} else if (c < 0x80) {
			strbuf_addc(o, (char)c);
		} else {
			/* UTF-8 to \[uXXXX] */
			unsigned cp = 0;
			int extra = 0;
			if ((c & 0xE0) == 0xC0) { cp = c & 0x1F; extra = 1; }
			else if ((c & 0xF0) == 0xE0) { cp = c & 0x0F; extra = 2; }
			else if ((c & 0xF8) == 0xF0) { cp = c & 0x07; extra = 3; }
			else { p++; continue; }
			int k;
			for (k = 1; k <= extra && (p[k] & 0xC0) == 0x80; k++)
				cp = cp << 6 | (p[k] & 0x3F);
			if (k <= extra) {
				p++;
				continue;
			}
			strbuf_addf(o, "\\[u%04X]", cp);
			p += extra;
		}
		p++;
	}
}

/* Escaped filled text, broken at spaces so input lines stay short (mandoc
 * style checks want at most 80 bytes); a break never starts a control line. */
static void roff_text(strbuf *o, const char *text)
{
	strbuf tmp = STRBUF_INIT;
	strbuf_adds(&tmp, "");
	roff_esc(&tmp, text, false);
	size_t col = 0;
	for (size_t i = 0; i < tmp.len; i++) {
		char ch = tmp.buf[i];
		size_t word = 0;   /* the next word's length, to break before it overflows */
		while (ch == ' ' && i + 1 + word < tmp.len && tmp.buf[i + 1 + word] != ' ' &&
		       tmp.buf[i + 1 + word] != '\n')
			word++;
		if (ch == ' ' && col > 0 && (col >= 60 || col + 1 + word > 78) && i + 1 < tmp.len) {
			strbuf_addc(o, '\n');
			col = 0;
			if (tmp.buf[i + 1] == '.' || tmp.buf[i + 1] == '\'')
				strbuf_adds(o, "\\&");
			continue;
		}
		strbuf_addc(o, ch);
		col = ch == '\n' ? 0 : col + 1;
	}
	strbuf_free(&tmp);
}

static void roff_line(strbuf *o, const char *macro, const char *text)
{
	strbuf_adds(o, macro);
	if (text) {
		strbuf_addc(o, ' ');
		roff_esc(o, text, false);
	}
	strbuf_addc(o, '\n');
}

static void render_roff(const doc *d, strbuf *o)
{
	int rs = 0;          /* open .RS levels */
	bool in_kv = false;
	bool fresh = true;   /* right after .SH/.SS/.RS: no .PP needed (mandoc warns) */
	for (size_t i = 0; i < d->n; i++) {
		const dblock *b = &d->v[i];
		if (in_kv && b->kind != D_KV) {
			strbuf_adds(o, ".fi\n");
			in_kv = false;
		}
		int want = b->kind == D_SECTION || b->kind == D_SUB ? 0 : b->indent;
		while (rs > want) {
			strbuf_adds(o, ".RE\n");
			rs--;
		}
		while (rs < want) {
			strbuf_adds(o, ".RS 4\n");
			rs++;
			fresh = true;
		}
		const char *pp = fresh ? "" : ".PP\n";
		fresh = b->kind == D_SECTION || b->kind == D_SUB;
		switch (b->kind) {
		case D_SECTION:
			roff_line(o, ".SH", b->a);
			break;
		case D_SUB:
			roff_line(o, ".SS", b->a);
			break;
		case D_PARA:
			strbuf_adds(o, pp);
			roff_text(o, b->a);
			strbuf_addc(o, '\n');
			break;
		case D_BULLET:
			strbuf_adds(o, ".IP \\(bu 2\n");
			roff_text(o, b->a);
			strbuf_addc(o, '\n');
			break;
		case D_PRE:
			strbuf_adds(o, pp);
			strbuf_adds(o, ".EX\n");
			roff_esc(o, b->a, true);
			strbuf_adds(o, "\n.EE\n");
			break;
		case D_TAG:
			strbuf_adds(o, pp);
			roff_line(o, ".B", b->a);
			break;
		case D_KV:
			if (!in_kv) {
				strbuf_adds(o, pp);
				strbuf_adds(o, ".nf\n");
				in_kv = true;
			}
			roff_esc(o, b->a, true);
			strbuf_adds(o, ": ");
			roff_esc(o, b->b ? b->b : "", true);
			strbuf_addc(o, '\n');
			break;
		case D_SYNTAX:
			strbuf_adds(o, pp);
			roff_line(o, ".B", b->a);
			if (b->b && *b->b) {
				roff_text(o, b->b);
				strbuf_addc(o, '\n');
			}
			break;
		}
	}
	if (in_kv)
		strbuf_adds(o, ".fi\n");
	while (rs-- > 0)
		strbuf_adds(o, ".RE\n");
}

/* ---- cmdlet → document ---- */

const char *mg_help_type_name(const mg_param *p, char *buf, size_t size)
{
	switch (p->type) {
	case MPT_STRING: return "String";
	case MPT_STRINGS: return "String[]";
	case MPT_INT: return "Int32";
	case MPT_UNLIMITED: return "Unlimited";
	case MPT_BOOL: return "Boolean";
	case MPT_SWITCH: return "SwitchParameter";
	case MPT_BYTES: return "Byte[]";
	case MPT_DATETIME: return "DateTime";
	case MPT_TIMESPAN: return "TimeSpan";
	case MPT_SCRIPTBLOCK: return "ScriptBlock";
	case MPT_OBJECT: return "Object";
	case MPT_CREDENTIAL: return "PSCredential";
	case MPT_ENUM:
		if (p->allowed) {
			strbuf sb = STRBUF_INIT;
			strbuf_addc(&sb, '{');
			for (size_t i = 0; p->allowed[i]; i++)
				strbuf_addf(&sb, "%s%s", i ? " | " : "", p->allowed[i]);
			strbuf_addc(&sb, '}');
			snprintf(buf, size, "%s", sb.buf);
			strbuf_free(&sb);
			return buf;
		}
		return "String";
	}
	return "Object";
}

static bool in_set(const mg_param *p, const char *set)
{
	return !p->sets || !set || str_list_has(p->sets, set, false);
}

/* Parameter set names in order of first appearance (NULL-terminated,
 * malloc'd strings); one NULL-named set when no parameter names a set. */
static char **param_sets(const mg_cmdlet *c, size_t *n)
{
	char **sets = NULL;
	size_t k = 0, cap = 0;
	GROW(sets, cap, 1);
	/* the default set first, like PowerShell */
	if (c->default_set) {
		GROW(sets, cap, k + 2);
		sets[k++] = xstrdup(c->default_set);
	}
	for (const mg_param *p = c->params; p && p->name; p++) {
		for (size_t j = 0; p->sets && p->sets[j]; j++) {
			bool dup = false;
			for (size_t i = 0; i < k; i++)
				if (str_ieq(sets[i], p->sets[j]))
					dup = true;
			if (!dup) {
				GROW(sets, cap, k + 2);
				sets[k++] = xstrdup(p->sets[j]);
			}
		}
	}
	sets[k] = NULL;
	*n = k;
	return sets;
}

static void free_sets(char **s)
{
	for (size_t i = 0; s && s[i]; i++)
		free(s[i]);
	free(s);
}

static void syntax_param(strbuf *o, const mg_param *p)
{
	char tb[512];
	bool mand = p->flags & MPF_MANDATORY;
	bool pos = p->position >= 0;
	if (p->type == MPT_SWITCH) {
		strbuf_addf(o, mand ? " -%s" : " [-%s]", p->name);
		return;
	}
	const char *t = mg_help_type_name(p, tb, sizeof tb);
	bool braces = p->type == MPT_ENUM && p->allowed;
	char val[600];
	snprintf(val, sizeof val, braces ? "%s" : "<%s>", t);
	if (pos)
		strbuf_addf(o, mand ? " [-%s] %s" : " [[-%s] %s]", p->name, val);
	else
		strbuf_addf(o, mand ? " -%s %s" : " [-%s %s]", p->name, val);
}

/* The syntax of one set (without the command name). */
static void syntax_set(const mg_cmdlet *c, const char *set, strbuf *o)
{
	/* positional parameters by position */
	for (int pos = 0; pos < 64; pos++)
		for (const mg_param *p = c->params; p && p->name; p++)
			if (p->position == pos && in_set(p, set))
				syntax_param(o, p);
	for (int pass = 0; pass < 2; pass++)
		for (const mg_param *p = c->params; p && p->name; p++)
			if (p->position < 0 && in_set(p, set) &&
			    (pass == 0) == ((p->flags & MPF_MANDATORY) != 0))
				syntax_param(o, p);
	if (c->flags & MCF_SHOULD_PROCESS)
		strbuf_adds(o, " [-WhatIf] [-Confirm]");
	if (!(c->flags & MCF_NO_COMMON))
		strbuf_adds(o, " [<CommonParameters>]");
}

static void add_syntax(const mg_cmdlet *c, doc *d)
{
	size_t n;
	char **sets = param_sets(c, &n);
	if (n == 0) {
		strbuf o = STRBUF_INIT;
		syntax_set(c, NULL, &o);
		d_add(d, D_SYNTAX, 0, c->name, o.len ? o.buf + 1 : "");
		strbuf_free(&o);
	}
	for (size_t i = 0; i < n; i++) {
		/* a set only the default-set name mentions, with no parameters of
		 * its own, still prints (PowerShell does the same) */
		strbuf o = STRBUF_INIT;
		syntax_set(c, sets[i], &o);
		d_add(d, D_SYNTAX, 0, c->name, o.len ? o.buf + 1 : "");
		strbuf_free(&o);
	}
	free_sets(sets);
}

void mg_help_syntax(const mg_cmdlet *c, strbuf *out)
{
	doc d = { 0 };
	add_syntax(c, &d);
	for (size_t i = 0; i < d.n; i++)
		strbuf_addf(out, "%s%s%s\n", d.v[i].a, *d.v[i].b ? " " : "", d.v[i].b);
	d_free(&d);
}

static const char *const common_text =
	"This cmdlet supports the common parameters: Verbose, Debug, ErrorAction, "
	"ErrorVariable, WarningAction, WarningVariable, InformationAction, "
	"InformationVariable, OutBuffer, PipelineVariable, and OutVariable. For more "
	"information, see about_CommonParameters (Get-Help about_CommonParameters, or "
	"man migsh-language).";

static void add_param(doc *d, const mg_param *p, bool full, const mg_cmdlet *c)
{
	char tb[512];
	char tag[700];
	if (p->type == MPT_SWITCH)
		snprintf(tag, sizeof tag, "-%s", p->name);
	else
		snprintf(tag, sizeof tag, "-%s <%s>", p->name,
		         p->type == MPT_ENUM ? "String" : mg_help_type_name(p, tb, sizeof tb));
	d_add(d, D_TAG, 0, tag, NULL);
	d_markup(d, p->help ? p->help : "(no description)", 1);
	if (p->flags & MPF_EXTENSION)
		d_add(d, D_PARA, 1, "This parameter is a migsh extension: Exchange Online does "
		      "not have it.", NULL);
	if (!full)
		return;
	bool some_sets = false;
	size_t ns;
	char **sets = param_sets(c, &ns);
	if (p->sets && ns > 1)
		some_sets = true;
	free_sets(sets);
	d_add(d, D_KV, 1, "Required?", (p->flags & MPF_MANDATORY) ? "true" : "false");
	char pos[32];
	if (p->position >= 0)
		snprintf(pos, sizeof pos, "%d", p->position);
	else
		snprintf(pos, sizeof pos, "named");
	d_add(d, D_KV, 1, "Position?", pos);
	d_add(d, D_KV, 1, "Default value", p->defval ? p->defval : "None");
	const char *pipe = "False";
	if ((p->flags & MPF_PIPE_VALUE) && (p->flags & MPF_PIPE_PROPNAME))
		pipe = "True (ByValue, ByPropertyName)";
	else if (p->flags & MPF_PIPE_VALUE)
		pipe = "True (ByValue)";
	else if (p->flags & MPF_PIPE_PROPNAME)
		pipe = "True (ByPropertyName)";
	d_add(d, D_KV, 1, "Accept pipeline input?", pipe);
	if (p->allowed) {
		strbuf sb = STRBUF_INIT;
		for (size_t i = 0; p->allowed[i]; i++)
			strbuf_addf(&sb, "%s%s", i ? ", " : "", p->allowed[i]);
		d_add(d, D_KV, 1, "Accepted values", sb.buf);
		strbuf_free(&sb);
	}
	if (p->aliases && p->aliases[0]) {
		strbuf sb = STRBUF_INIT;
		for (size_t i = 0; p->aliases[i]; i++)
			strbuf_addf(&sb, "%s%s", i ? ", " : "", p->aliases[i]);
		d_add(d, D_KV, 1, "Aliases", sb.buf);
		strbuf_free(&sb);
	}
	if (some_sets) {
		strbuf sb = STRBUF_INIT;
		for (size_t i = 0; p->sets[i]; i++)
			strbuf_addf(&sb, "%s%s", i ? ", " : "", p->sets[i]);
		d_add(d, D_KV, 1, "Parameter set name", sb.buf ? sb.buf : "");
		strbuf_free(&sb);
	}
	if (p->flags & MPF_IGNORED)
		d_add(d, D_KV, 1, "Has an effect?", "false (accepted for compatibility)");
	if (p->flags & MPF_SECRET)
		d_add(d, D_KV, 1, "Secret?", "true (never shown or logged)");
	if (p->flags & MPF_EXTENSION)
		d_add(d, D_KV, 1, "migsh extension?", "true");
}

static const mg_param whatif = { "WhatIf", MPT_SWITCH, 0, -1, NULL, NULL, MG_NAMES("wi"), "False",
	MGCOMP_NONE, "Shows what the command would do without doing it." };
static const mg_param confirm = { "Confirm", MPT_SWITCH, 0, -1, NULL, NULL, MG_NAMES("cf"), NULL,
	MGCOMP_NONE, "Asks for confirmation before doing it. Commands with high impact "
	"(Remove-*) ask by default; -Confirm:$false skips the question, which a script "
	"without a terminal must do." };

static void add_parameters(doc *d, const mg_cmdlet *c, bool full)
{
	d_add(d, D_SECTION, 0, "PARAMETERS", NULL);
	for (const mg_param *p = c->params; p && p->name; p++)
		add_param(d, p, full, c);
	if (c->flags & MCF_SHOULD_PROCESS) {
		add_param(d, &whatif, full, c);
		add_param(d, &confirm, full, c);
	}
	if (!(c->flags & MCF_NO_COMMON)) {
		d_add(d, D_TAG, 0, "<CommonParameters>", NULL);
		d_add(d, D_PARA, 1, common_text, NULL);
	}
}

static void add_examples(doc *d, const mg_cmdlet *c, bool man)
{
	if (!c->examples || !c->examples[0].code)
		return;
	d_add(d, D_SECTION, 0, "EXAMPLES", NULL);
	int n = 0;
	for (const mg_example *e = c->examples; e->code; e++) {
		char title[48];
		snprintf(title, sizeof title, "Example %d", ++n);
		d_add(d, D_SUB, 0, title, NULL);
		strbuf code = STRBUF_INIT;
		if (e->flags & MG_EXAMPLE_BASH)
			strbuf_addf(&code, "$ %s", e->code);
		else
			strbuf_addf(&code, "PS> %s", e->code);
		d_add(d, D_PRE, 0, code.buf, NULL);
		strbuf_free(&code);
		(void)man;
		if (e->remarks)
			d_markup(d, e->remarks, 0);
		if (e->flags & MG_EXAMPLE_FAILS)
			d_add(d, D_PARA, 0, "This example shows an error on purpose.", NULL);
	}
}

static void add_list(doc *d, const char *title, const char *text, const mv_type_info *t)
{
	if (!text && !t)
		return;
	d_add(d, D_SECTION, 0, title, NULL);
	if (text)
		d_markup(d, text, 0);
	else
		d_add(d, D_PARA, 0, t->name, NULL);
	if (t && t->default_props) {
		strbuf sb = STRBUF_INIT;
		strbuf_adds(&sb, "Default display: ");
		for (size_t i = 0; t->default_props[i]; i++)
			strbuf_addf(&sb, "%s%s", i ? ", " : "", t->default_props[i]);
		strbuf_adds(&sb, ". Format-List shows every property.");
		d_add(d, D_PARA, 0, sb.buf, NULL);
		strbuf_free(&sb);
	}
}

/* Each related name of a declaration (.related = MG_NAMES(...)), in order. */
static void related_names(const char *const *rel, void (*fn)(void *, const char *), void *arg)
{
	for (size_t i = 0; rel && rel[i]; i++)
		fn(arg, rel[i]);
}

static void rel_text(void *arg, const char *name)
{
	strbuf *sb = arg;
	strbuf_adds(sb, name);
	strbuf_addc(sb, '\n');
}

static void build_cmdlet(const mg_cmdlet *c, mg_help_level lvl, doc *d)
{
	d_add(d, D_SECTION, 0, "NAME", NULL);
	d_add(d, D_PARA, 0, c->name, NULL);
	d_add(d, D_SECTION, 0, "SYNOPSIS", NULL);
	d_markup(d, c->synopsis ? c->synopsis : c->name, 0);
	if (lvl == MGH_EXAMPLES) {
		add_examples(d, c, false);
		return;
	}
	d_add(d, D_SECTION, 0, "SYNTAX", NULL);
	add_syntax(c, d);
	d_add(d, D_SECTION, 0, "DESCRIPTION", NULL);
	d_markup(d, c->description ? c->description : c->synopsis, 0);
	if (c->flags & MCF_EXTENSION)
		d_add(d, D_PARA, 0, "This cmdlet is a migsh extension: Exchange Online does not "
		      "have it.", NULL);
	if (lvl == MGH_DETAILED || lvl == MGH_FULL)
		add_parameters(d, c, lvl == MGH_FULL);
	if (lvl == MGH_FULL) {
		add_list(d, "INPUTS", c->inputs, NULL);
		add_list(d, "OUTPUTS", c->outputs, c->output_type);
		if (c->notes) {
			d_add(d, D_SECTION, 0, "NOTES", NULL);
			d_markup(d, c->notes, 0);
		}
	}
	if (lvl == MGH_DETAILED || lvl == MGH_FULL)
		add_examples(d, c, false);
	d_add(d, D_SECTION, 0, "RELATED LINKS", NULL);
	{
		/* one name per line, like PowerShell */
		strbuf rel = STRBUF_INIT;
		related_names(c->related, rel_text, &rel);
		strbuf_addf(&rel, "man %s", c->name);
		d_add(d, D_PRE, 0, rel.buf, NULL);
		strbuf_free(&rel);
	}
	if (lvl == MGH_BRIEF) {
		d_add(d, D_SECTION, 0, "REMARKS", NULL);
		strbuf rm = STRBUF_INIT;
		strbuf_addf(&rm, "To see the examples, type: \"Get-Help %s -Examples\".\n"
		            "For more information, type: \"Get-Help %s -Detailed\".\n"
		            "For technical information, type: \"Get-Help %s -Full\".",
		            c->name, c->name, c->name);
		d_add(d, D_PRE, 0, rm.buf, NULL);
		strbuf_free(&rm);
	}
}

void mg_help_text(const mg_cmdlet *c, mg_help_level lvl, int width, strbuf *out)
{
	doc d = { 0 };
	build_cmdlet(c, lvl, &d);
	render_text(&d, width > 20 ? width : 80, out);
	d_free(&d);
}

int mg_help_param_text(const mg_cmdlet *c, const char *pattern, int width, strbuf *out)
{
	doc d = { 0 };
	int n = 0;
	for (const mg_param *p = c->params; p && p->name; p++)
		if (str_wildcard(pattern, p->name, true)) {
			add_param(&d, p, true, c);
			n++;
		}
	if (n)
		render_text(&d, width > 20 ? width : 80, out);
	d_free(&d);
	return n;
}

/* ---- topics ---- */

static void build_topic_text(const mg_help_topic *t, doc *d)
{
	d_add(d, D_SECTION, 0, "TOPIC", NULL);
	d_add(d, D_PARA, 0, t->name, NULL);
	d_add(d, D_SECTION, 0, "SHORT DESCRIPTION", NULL);
	d_markup(d, t->synopsis, 0);
	for (const mg_help_section *s = t->sections; s && s->heading; s++) {
		d_add(d, D_SECTION, 0, s->heading, NULL);
		d_markup(d, s->body, 0);
	}
	const mg_man_page *p = mg_help_topic_page(t->name);
	if (p) {
		d_add(d, D_SECTION, 0, "SEE ALSO", NULL);
		char buf[160];
		snprintf(buf, sizeof buf, "man %d %s", p->section, p->name);
		d_add(d, D_PARA, 0, buf, NULL);
	}
}

void mg_help_topic_text(const mg_help_topic *t, int width, strbuf *out)
{
	doc d = { 0 };
	build_topic_text(t, &d);
	render_text(&d, width > 20 ? width : 80, out);
	d_free(&d);
}

/* ---- man pages ---- */

static void upper_esc(strbuf *o, const char *s)
{
	strbuf up = STRBUF_INIT;
	for (const char *p = s; *p; p++)
		strbuf_addc(&up, (char)toupper((unsigned char)*p));
	roff_esc(o, up.buf, false);
	strbuf_free(&up);
}

static void man_header(strbuf *o, const char *name, int section, const char *synopsis,
                       const char *date, const char *version)
{
	strbuf_adds(o, ".\\\" Generated from the migsh cmdlet declarations; do not edit.\n");
	strbuf_adds(o, ".TH ");
	upper_esc(o, name);
	strbuf_addf(o, " %d %s \"migsh %s\" \"migsh Manual\"\n", section, date, version);
	strbuf_adds(o, ".SH NAME\n");
	/* "name - first line of the synopsis", filled (whatis reads the whole
	 * NAME paragraph, so it may take two input lines) */
	strbuf one = STRBUF_INIT;
	strbuf_addf(&one, "%s - ", name);
	for (const char *p = synopsis ? synopsis : ""; *p && *p != '\n'; p++)
		strbuf_addc(&one, *p);
	if (one.len && one.buf[one.len - 1] == '.')
		one.buf[--one.len] = '\0';
	roff_text(o, one.buf);
	strbuf_free(&one);
	strbuf_addc(o, '\n');
}

typedef struct see_also {
	strbuf *o;
	bool    first;
} see_also;

static void see_one(see_also *sa, const char *name, int section)
{
	if (!sa->first)
		strbuf_adds(sa->o, ",\n");
	sa->first = false;
	strbuf_adds(sa->o, ".BR ");
	roff_esc(sa->o, name, false);
	strbuf_addf(sa->o, " (%d)", section);
}

static void rel_man(void *arg, const char *name)
{
	see_also *sa = arg;
	const mg_man_page *p = mg_help_topic_page(name);
	if (p) {
		see_one(sa, p->name, p->section);
		return;
	}
	if (strncasecmp(name, "about_", 6) == 0)
		return;   /* a topic without a page: skip */
	see_one(sa, name, 1);
}

void mg_help_man_cmdlet(const mg_cmdlet *c, const char *date, const char *version, strbuf *out)
{
	man_header(out, c->name, 1, c->synopsis, date, version);
	doc d = { 0 };
	d_add(&d, D_SECTION, 0, "SYNOPSIS", NULL);
	add_syntax(c, &d);
	d_add(&d, D_SECTION, 0, "DESCRIPTION", NULL);
	d_markup(&d, c->synopsis, 0);
	if (c->description)
		d_markup(&d, c->description, 0);
	if (c->flags & MCF_EXTENSION)
		d_add(&d, D_PARA, 0, "This cmdlet is a migsh extension: Exchange Online does not "
		      "have it.", NULL);
	add_parameters(&d, c, true);
	add_list(&d, "INPUTS", c->inputs ? c->inputs : "None", NULL);
	add_list(&d, "OUTPUTS", c->outputs ? c->outputs : "None", c->output_type);
	d_add(&d, D_SECTION, 0, "NOTES", NULL);
	if (c->notes)
		d_markup(&d, c->notes, 0);
	{
		char buf[512];
		snprintf(buf, sizeof buf, "Run it in migsh(1): interactively, as migsh -c '%s ...' "
		         "from a shell or cron, or in a .ps1 script. The same text is shown by "
		         "Get-Help %s -Full.", c->name, c->name);
		d_add(&d, D_PARA, 0, buf, NULL);
	}
	add_examples(&d, c, true);
	render_roff(&d, out);
	d_free(&d);
	strbuf_adds(out, ".SH SEE ALSO\n");
	see_also sa = { out, true };
	related_names(c->related, rel_man, &sa);
	see_one(&sa, "migsh", 1);
	strbuf_addc(out, '\n');
}

void mg_help_man_page(const mg_man_page *p, const mg_cmdlet *const *cmdlets, size_t ncmd,
                      const char *date, const char *version, strbuf *out)
{
	man_header(out, p->name, p->section, p->synopsis, date, version);
	doc d = { 0 };
	size_t ntopics = 0;
	while (p->topics[ntopics])
		ntopics++;
	for (size_t i = 0; i < ntopics; i++) {
		const mg_help_topic *t = mg_help_topic_find(p->topics[i]);
		if (!t)
			continue;
		if (ntopics > 1) {
			d_add(&d, D_SECTION, 0, t->title ? t->title : t->name, NULL);
			d_markup(&d, t->synopsis, 0);
			for (const mg_help_section *s = t->sections; s && s->heading; s++) {
				d_add(&d, D_SUB, 0, s->heading, NULL);
				d_markup(&d, s->body, 0);
			}
		} else {
			for (const mg_help_section *s = t->sections; s && s->heading; s++) {
				d_add(&d, D_SECTION, 0, s->heading, NULL);
				d_markup(&d, s->body, 0);
			}
		}
	}
	render_roff(&d, out);
	d_free(&d);
	strbuf_adds(out, ".SH SEE ALSO\n");
	see_also sa = { out, true };
	size_t np;
	const mg_man_page *pages = mg_help_man_pages(&np);
	for (size_t i = 0; i < np; i++)
		if (strcmp(pages[i].name, p->name) != 0)
			see_one(&sa, pages[i].name, pages[i].section);
	if (strcmp(p->name, "migsh") == 0)
		for (size_t i = 0; i < ncmd; i++)
			see_one(&sa, cmdlets[i]->name, 1);
	strbuf_addc(out, '\n');
}
