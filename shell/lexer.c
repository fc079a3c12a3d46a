/* lexer.c - PowerShell tokenizer with argument and expression modes (see lexer.h). */
#include "config.h"
#include "shell/lexer.h"
#include "common/mem.h"
#include "common/str.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void lx_init(lexer *lx, const char *src, size_t len)
{
	memset(lx, 0, sizeof *lx);
	lx->src = src;
	lx->len = len;
}

void tok_free(token *t)
{
	free(t->text);
	t->text = NULL;
}

static int at(const lexer *lx, size_t i)
{
	return i < lx->len ? (unsigned char)lx->src[i] : 0;
}

bool lx_arg_terminator(int c)
{
	return c == 0 || c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ';' || c == '|' ||
	       c == '&' || c == '(' || c == ')' || c == '{' || c == '}' || c == ',';
}

/* Returns false on an unterminated block comment (position left at end). */
static bool skip_space_ex(lexer *lx)
{
	for (;;) {
		int c = at(lx, lx->pos);
		if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
			lx->pos++;
		} else if (c == 0xC2 && at(lx, lx->pos + 1) == 0xA0) { /* no-break space from web pages */
			lx->pos += 2;
		} else if (c == '`' && (at(lx, lx->pos + 1) == '\n' ||
		                        (at(lx, lx->pos + 1) == '\r' && at(lx, lx->pos + 2) == '\n'))) {
			lx->pos += at(lx, lx->pos + 1) == '\r' ? 3 : 2;
		} else if (c == '#') {
			while (lx->pos < lx->len && lx->src[lx->pos] != '\n')
				lx->pos++;
		} else if (c == '<' && at(lx, lx->pos + 1) == '#') {
			size_t p = lx->pos + 2;
			while (p + 1 < lx->len && !(lx->src[p] == '#' && lx->src[p + 1] == '>'))
				p++;
			if (p + 1 >= lx->len) {
				lx->pos = lx->len;
				return false;
			}
			lx->pos = p + 2;
		} else {
			return true;
		}
	}
}

void lx_skip_space(lexer *lx)
{
	(void)skip_space_ex(lx);
}

int lx_peekc(lexer *lx)
{
	lx_skip_space(lx);
	return at(lx, lx->pos);
}

static token mk(tok_kind k, size_t pos, size_t len)
{
	token t;
	memset(&t, 0, sizeof t);
	t.kind = k;
	t.pos = pos;
	t.len = len;
	return t;
}

static token err_tok(lexer *lx, size_t pos, bool incomplete, const char *id, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static token err_tok(lexer *lx, size_t pos, bool incomplete, const char *id, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(lx->err_msg, sizeof lx->err_msg, fmt, ap);
	va_end(ap);
	snprintf(lx->err_id, sizeof lx->err_id, "%s", id);
	lx->err_pos = pos;
	lx->err_incomplete = incomplete;
	token t = mk(TK_ERROR, pos, lx->pos > pos ? lx->pos - pos : 1);
	return t;
}

int lx_parse_number(const char *s, size_t n, bool *is_int, long long *inum, double *num)
{
	char buf[80];
	if (n == 0 || n >= sizeof buf)
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	long long mult = 1;
	size_t L = n;
	if (L > 2) {
		const char *suf = buf + L - 2;
		if (str_ieq(suf, "kb")) mult = 1024LL;
		else if (str_ieq(suf, "mb")) mult = 1024LL * 1024;
		else if (str_ieq(suf, "gb")) mult = 1024LL * 1024 * 1024;
		else if (str_ieq(suf, "tb")) mult = 1024LL * 1024 * 1024 * 1024;
		else if (str_ieq(suf, "pb")) mult = 1024LL * 1024 * 1024 * 1024 * 1024;
		if (mult != 1)
			buf[L -= 2] = '\0';
	}
	if (L > 1 && (buf[L - 1] == 'l' || buf[L - 1] == 'L') && !(L > 2 && buf[0] == '0' && (buf[1] == 'x' || buf[1] == 'X')))
		buf[--L] = '\0';
	const char *p = buf;
	bool neg = false;
	if (*p == '-' || *p == '+') {
		neg = *p == '-';
		p++;
	}
	if (!*p)
		return -1;
	char *end;
	errno = 0;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		if (!isxdigit((unsigned char)p[2]))
			return -1;
		unsigned long long v = strtoull(p + 2, &end, 16);
		if (*end || errno)
			return -1;
		if (v > (unsigned long long)LLONG_MAX)
			return -1;
		long long sv = neg ? -(long long)v : (long long)v;
		if (__builtin_mul_overflow(sv, mult, inum))
			return -1;
		*is_int = true;
		*num = (double)*inum;
		return 0;
	}
	if (!isdigit((unsigned char)p[0]) && !(p[0] == '.' && isdigit((unsigned char)p[1])))
		return -1;
	bool isint = true;
	for (const char *q = p; *q; q++) {
		if (*q == '.' || *q == 'e' || *q == 'E')
			isint = false;
		else if (!isdigit((unsigned char)*q) && !((*q == '-' || *q == '+') && (q[-1] == 'e' || q[-1] == 'E')))
			return -1;
	}
	if (isint) {
		long long v = strtoll(p, &end, 10);
		if (*end || errno) {
			isint = false;
		} else if (!__builtin_mul_overflow(neg ? -v : v, mult, inum)) {
			*is_int = true;
			*num = (double)*inum;
			return 0;
		} else {
			isint = false;   /* too large for an integer: a double */
		}
	}
	errno = 0;
	double d = strtod(p, &end);
	if (*end || !isfinite(d))
		return -1;
	if (neg)
		d = -d;
	d *= (double)mult;
	if (!isfinite(d))
		return -1;
	*is_int = false;
	*num = d;
	*inum = d >= (double)LLONG_MAX ? LLONG_MAX : d <= (double)LLONG_MIN ? LLONG_MIN : (long long)d;
	return 0;
}

static const char *const expr_ops[] = {
	"eq", "ne", "gt", "ge", "lt", "le", "like", "notlike", "match", "notmatch",
	"contains", "notcontains", "in", "notin", "and", "or", "xor", "not",
	"ceq", "cne", "cgt", "cge", "clt", "cle", "clike", "cnotlike", "cmatch", "cnotmatch",
	"ccontains", "cnotcontains", "cin", "cnotin",
	"ieq", "ine", "igt", "ige", "ilt", "ile", "ilike", "inotlike", "imatch", "inotmatch",
	"icontains", "inotcontains", "iin", "inotin",
	"replace", "ireplace", "creplace", "split", "join", "f", "is", "isnot", "as", "band", "bor",
	NULL
};

static bool is_var_char(int c)
{
	return isalnum(c) || c == '_' || c == '?' || c >= 0x80;
}

/* Scan a double-quoted string body starting after the opening quote; returns
 * the index of the closing quote, (size_t)-1 when there is none, or
 * SCAN_TOO_DEEP when strings and $( ) nest more than LX_MAX_NEST deep (the
 * parser could not take them anyway). */
#define LX_MAX_NEST 100
#define SCAN_TOO_DEEP ((size_t)-2)
static size_t scan_dq(const lexer *lx, size_t p, int nest);

static size_t scan_sq(const lexer *lx, size_t p)
{
	for (; p < lx->len; p++) {
		if (lx->src[p] == '\'') {
			if (at(lx, p + 1) == '\'') {
				p++;
				continue;
			}
			return p;
		}
	}
	return (size_t)-1;
}

/* p points just after "$(": returns the index of the matching ')' */
static size_t scan_subexpr(const lexer *lx, size_t p, int nest)
{
	int depth = 1;
	if (nest > LX_MAX_NEST)
		return SCAN_TOO_DEEP;
	while (p < lx->len) {
		char c = lx->src[p];
		if (c == '`') {
			p += 2;
			continue;
		}
		if (c == '\'') {
			size_t e = scan_sq(lx, p + 1);
			if (e == (size_t)-1)
				return e;
			p = e + 1;
			continue;
		}
		if (c == '"') {
			size_t e = scan_dq(lx, p + 1, nest + 1);
			if (e >= SCAN_TOO_DEEP)
				return e;
			p = e + 1;
			continue;
		}
		if (c == '#' ) { /* comment inside $( ) */
			while (p < lx->len && lx->src[p] != '\n')
				p++;
			continue;
		}
		if (c == '(')
			depth++;
		else if (c == ')' && --depth == 0)
			return p;
		p++;
	}
	return (size_t)-1;
}

static size_t scan_dq(const lexer *lx, size_t p, int nest)
{
	while (p < lx->len) {
		char c = lx->src[p];
		if (c == '`') {
			p += 2;
			continue;
		}
		if (c == '"') {
			if (at(lx, p + 1) == '"') {
				p += 2;
				continue;
			}
			return p;
		}
		if (c == '$' && at(lx, p + 1) == '(') {
			size_t e = scan_subexpr(lx, p + 2, nest + 1);
			if (e >= SCAN_TOO_DEEP)
				return e;
			p = e + 1;
			continue;
		}
		p++;
	}
	return (size_t)-1;
}

static token lex_variable(lexer *lx, size_t start)
{
	/* lx->pos at '$' */
	size_t p = start + 1;
	int c = at(lx, p);
	if (c == '{') {
		size_t e = p + 1;
		while (e < lx->len && lx->src[e] != '}')
			e++;
		if (e >= lx->len) {
			lx->pos = lx->len;
			return err_tok(lx, start, true, "IncompleteDollarVariableReference",
			               "Missing closing '}' in the variable name.");
		}
		token t = mk(TK_VAR, start, e + 1 - start);
		t.text = xstrndup(lx->src + p + 1, e - p - 1);
		lx->pos = e + 1;
		return t;
	}
	if (c == '?' || c == '$' || c == '^') {
		token t = mk(TK_VAR, start, 2);
		t.text = xstrndup(lx->src + p, 1);
		lx->pos = p + 1;
		return t;
	}
	size_t e = p;
	while (e < lx->len) {
		int ch = at(lx, e);
		if (isalnum(ch) || ch == '_' || ch >= 0x80) {
			e++;
		} else if (ch == ':' && e > p && at(lx, e + 1) != ':' && is_var_char(at(lx, e + 1))) {
			/* scope or drive qualifier: $env:HOME, $global:x */
			e++;
		} else {
			break;
		}
	}
	if (e == p) {
		token t = mk(TK_WORD, start, 1);
		t.text = xstrdup("$");
		lx->pos = p;
		return t;
	}
	token t = mk(TK_VAR, start, e - start);
	t.text = xstrndup(lx->src + p, e - p);
	lx->pos = e;
	return t;
}

static token lex_string(lexer *lx, size_t start, bool dq)
{
	size_t e = dq ? scan_dq(lx, start + 1, 0) : scan_sq(lx, start + 1);
	if (e == SCAN_TOO_DEEP) {
		lx->pos = lx->len;
		return err_tok(lx, start, false, "NestingTooDeep",
		               "The string nests strings and $( ) more than %d levels deep.", LX_MAX_NEST);
	}
	if (e == (size_t)-1) {
		lx->pos = lx->len;
		return err_tok(lx, start, true, "TerminatorExpectedAtEndOfString",
		               "The string is missing the terminator: %c.", dq ? '"' : '\'');
	}
	token t = mk(dq ? TK_DQSTRING : TK_SQSTRING, start, e + 1 - start);
	if (dq) {
		t.text = xstrndup(lx->src + start + 1, e - start - 1);
	} else {
		strbuf sb = STRBUF_INIT;
		strbuf_adds(&sb, "");
		for (size_t i = start + 1; i < e; i++) {
			strbuf_addc(&sb, lx->src[i]);
			if (lx->src[i] == '\'' && at(lx, i + 1) == '\'')
				i++;
		}
		t.text = strbuf_detach(&sb, NULL);
	}
	lx->pos = e + 1;
	return t;
}

/* Here-strings: @" ... "@ (expandable) and @' ... '@ (literal); the body
 * is the text between the opening line and the line starting with "@. */
static token lex_herestring(lexer *lx, size_t start, char q)
{
	size_t body = start + 2;
	if (at(lx, body) == '\r')
		body++;
	body++;   /* the newline */
	for (size_t p = body; p < lx->len; p++) {
		if (lx->src[p] == q && at(lx, p + 1) == '@' && (p == body || lx->src[p - 1] == '\n')) {
			size_t end = p;
			if (end > body)
				end--;   /* the newline before the closing quote */
			if (end > body && lx->src[end - 1] == '\r')
				end--;
			token t = mk(q == '"' ? TK_DQSTRING : TK_SQSTRING, start, p + 2 - start);
			t.text = xstrndup(lx->src + body, end > body ? end - body : 0);
			lx->pos = p + 2;
			return t;
		}
	}
	lx->pos = lx->len;
	return err_tok(lx, start, true, "TerminatorExpectedAtEndOfString",
	               "The string is missing the terminator: %c@.", q);
}

/* A bareword in argument mode; becomes TK_NUMBER when it is one. */
static token lex_bareword(lexer *lx, size_t start)
{
	strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, "");
	size_t p = start;
	bool escaped = false;
	while (p < lx->len) {
		int c = at(lx, p);
		if (c == '`') {
			if (p + 1 >= lx->len)
				break;
			int n = at(lx, p + 1);
			if (n == '\n' || n == '\r')
				break;
			strbuf_addc(&sb, (char)n);
			escaped = true;
			p += 2;
			continue;
		}
		if (lx_arg_terminator(c) || c == '"' || c == '\'')
			break;
		if (c == 0xC2 && at(lx, p + 1) == 0xA0)
			break;
		strbuf_addc(&sb, (char)c);
		p++;
	}
	if (p == start) {   /* never return an empty word: take one character */
		strbuf_addc(&sb, lx->src[p]);
		p++;
	}
	lx->pos = p;
	token t = mk(TK_WORD, start, p - start);
	t.quoted_word = escaped;
	if (!escaped && lx_parse_number(sb.buf, sb.len, &t.is_int, &t.inum, &t.num) == 0)
		t.kind = TK_NUMBER;
	t.text = strbuf_detach(&sb, NULL);
	return t;
}

static token lex_number_expr(lexer *lx, size_t start)
{
	size_t p = start;
	if (at(lx, p) == '0' && (at(lx, p + 1) == 'x' || at(lx, p + 1) == 'X')) {
		p += 2;
		while (isxdigit(at(lx, p)))
			p++;
	} else {
		while (isdigit(at(lx, p)))
			p++;
		if (at(lx, p) == '.' && isdigit(at(lx, p + 1))) {
			p++;
			while (isdigit(at(lx, p)))
				p++;
		}
		if ((at(lx, p) == 'e' || at(lx, p) == 'E') &&
		    (isdigit(at(lx, p + 1)) || ((at(lx, p + 1) == '-' || at(lx, p + 1) == '+') && isdigit(at(lx, p + 2))))) {
			p += 2;
			while (isdigit(at(lx, p)))
				p++;
		}
	}
	while (isalpha(at(lx, p)))   /* suffixes: kb mb gb l */
		p++;
	token t = mk(TK_NUMBER, start, p - start);
	lx->pos = p;
	if (lx_parse_number(lx->src + start, p - start, &t.is_int, &t.inum, &t.num) < 0) {
		return err_tok(lx, start, false, "BadNumericConstant",
		               "Bad numeric constant: %.*s.", (int)(p - start), lx->src + start);
	}
	return t;
}

token lx_next(lexer *lx, lx_mode mode)
{
	size_t before = lx->pos;
	if (!skip_space_ex(lx))
		return err_tok(lx, before, true, "MissingEndOfComment",
		               "Missing the terminator '#>' of a block comment.");
	size_t start = lx->pos;
	bool space = start == 0 || start != before ||
	             strchr(" \t\r\n", lx->src[start - 1]) != NULL;
	token t;
	int c = at(lx, start);
	int n1 = at(lx, start + 1);
	if (start >= lx->len) {
		t = mk(TK_EOF, start, 0);
		t.space_before = space;
		return t;
	}
	if (c == '`' && (start + 1 >= lx->len || (n1 == '\r' && start + 2 >= lx->len))) {
		lx->pos = lx->len;
		t = err_tok(lx, start, true, "MissingEscapedCharacter",
		            "Missing character after the escape character (`) at the end of the input.");
		t.space_before = space;
		return t;
	}
	/* redirections: > >> and, after white space, N> N>> N>&1 (N = 1..6 or *) */
	if (c == '>' || (space && (c == '*' || (c >= '1' && c <= '6')) && n1 == '>')) {
		size_t p = c == '>' ? start : start + 1;
		char stream = c == '>' ? '1' : (char)c;
		const char *kind = ">";
		size_t end = p + 1;
		if (at(lx, p + 1) == '>') {
			kind = ">>";
			end = p + 2;
		} else if (at(lx, p + 1) == '&' && at(lx, p + 2) == '1' && stream != '1') {
			kind = ">&1";
			end = p + 3;
		}
		lx->pos = end;
		t = mk(TK_REDIR, start, end - start);
		t.text = xasprintf("%c%s", stream, kind);
		t.space_before = space;
		return t;
	}
	switch (c) {
	case '\n': lx->pos++; t = mk(TK_NEWLINE, start, 1); break;
	case ';':  lx->pos++; t = mk(TK_SEMI, start, 1); break;
	case '|':  lx->pos++; t = mk(TK_PIPE, start, 1); break;
	case '&':  lx->pos++; t = mk(TK_AMP, start, 1); break;
	case '(':  lx->pos++; t = mk(TK_LPAREN, start, 1); break;
	case ')':  lx->pos++; t = mk(TK_RPAREN, start, 1); break;
	case '{':  lx->pos++; t = mk(TK_LBRACE, start, 1); break;
	case '}':  lx->pos++; t = mk(TK_RBRACE, start, 1); break;
	case ',':  lx->pos++; t = mk(TK_COMMA, start, 1); break;
	case ']':  lx->pos++; t = mk(TK_RBRACKET, start, 1); break;
	case '$':
		if (n1 == '(') {
			lx->pos += 2;
			t = mk(TK_SUBEXPR, start, 2);
		} else {
			t = lex_variable(lx, start);
		}
		break;
	case '@':
		if ((n1 == '"' || n1 == '\'') && (at(lx, start + 2) == '\n' ||
		                                  (at(lx, start + 2) == '\r' && at(lx, start + 3) == '\n'))) {
			t = lex_herestring(lx, start, (char)n1);
		} else if (n1 == '(') {
			lx->pos += 2;
			t = mk(TK_ARRAYEXPR, start, 2);
		} else if (n1 == '{') {
			lx->pos += 2;
			t = mk(TK_HASH, start, 2);
		} else if (mode == LX_ARG && (isalpha(n1) || n1 == '_')) {
			/* @name: splatting a hashtable (named) or array (positional) */
			size_t p = start + 1;
			while (isalnum(at(lx, p)) || at(lx, p) == '_')
				p++;
			if (lx_arg_terminator(at(lx, p))) {
				t = mk(TK_VAR, start, p - start);
				t.text = xstrndup(lx->src + start + 1, p - start - 1);
				t.splat = true;
				lx->pos = p;
			} else {
				t = lex_bareword(lx, start);
			}
		} else if (mode == LX_ARG) {
			t = lex_bareword(lx, start);
		} else {
			lx->pos++;
			t = err_tok(lx, start, false, "UnexpectedToken", "Unrecognized token in source text.");
		}
		break;
	case '\'':
		t = lex_string(lx, start, false);
		break;
	case '"':
		t = lex_string(lx, start, true);
		break;
	default:
		if (mode == LX_ARG) {
			if (c == '-' && (isalpha(n1) || n1 == '_' || n1 == '?')) {
				size_t p = start + 1;
				while (isalnum(at(lx, p)) || at(lx, p) == '_' || at(lx, p) == '?' || at(lx, p) == '-')
					p++;
				t = mk(TK_PARAM, start, p - start);
				t.text = xstrndup(lx->src + start + 1, p - start - 1);
				if (at(lx, p) == ':') {
					t.colon = true;
					p++;
					t.len++;
				}
				lx->pos = p;
			} else {
				t = lex_bareword(lx, start);
			}
			break;
		}
		/* expression mode */
		if (c == '[') {
			lx->pos++;
			t = mk(TK_LBRACKET, start, 1);
		} else if (c == '=') {
			lx->pos++;
			t = mk(TK_ASSIGN, start, 1);
			t.text = xstrdup("=");
		} else if ((c == '+' || c == '-') && n1 == c) {
			lx->pos += 2;
			t = mk(TK_OP, start, 2);
			t.text = xstrndup(lx->src + start, 2);
		} else if ((c == '+' || c == '-' || c == '*' || c == '/' || c == '%') && n1 == '=') {
			lx->pos += 2;
			t = mk(TK_ASSIGN, start, 2);
			t.text = xstrndup(lx->src + start, 2);
		} else if (c == '-' && isalpha(n1)) {
			size_t p = start + 1;
			while (isalpha(at(lx, p)))
				p++;
			char *name = xstrndup(lx->src + start + 1, p - start - 1);
			for (char *q = name; *q; q++)
				*q = (char)tolower((unsigned char)*q);
			bool known = false;
			for (size_t i = 0; expr_ops[i]; i++)
				if (strcmp(expr_ops[i], name) == 0)
					known = true;
			lx->pos = p;
			if (!known) {
				free(name);
				t = err_tok(lx, start, false, "UnexpectedToken",
				            "Unexpected token '%.*s' in expression or statement.",
				            (int)(p - start), lx->src + start);
			} else {
				t = mk(TK_OP, start, p - start);
				t.text = name;
			}
		} else if (c == '+' || c == '-' || c == '*' || c == '/' || c == '%' || c == '!') {
			lx->pos++;
			t = mk(TK_OP, start, 1);
			t.text = xstrndup(lx->src + start, 1);
		} else if (c == '.' && n1 == '.') {
			lx->pos += 2;
			t = mk(TK_DOTDOT, start, 2);
		} else if (c == '.' && isdigit(n1)) {
			t = lex_number_expr(lx, start);
		} else if (c == '.') {
			lx->pos++;
			t = mk(TK_DOT, start, 1);
		} else if (c == ':' && n1 == ':') {
			lx->pos += 2;
			t = mk(TK_COLONCOLON, start, 2);
		} else if (isdigit(c)) {
			t = lex_number_expr(lx, start);
		} else if (isalpha(c) || c == '_' || c >= 0x80) {
			size_t p = start;
			while (isalnum(at(lx, p)) || at(lx, p) == '_' || at(lx, p) >= 0x80)
				p++;
			t = mk(TK_WORD, start, p - start);
			t.text = xstrndup(lx->src + start, p - start);
			lx->pos = p;
		} else {
			lx->pos++;
			t = err_tok(lx, start, false, "UnexpectedToken",
			            "Unexpected token '%c' in expression or statement.", c);
		}
		break;
	}
	t.space_before = space;
	return t;
}

char *lx_type_name(lexer *lx)
{
	/* lx->pos just after '[' */
	size_t p = lx->pos;
	int depth = 1;
	while (p < lx->len) {
		char c = lx->src[p];
		if (c == '[') {
			depth++;
		} else if (c == ']') {
			if (--depth == 0)
				break;   /* [int[]]: the inner ] closes the array type */
		} else if (!(isalnum((unsigned char)c) || c == '.' || c == '_' || c == ' ' || c == ',' || c == '`')) {
			return NULL;
		}
		p++;
	}
	if (p >= lx->len)
		return NULL;
	char *name = xstrndup(lx->src + lx->pos, p - lx->pos);
	lx->pos = p + 1;
	str_trim(name);
	return name;
}
