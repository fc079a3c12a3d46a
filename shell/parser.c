/*
 * parser.c - recursive-descent parser for the PowerShell subset migsh
 * speaks: statements (if/elseif/else, foreach, exit, assignment),
 * pipelines of commands and expressions, command arguments in argument
 * mode, expressions with PowerShell operator precedence, expandable
 * strings, hashtables, arrays, script blocks, static member calls.
 */
#include "config.h"
#include "shell/parser.h"
#include "shell/lexer.h"
#include "common/mem.h"
#include "common/str.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_DEPTH 100
/* The tree's height, whatever built it: a chain like 1+1+1... or $x.a.a...
 * is parsed by a loop, not by recursion, but the evaluator and ast_free walk
 * the result recursively; past this many levels the parser stops with a
 * ParseError so that no later walk can run out of stack. */
#define MAX_TREE_HEIGHT 1000

typedef struct parser {
	lexer lx;
	mg_parse_error *pe;
	bool failed;
	int depth;
	int no_comma;    /* inside method-call arguments: ',' separates arguments */
} parser;

static ast *parse_statement(parser *p);
static ast *parse_pipeline(parser *p);
static ast *parse_block_until(parser *p, tok_kind end, size_t open_pos);
static ast *parse_expression(parser *p);
static ast *parse_unary(parser *p);
static ast *parse_postfix(parser *p, ast *base);
static ast *parse_expandable(parser *p, size_t pos, size_t len, const char *raw);
static size_t dq_body(const parser *p, size_t pos);
static void consume(parser *p, lx_mode m);

void mg_src_linecol(const char *src, size_t len, size_t pos, int *line, int *col)
{
	int l = 1, c = 1;
	for (size_t i = 0; i < pos && i < len; i++) {
		if (src[i] == '\n') {
			l++;
			c = 1;
		} else {
			c++;
		}
	}
	*line = l;
	*col = c;
}

/* The errors about a token where something else was due (name_unsupported
 * looks at those for an operator migsh does not support). */
static const char *const unexpected_ids[] = { "UnexpectedToken", "ExpectedValueExpression",
                                              "MissingEndParenthesisInExpression", "EmptyPipeElement",
                                              NULL };

static void fail(parser *p, size_t pos, size_t len, bool incomplete, const char *id, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
static void fail(parser *p, size_t pos, size_t len, bool incomplete, const char *id, const char *fmt, ...)
{
	if (p->failed)
		return;
	p->failed = true;
	mg_parse_error *pe = p->pe;
	pe->pos = pos;
	pe->len = len ? len : 1;
	pe->incomplete = incomplete;
	snprintf(pe->id, sizeof pe->id, "%s", id);
	pe->unexpected = str_list_has(unexpected_ids, id, false);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(pe->msg, sizeof pe->msg, fmt, ap);
	va_end(ap);
}

/* Report a token the grammar did not expect (lexer errors included). */
static void fail_tok(parser *p, const token *t, const char *id, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void fail_tok(parser *p, const token *t, const char *id, const char *fmt, ...)
{
	if (p->failed)
		return;
	if (t->kind == TK_ERROR) {
		fail(p, p->lx.err_pos, t->len, p->lx.err_incomplete, p->lx.err_id, "%s", p->lx.err_msg);
		return;
	}
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	fail(p, t->pos, t->len, t->kind == TK_EOF, id, "%s", msg);
}

static token next(parser *p, lx_mode m)
{
	return lx_next(&p->lx, m);
}

static token peek(parser *p, lx_mode m)
{
	size_t s = lx_save(&p->lx);
	token t = lx_next(&p->lx, m);
	lx_restore(&p->lx, s);
	return t;
}

static tok_kind peek_kind(parser *p, lx_mode m)
{
	token t = peek(p, m);
	tok_kind k = t.kind;
	tok_free(&t);
	return k;
}

static void skip_newlines(parser *p)
{
	for (;;) {
		size_t s = lx_save(&p->lx);
		token t = next(p, LX_EXPR);
		tok_kind k = t.kind;
		tok_free(&t);
		if (k != TK_NEWLINE) {
			lx_restore(&p->lx, s);
			return;
		}
	}
}

static bool enter(parser *p, size_t pos)
{
	if (++p->depth > MAX_DEPTH) {
		fail(p, pos, 1, false, "NestingTooDeep", "The script is nested too deeply (more than %d levels).", MAX_DEPTH);
		return false;
	}
	return true;
}

static void leave(parser *p)
{
	p->depth--;
}

/* true (and the parse fails) when n makes the tree too tall to walk */
static bool too_tall(parser *p, const ast *n)
{
	if (!n || n->height <= MAX_TREE_HEIGHT)
		return false;
	fail(p, n->pos + n->len, 1, false, "ExpressionTooComplex",
	     "The expression is too complex to evaluate: more than %d operators, members or indexes are chained.",
	     MAX_TREE_HEIGHT);
	return true;
}

static const char *tok_desc(const token *t, const lexer *lx)
{
	static const char *const names[] = {
		"end of input", "newline", ";", "|", "&", "(", ")", "{", "}", "[", "]", ",", ".", "::", "..",
		"$(", "@(", "@{", "=", "variable", "number", "string", "string", "parameter", "operator", "word", "redirection", "error"
	};
	(void)lx;
	return names[t->kind];
}

/* ---------- expandable strings ---------- */

static void add_lit(ast *xs, strbuf *sb, size_t pos)
{
	if (!sb->len)
		return;
	ast *s = ast_new(N_STRING, pos, sb->len);
	s->str = strbuf_detach(sb, NULL);
	ast_add(xs, s);
}

static char escape_char(char c)
{
	switch (c) {
	case 'n': return '\n';
	case 't': return '\t';
	case 'r': return '\r';
	case '0': return '\0';
	case 'a': return '\a';
	case 'b': return '\b';
	case 'f': return '\f';
	case 'v': return '\v';
	case 'e': return 27;
	default:  return c;
	}
}

/* Where the body of a double-quoted token starting at pos begins: after
 * the quote, or after the first line of a here-string (@"). */
static size_t dq_body(const parser *p, size_t pos)
{
	if (p->lx.src[pos] != '@')
		return pos + 1;
	size_t b = pos + 2;
	if (b < p->lx.len && p->lx.src[b] == '\r')
		b++;
	return b + 1;
}

/* raw = inner text of a "..." token that starts (with the quote) at pos. */
static ast *parse_expandable(parser *p, size_t pos, size_t len, const char *raw)
{
	ast *xs = ast_new(N_XSTRING, pos, len);
	strbuf sb = STRBUF_INIT;
	size_t base = dq_body(p, pos);   /* absolute position of raw[0] */
	bool here = p->lx.src[pos] == '@';
	size_t n = strlen(raw);
	for (size_t i = 0; i < n && !p->failed; ) {
		char c = raw[i];
		if (c == '`' && i + 1 < n) {
			char e = escape_char(raw[i + 1]);
			if (e == '\0')
				strbuf_add(&sb, "", 1);
			else
				strbuf_addc(&sb, e);
			i += 2;
		} else if (c == '"' && !here && i + 1 < n && raw[i + 1] == '"') {
			strbuf_addc(&sb, '"');
			i += 2;
		} else if (c == '$' && i + 1 < n && raw[i + 1] == '(') {
			add_lit(xs, &sb, base + i);
			/* re-lex the sub-expression inside the full source */
			lexer saved = p->lx;
			lx_init(&p->lx, saved.src, saved.len);
			p->lx.pos = base + i + 2;
			ast *blk = parse_block_until(p, TK_RPAREN, base + i);
			size_t after = p->lx.pos;
			p->lx = saved;
			if (!blk)
				break;
			ast *se = ast_new(N_SUBEXPR, base + i, after - (base + i));
			ast_add(se, blk);
			ast_add(xs, se);
			i = after - base;
		} else if (c == '$' && i + 1 < n && raw[i + 1] == '{') {
			size_t e = i + 2;
			while (e < n && raw[e] != '}')
				e++;
			add_lit(xs, &sb, base + i);
			ast *v = ast_new(N_VAR, base + i, e + 1 - i);
			v->str = xstrndup(raw + i + 2, e - i - 2);
			ast_add(xs, v);
			i = e < n ? e + 1 : e;
		} else if (c == '$' && i + 1 < n && (isalnum((unsigned char)raw[i + 1]) || raw[i + 1] == '_' || raw[i + 1] == '?')) {
			size_t e = i + 1;
			if (raw[e] == '?') {
				e++;
			} else {
				while (e < n && (isalnum((unsigned char)raw[e]) || raw[e] == '_' ||
				                 (raw[e] == ':' && e + 1 < n && isalpha((unsigned char)raw[e + 1]) &&
				                  (e - i - 1 == 3 || e - i - 1 == 6 || e - i - 1 == 5))))
					e++;
			}
			add_lit(xs, &sb, base + i);
			ast *v = ast_new(N_VAR, base + i, e - i);
			v->str = xstrndup(raw + i + 1, e - i - 1);
			ast_add(xs, v);
			i = e;
		} else {
			strbuf_addc(&sb, c);
			i++;
		}
	}
	add_lit(xs, &sb, base + n);
	strbuf_free(&sb);
	if (p->failed) {
		ast_free(xs);
		return NULL;
	}
	return xs;
}

/* ---------- hashtables and script blocks ---------- */

static bool parse_body_params(parser *p, ast *into);
static ast *parse_body(parser *p, size_t open);

/* { [CmdletBinding()] param(...) body }: the parameters follow the body
 * as kids[1..] of the N_SCRIPTBLOCK */
static ast *parse_scriptblock(parser *p, size_t open_pos)
{
	ast *params = ast_new(N_BLOCK, 0, 0);
	if (!parse_body_params(p, params)) {
		ast_free(params);
		return NULL;
	}
	ast *blk = parse_body(p, open_pos);
	if (!blk) {
		ast_free(params);
		return NULL;
	}
	ast *sb = ast_new(N_SCRIPTBLOCK, open_pos + 1, p->lx.pos - 1 - (open_pos + 1));
	sb->flags |= params->flags & (AF_CMDLETBINDING | AF_NOPOSITIONAL | AF_SHOULDPROCESS);
	sb->str = params->str;
	params->str = NULL;
	ast_add(sb, blk);
	for (size_t i = 0; i < params->nkids; i++)
		ast_add(sb, params->kids[i]);
	params->nkids = 0;
	ast_free(params);
	return sb;
}

static ast *parse_hash(parser *p, size_t open_pos)
{
	ast *h = ast_new(N_HASH, open_pos, 2);
	for (;;) {
		/* separators */
		for (;;) {
			tok_kind k = peek_kind(p, LX_EXPR);
			if (k == TK_NEWLINE || k == TK_SEMI) {
				token t = next(p, LX_EXPR);
				tok_free(&t);
			} else {
				break;
			}
		}
		token t = next(p, LX_EXPR);
		if (t.kind == TK_RBRACE) {
			h->len = t.pos + 1 - open_pos;
			tok_free(&t);
			return h;
		}
		ast *key = NULL;
		if (t.kind == TK_WORD || t.kind == TK_SQSTRING) {
			key = ast_new(N_STRING, t.pos, t.len);
			key->str = t.text;
			t.text = NULL;
		} else if (t.kind == TK_DQSTRING) {
			key = parse_expandable(p, t.pos, t.len, t.text);
		} else if (t.kind == TK_NUMBER) {
			key = ast_new(N_NUMBER, t.pos, t.len);
			key->is_int = t.is_int;
			key->inum = t.inum;
			key->num = t.num;
		} else if (t.kind == TK_VAR) {
			key = ast_new(N_VAR, t.pos, t.len);
			key->str = t.text;
			t.text = NULL;
		} else {
			if (t.kind == TK_EOF)
				fail(p, open_pos, 2, true, "MissingEndCurlyBrace",
				     "The hash literal was incomplete: missing closing '}'.");
			else
				fail_tok(p, &t, "MissingEqualsInHashLiteral",
				         "Missing '=' operator after key in hash literal.");
			tok_free(&t);
			ast_free(h);
			return NULL;
		}
		tok_free(&t);
		if (!key) {
			ast_free(h);
			return NULL;
		}
		token eq = next(p, LX_EXPR);
		if (eq.kind != TK_ASSIGN || strcmp(eq.text, "=") != 0) {
			fail_tok(p, &eq, "MissingEqualsInHashLiteral", "Missing '=' operator after key in hash literal.");
			tok_free(&eq);
			ast_free(key);
			ast_free(h);
			return NULL;
		}
		tok_free(&eq);
		skip_newlines(p);
		ast *val = parse_statement(p);
		if (!val) {
			if (!p->failed)
				fail(p, p->lx.pos, 1, peek_kind(p, LX_EXPR) == TK_EOF, "MissingHashValue",
				     "Missing statement after '=' in hash literal.");
			ast_free(key);
			ast_free(h);
			return NULL;
		}
		ast_add(h, key);
		ast_add(h, val);
	}
}

/* ---------- primaries shared by both modes ---------- */

/* t is consumed (its text moved or freed). */
static ast *primary_from_token(parser *p, token *t, lx_mode mode)
{
	ast *n = NULL;
	switch (t->kind) {
	case TK_NUMBER:
		n = ast_new(N_NUMBER, t->pos, t->len);
		n->is_int = t->is_int;
		n->inum = t->inum;
		n->num = t->num;
		n->str = xstrndup(p->lx.src + t->pos, t->len);
		break;
	case TK_SQSTRING:
		n = ast_new(N_STRING, t->pos, t->len);
		n->str = t->text;
		t->text = NULL;
		break;
	case TK_DQSTRING:
		n = parse_expandable(p, t->pos, t->len, t->text);
		break;
	case TK_WORD:
		if (mode == LX_ARG) {
			n = ast_new(N_STRING, t->pos, t->len);
			n->flags |= AF_BAREWORD;
			n->str = t->text;
			t->text = NULL;
		} else {
			fail_tok(p, t, "UnexpectedToken", "Unexpected token '%s' in expression or statement.", t->text);
		}
		break;
	case TK_VAR:
		n = ast_new(N_VAR, t->pos, t->len);
		n->str = t->text;
		t->text = NULL;
		if (t->splat)
			n->flags |= AF_SPLAT;
		break;
	case TK_LPAREN: {
		/* inside ( ), @( ), $( ), { } a comma makes an array again, even
		 * within method-call arguments: [string]::Join(',', @('a','b')) */
		int saved_no_comma = p->no_comma;
		p->no_comma = 0;
		skip_newlines(p);
		ast *inner = parse_statement(p);
		p->no_comma = saved_no_comma;
		if (!inner) {
			if (!p->failed) {
				token e = peek(p, LX_EXPR);
				fail_tok(p, &e, "ExpectedExpression", "An expression was expected after '('.");
				tok_free(&e);
			}
			break;
		}
		skip_newlines(p);
		token r = next(p, LX_EXPR);
		if (r.kind != TK_RPAREN) {
			if (r.kind == TK_EOF)
				fail(p, t->pos, 1, true, "MissingEndParenthesisInExpression",
				     "Missing closing ')' in expression.");
			else
				fail_tok(p, &r, "MissingEndParenthesisInExpression",
				         "Missing closing ')' in expression.");
			tok_free(&r);
			ast_free(inner);
			break;
		}
		n = ast_new(N_PAREN, t->pos, r.pos + 1 - t->pos);
		tok_free(&r);
		ast_add(n, inner);
		break;
	}
	case TK_SUBEXPR:
	case TK_ARRAYEXPR: {
		ast *blk = parse_block_until(p, TK_RPAREN, t->pos);
		if (!blk)
			break;
		n = ast_new(t->kind == TK_SUBEXPR ? N_SUBEXPR : N_ARRAYEXPR, t->pos, p->lx.pos - t->pos);
		ast_add(n, blk);
		break;
	}
	case TK_HASH:
		n = parse_hash(p, t->pos);
		break;
	case TK_LBRACE:
		n = parse_scriptblock(p, t->pos);
		break;
	default:
		if (t->kind == TK_EOF)
			fail_tok(p, t, "ExpectedValueExpression", "An expression was expected here, but the input ended.");
		else
			fail_tok(p, t, "UnexpectedToken", "Unexpected token '%s' in expression or statement.",
			         t->text ? t->text : tok_desc(t, &p->lx));
		break;
	}
	tok_free(t);
	return n;
}

/* Postfix operators written without white space: .Member, ::Member,
 * [index], .Method(args).  Used in both modes. */
static ast *parse_postfix(parser *p, ast *base)
{
	while (base && !p->failed) {
		if (too_tall(p, base)) {
			ast_free(base);
			return NULL;
		}
		size_t pos = p->lx.pos;
		int c = pos < p->lx.len ? (unsigned char)p->lx.src[pos] : 0;
		int c1 = pos + 1 < p->lx.len ? (unsigned char)p->lx.src[pos + 1] : 0;
		bool is_static = false;
		if (c == '.' && c1 != '.' && (isalpha(c1) || c1 == '_' || c1 == '$' || c1 == '"' || c1 == '\'')) {
			p->lx.pos = pos + 1;
		} else if (c == ':' && c1 == ':') {
			p->lx.pos = pos + 2;
			is_static = true;
		} else if (c == '[') {
			p->lx.pos = pos + 1;
			skip_newlines(p);
			ast *idx = parse_expression(p);
			if (!idx) {
				ast_free(base);
				return NULL;
			}
			skip_newlines(p);
			token r = next(p, LX_EXPR);
			if (r.kind != TK_RBRACKET) {
				fail_tok(p, &r, "MissingEndSquareBracket", "Missing ']' after array index expression.");
				tok_free(&r);
				ast_free(idx);
				ast_free(base);
				return NULL;
			}
			ast *ix = ast_new(N_INDEX, base->pos, r.pos + 1 - base->pos);
			tok_free(&r);
			ast_add(ix, base);
			ast_add(ix, idx);
			base = ix;
			continue;
		} else {
			break;
		}
		/* member name */
		token m = next(p, LX_EXPR);
		ast *name = NULL;
		if (m.kind == TK_WORD || m.kind == TK_SQSTRING) {
			name = ast_new(N_STRING, m.pos, m.len);
			name->str = m.text;
			m.text = NULL;
		} else if (m.kind == TK_VAR) {
			name = ast_new(N_VAR, m.pos, m.len);
			name->str = m.text;
			m.text = NULL;
		} else if (m.kind == TK_DQSTRING) {
			name = parse_expandable(p, m.pos, m.len, m.text);
		} else {
			fail_tok(p, &m, "MissingPropertyName", "Missing property name after reference operator.");
			tok_free(&m);
			ast_free(base);
			return NULL;
		}
		size_t mend = m.pos + m.len;
		tok_free(&m);
		if (!name) {
			ast_free(base);
			return NULL;
		}
		if (p->lx.pos < p->lx.len && p->lx.src[p->lx.pos] == '(') {
			/* method call */
			p->lx.pos++;
			ast *call = ast_new(N_INVOKE, base->pos, 0);
			if (is_static)
				call->flags |= AF_STATIC;
			call->str = name->kind == N_STRING ? xstrdup(name->str) : xstrdup("");
			ast_free(name);
			ast_add(call, base);
			skip_newlines(p);
			if (peek_kind(p, LX_EXPR) == TK_RPAREN) {
				token r = next(p, LX_EXPR);
				call->len = r.pos + 1 - call->pos;
				tok_free(&r);
			} else {
				for (;;) {
					p->no_comma++;
					ast *arg = parse_expression(p);
					p->no_comma--;
					if (!arg) {
						ast_free(call);
						return NULL;
					}
					ast_add(call, arg);
					skip_newlines(p);
					token s = next(p, LX_EXPR);
					if (s.kind == TK_COMMA) {
						tok_free(&s);
						skip_newlines(p);
						continue;
					}
					if (s.kind == TK_RPAREN) {
						call->len = s.pos + 1 - call->pos;
						tok_free(&s);
						break;
					}
					fail_tok(p, &s, "MissingEndParenthesisInMethodCall",
					         "Missing closing ')' in method call.");
					tok_free(&s);
					ast_free(call);
					return NULL;
				}
			}
			base = call;
			continue;
		}
		ast *mem = ast_new(N_MEMBER, base->pos, mend - base->pos);
		if (is_static)
			mem->flags |= AF_STATIC;
		if (name->kind == N_STRING) {
			mem->str = xstrdup(name->str);
			ast_free(name);
			ast_add(mem, base);
		} else {
			ast_add(mem, base);
			ast_add(mem, name);   /* dynamic member name: kids[1] */
		}
		base = mem;
	}
	return base;
}

/* ---------- expressions ---------- */

static ast *parse_primary(parser *p)
{
	lx_skip_space(&p->lx);
	size_t pos = p->lx.pos;
	if (pos < p->lx.len && p->lx.src[pos] == '[') {
		p->lx.pos++;
		char *tn = lx_type_name(&p->lx);
		if (!tn) {
			fail(p, pos, 1, p->lx.pos >= p->lx.len, "InvalidTypeName",
			     "Missing ']' or an invalid type name after '['.");
			return NULL;
		}
		ast *ty = ast_new(N_TYPE, pos, p->lx.pos - pos);
		ty->str = tn;
		int c = p->lx.pos < p->lx.len ? p->lx.src[p->lx.pos] : 0;
		if (c == ':' || c == '.')
			return parse_postfix(p, ty);
		/* a cast applies to the following unary expression, if any */
		size_t save = lx_save(&p->lx);
		token t = peek(p, LX_EXPR);
		bool operand = t.kind == TK_NUMBER || t.kind == TK_SQSTRING || t.kind == TK_DQSTRING ||
		               t.kind == TK_VAR || t.kind == TK_LPAREN || t.kind == TK_SUBEXPR ||
		               t.kind == TK_ARRAYEXPR || t.kind == TK_HASH ||
		               (t.kind == TK_OP && (strcmp(t.text, "-") == 0 || strcmp(t.text, "!") == 0));
		bool bracket = lx_peekc(&p->lx) == '[';
		lx_restore(&p->lx, save);
		tok_free(&t);
		if (operand || bracket) {
			ast *val = parse_unary(p);
			if (!val) {
				ast_free(ty);
				return NULL;
			}
			ast *cast = ast_new(N_CAST, pos, val->pos + val->len - pos);
			cast->str = ty->str;
			ty->str = NULL;
			ast_free(ty);
			ast_add(cast, val);
			return cast;
		}
		return ty;
	}
	token t = next(p, LX_EXPR);
	ast *n = primary_from_token(p, &t, LX_EXPR);
	return parse_postfix(p, n);
}

static ast *parse_unary(parser *p)
{
	if (!enter(p, p->lx.pos))
		return NULL;
	token t = peek(p, LX_EXPR);
	ast *r = NULL;
	if (t.kind == TK_OP && (strcmp(t.text, "!") == 0 || strcmp(t.text, "not") == 0 ||
	                        strcmp(t.text, "-") == 0 || strcmp(t.text, "+") == 0)) {
		token o = next(p, LX_EXPR);
		skip_newlines(p);
		ast *v = parse_unary(p);
		if (v) {
			r = ast_new(N_UNOP, o.pos, v->pos + v->len - o.pos);
			r->str = xstrdup(strcmp(o.text, "!") == 0 ? "not" : o.text);
			r->op = ast_op_from_text(r->str, true, NULL);
			ast_add(r, v);
		}
		tok_free(&o);
	} else {
		r = parse_primary(p);
	}
	tok_free(&t);
	leave(p);
	return r;
}

static ast *binop(const char *op, ast *l, ast *r, ast_kind kind)
{
	ast *n = ast_new(kind, l->pos, r->pos + r->len - l->pos);
	n->str = op ? xstrdup(op) : NULL;
	if (op) {
		bool cs;
		n->op = ast_op_from_text(op, false, &cs);
		if (cs)
			n->flags |= AF_OP_CASE;
	}
	ast_add(n, l);
	ast_add(n, r);
	return n;
}

static ast *parse_array(parser *p)
{
	ast *first;
	if (!p->no_comma && peek_kind(p, LX_EXPR) == TK_COMMA) {
		/* unary comma: ,x is an array holding x (PowerShell's one-element array) */
		token c = next(p, LX_EXPR);
		skip_newlines(p);
		ast *it = parse_unary(p);
		if (!it) {
			tok_free(&c);
			return NULL;
		}
		first = ast_new(N_ARRAY, c.pos, it->pos + it->len - c.pos);
		ast_add(first, it);
		tok_free(&c);
	} else {
		first = parse_unary(p);
	}
	if (!first || p->no_comma)
		return first;
	if (peek_kind(p, LX_EXPR) != TK_COMMA)
		return first;
	ast *arr = ast_new(N_ARRAY, first->pos, first->len);
	ast_add(arr, first);
	while (peek_kind(p, LX_EXPR) == TK_COMMA) {
		token c = next(p, LX_EXPR);
		tok_free(&c);
		skip_newlines(p);
		ast *it = parse_unary(p);
		if (!it) {
			ast_free(arr);
			return NULL;
		}
		arr->len = it->pos + it->len - arr->pos;
		ast_add(arr, it);
	}
	return arr;
}

static ast *parse_range(parser *p)
{
	ast *l = parse_array(p);
	if (l && peek_kind(p, LX_EXPR) == TK_DOTDOT) {
		token t = next(p, LX_EXPR);
		tok_free(&t);
		skip_newlines(p);
		ast *r = parse_array(p);
		if (!r) {
			ast_free(l);
			return NULL;
		}
		l = binop(NULL, l, r, N_RANGE);
		if (too_tall(p, l)) {
			ast_free(l);
			return NULL;
		}
	}
	return l;
}

typedef ast *(*level_fn)(parser *);

static bool op_in(const char *op, const char *const *set)
{
	for (size_t i = 0; set[i]; i++)
		if (strcmp(op, set[i]) == 0)
			return true;
	return false;
}

static ast *parse_level(parser *p, level_fn sub, const char *const *ops)
{
	if (!enter(p, p->lx.pos))
		return NULL;
	ast *l = sub(p);
	while (l) {
		token t = peek(p, LX_EXPR);
		bool match = t.kind == TK_OP && op_in(t.text, ops);
		tok_free(&t);
		if (!match)
			break;
		token o = next(p, LX_EXPR);
		skip_newlines(p);
		ast *r = sub(p);
		if (!r) {
			if (!p->failed)
				fail(p, o.pos, o.len, true, "ExpectedValueExpression",
				     "You must provide a value expression following the '-%s' operator.", o.text);
			tok_free(&o);
			ast_free(l);
			leave(p);
			return NULL;
		}
		l = binop(o.text, l, r, N_BINOP);
		tok_free(&o);
		if (too_tall(p, l)) {
			ast_free(l);
			leave(p);
			return NULL;
		}
	}
	leave(p);
	return l;
}

static const char *const ops_format[] = { "f", NULL };
static const char *const ops_mul[] = { "*", "/", "%", NULL };
static const char *const ops_add[] = { "+", "-", NULL };
static const char *const ops_cmp[] = {
	"eq", "ne", "gt", "ge", "lt", "le", "like", "notlike", "match", "notmatch",
	"contains", "notcontains", "in", "notin",
	"ceq", "cne", "cgt", "cge", "clt", "cle", "clike", "cnotlike", "cmatch", "cnotmatch",
	"ccontains", "cnotcontains", "cin", "cnotin",
	"ieq", "ine", "igt", "ige", "ilt", "ile", "ilike", "inotlike", "imatch", "inotmatch",
	"icontains", "inotcontains", "iin", "inotin",
	"replace", "ireplace", "creplace", "split", "join", "is", "isnot", "as", "band", "bor", NULL
};
static const char *const ops_logic[] = { "and", "or", "xor", NULL };

static ast *parse_format(parser *p) { return parse_level(p, parse_range, ops_format); }
static ast *parse_mul(parser *p) { return parse_level(p, parse_format, ops_mul); }
static ast *parse_add(parser *p) { return parse_level(p, parse_mul, ops_add); }
static ast *parse_cmp(parser *p) { return parse_level(p, parse_add, ops_cmp); }

static ast *parse_expression(parser *p)
{
	return parse_level(p, parse_cmp, ops_logic);
}

/* ---------- commands ---------- */

static bool arg_end(tok_kind k)
{
	return k == TK_EOF || k == TK_NEWLINE || k == TK_SEMI || k == TK_PIPE || k == TK_RPAREN ||
	       k == TK_RBRACE || k == TK_AMP;
}

static ast *parse_arg_primary(parser *p)
{
	token t = next(p, LX_ARG);
	if (t.kind == TK_PARAM) {
		/* "-5" style words are numbers; anything else here is a word */
		ast *s = ast_new(N_STRING, t.pos, t.len);
		s->flags |= AF_BAREWORD;
		s->str = xstrndup(p->lx.src + t.pos, t.len);
		tok_free(&t);
		return s;
	}
	ast *n = primary_from_token(p, &t, LX_ARG);
	if (n && (n->kind == N_VAR || n->kind == N_PAREN || n->kind == N_SUBEXPR ||
	          n->kind == N_ARRAYEXPR || n->kind == N_HASH || n->kind == N_STRING))
		n = parse_postfix(p, n);
	return n;
}

/* The argument that must come next (after a ',' of a list, after the '.' of
 * dot-sourcing): parsed, or NULL with the parse error id/msg when the
 * arguments end there (or a second comma follows, if comma_ends), placed at
 * [pos, pos+len), or on the next token when len is 0. */
static ast *parse_required_arg(parser *p, bool comma_ends, size_t pos, size_t len, const char *id,
                               const char *msg)
{
	tok_kind k = peek_kind(p, LX_ARG);
	if (arg_end(k) || (comma_ends && k == TK_COMMA)) {
		token e = peek(p, LX_ARG);
		fail(p, len ? pos : e.pos, len ? len : e.len, k == TK_EOF, id, "%s", msg);
		tok_free(&e);
		return NULL;
	}
	return parse_arg_primary(p);
}

static ast *parse_arg_value(parser *p)
{
	ast *first = parse_arg_primary(p);
	if (!first)
		return NULL;
	if (peek_kind(p, LX_ARG) != TK_COMMA)
		return first;
	ast *arr = ast_new(N_ARRAY, first->pos, first->len);
	ast_add(arr, first);
	while (peek_kind(p, LX_ARG) == TK_COMMA) {
		token c = next(p, LX_ARG);
		tok_free(&c);
		skip_newlines(p);
		ast *it = parse_required_arg(p, true, 0, 0, "MissingExpressionAfterToken",
		                             "Missing expression after ','.");
		if (!it) {
			ast_free(arr);
			return NULL;
		}
		arr->len = it->pos + it->len - arr->pos;
		ast_add(arr, it);
	}
	return arr;
}

/* 2>$null, > file, >> file, 2>&1, *> $null: the next token is TK_REDIR */
static ast *parse_redirection(parser *p)
{
	token t = next(p, LX_ARG);
	ast *r = ast_new(N_REDIR, t.pos, t.len);
	r->str = xstrndup(t.text, 1);
	const char *kind = t.text + 1;
	if (!strcmp(kind, ">>"))
		r->flags |= AF_REDIR_APPEND;
	if (!strcmp(kind, ">&1"))
		r->flags |= AF_REDIR_MERGE;
	if (!(r->flags & AF_REDIR_MERGE)) {
		lx_skip_space(&p->lx);
		tok_kind k = peek_kind(p, LX_ARG);
		if (arg_end(k) || k == TK_REDIR) {
			fail(p, t.pos, t.len, k == TK_EOF, "MissingFileSpecification",
			     "Missing file specification after redirection operator.");
			tok_free(&t);
			ast_free(r);
			return NULL;
		}
		ast *target = parse_arg_primary(p);
		if (!target) {
			tok_free(&t);
			ast_free(r);
			return NULL;
		}
		ast_add(r, target);
		r->len = p->lx.pos - r->pos;
	}
	tok_free(&t);
	return r;
}

static ast *parse_command(parser *p)
{
	token name = next(p, LX_ARG);
	ast *cmd = NULL;
	if (name.kind == TK_AMP) {
		cmd = ast_new(N_COMMAND, name.pos, name.len);
		cmd->flags |= AF_INVOKE;
		tok_free(&name);
		ast *what = parse_arg_primary(p);
		if (!what) {
			ast_free(cmd);
			return NULL;
		}
		ast_add(cmd, what);
	} else if (name.kind == TK_WORD && !name.quoted_word && !strcmp(name.text, ".") &&
	           (p->lx.pos >= p->lx.len || p->lx.src[p->lx.pos] == ' ' || p->lx.src[p->lx.pos] == '\t')) {
		/* . ./lib.ps1: dot-sourcing runs the script (or block, or function)
		 * in the caller's scope */
		cmd = ast_new(N_COMMAND, name.pos, name.len);
		cmd->flags |= AF_INVOKE | AF_DOTSOURCE;
		tok_free(&name);
		lx_skip_space(&p->lx);
		ast *what = parse_required_arg(p, false, cmd->pos, 1, "MissingExpression",
		                               "Missing the script to dot-source after '.'.");
		if (!what) {
			ast_free(cmd);
			return NULL;
		}
		ast_add(cmd, what);
	} else if (name.kind == TK_WORD || name.kind == TK_NUMBER) {
		cmd = ast_new(N_COMMAND, name.pos, name.len);
		cmd->str = name.text;
		name.text = NULL;
		tok_free(&name);
	} else {
		fail_tok(&*p, &name, "UnexpectedToken", "Unexpected token '%s' in expression or statement.",
		         name.text ? name.text : tok_desc(&name, &p->lx));
		tok_free(&name);
		return NULL;
	}
	for (;;) {
		token t = peek(p, LX_ARG);
		if (arg_end(t.kind)) {
			tok_free(&t);
			break;
		}
		if (t.kind == TK_ERROR) {
			fail_tok(p, &t, "", "%s", "");
			tok_free(&t);
			ast_free(cmd);
			return NULL;
		}
		if (t.kind == TK_REDIR) {
			tok_free(&t);
			ast *r = parse_redirection(p);
			if (!r) {
				ast_free(cmd);
				return NULL;
			}
			ast_add(cmd, r);
			cmd->len = p->lx.pos - cmd->pos;
			continue;
		}
		if (t.kind == TK_PARAM && !(t.text[0] == '-')) {
			tok_free(&t);
			token pt = next(p, LX_ARG);
			ast *prm = ast_new(N_CMDPARAM, pt.pos, pt.len);
			prm->str = pt.text;
			pt.text = NULL;
			if (pt.colon) {
				lx_skip_space(&p->lx);
				tok_kind k = peek_kind(p, LX_ARG);
				if (arg_end(k)) {
					token e = peek(p, LX_ARG);
					fail(p, pt.pos, pt.len, false, "ParameterRequiresArgument",
					     "The parameter '-%s' requires an argument after ':'.", prm->str);
					tok_free(&e);
					tok_free(&pt);
					ast_free(prm);
					ast_free(cmd);
					return NULL;
				}
				ast *v = parse_arg_value(p);
				if (!v) {
					tok_free(&pt);
					ast_free(prm);
					ast_free(cmd);
					return NULL;
				}
				ast_add(prm, v);
			}
			tok_free(&pt);
			ast_add(cmd, prm);
			cmd->len = p->lx.pos - cmd->pos;
			continue;
		}
		if (t.kind == TK_WORD && !t.quoted_word && t.text[0] == '<') {
			/* PowerShell's own answer: input redirection does not exist */
			fail_tok(p, &t, "RedirectionNotSupported", "The '<' operator is reserved for future use.");
			tok_free(&t);
			ast_free(cmd);
			return NULL;
		}
		tok_free(&t);
		ast *v = parse_arg_value(p);
		if (!v) {
			ast_free(cmd);
			return NULL;
		}
		ast_add(cmd, v);
		cmd->len = p->lx.pos - cmd->pos;
	}
	return cmd;
}

/* Does the next pipeline element start an expression (not a command)? */
static bool starts_expression(parser *p)
{
	int c = lx_peekc(&p->lx);
	size_t pos = p->lx.pos;
	int c1 = pos + 1 < p->lx.len ? (unsigned char)p->lx.src[pos + 1] : 0;
	if (c == '$' || c == '(' || c == '\'' || c == '"' || c == '[' || c == '{' || c == '!' || c == '+' ||
	    c == ',' || isdigit(c))
		return true;
	if (c == '@' && (c1 == '(' || c1 == '{' || c1 == '"' || c1 == '\''))
		return true;
	if (c == '.' && isdigit(c1))
		return true;
	if (c == '-')
		return true;
	return false;
}

static bool is_lvalue(const ast *n)
{
	return n->kind == N_VAR || n->kind == N_MEMBER || n->kind == N_INDEX ||
	       (n->kind == N_CAST && n->nkids == 1 && n->kids[0]->kind == N_VAR);
}

/* $a, $b = 1, 2: an array of variables (or other assignable things) */
static bool is_multi_lvalue(const ast *n)
{
	if (n->kind != N_ARRAY || n->nkids < 2)
		return false;
	for (size_t i = 0; i < n->nkids; i++)
		if (!is_lvalue(n->kids[i]))
			return false;
	return true;
}

static ast *parse_redirection(parser *p);

static ast *parse_pipeline(parser *p)
{
	ast *pl = NULL;
	ast *redirs = NULL;   /* redirections of expression elements, added at the end */
	for (;;) {
		ast *el;
		if (pl && starts_expression(p)) {
			fail(p, p->lx.pos, 1, false, "ExpressionsMustBeFirstInPipeline",
			     "Expressions are only allowed as the first element of a pipeline.");
			ast_free(pl);
			ast_free(redirs);
			return NULL;
		}
		if (starts_expression(p)) {
			el = parse_expression(p);
			if (el && !pl && is_lvalue(el)) {
				/* $i++ / $i-- : an assignment that writes nothing */
				token inc = peek(p, LX_EXPR);
				bool is_inc = inc.kind == TK_OP && (!strcmp(inc.text, "++") || !strcmp(inc.text, "--"));
				if (is_inc) {
					consume(p, LX_EXPR);
					ast *as = ast_new(N_ASSIGN, el->pos, inc.pos + 2 - el->pos);
					as->str = xstrdup(inc.text[0] == '+' ? "+=" : "-=");
					as->op = inc.text[0] == '+' ? OP_ADD : OP_SUB;
					ast_add(as, el);
					ast *one = ast_new(N_NUMBER, inc.pos, 2);
					one->is_int = true;
					one->inum = 1;
					one->num = 1;
					one->str = xstrdup("1");
					ast *pl1 = ast_new(N_PIPELINE, inc.pos, 2);
					ast_add(pl1, one);
					ast_add(as, pl1);
					tok_free(&inc);
					return as;
				}
				tok_free(&inc);
			}
			if (el && !pl && (is_lvalue(el) || is_multi_lvalue(el)) && peek_kind(p, LX_EXPR) == TK_ASSIGN) {
				token a = next(p, LX_EXPR);
				skip_newlines(p);
				tok_kind nk = peek_kind(p, LX_ARG);
				ast *rhs = arg_end(nk) ? NULL : parse_statement(p);
				if (!rhs) {
					if (!p->failed) {
						token e = peek(p, LX_EXPR);
						fail(p, a.pos, a.len, e.kind == TK_EOF, "ExpectedValueExpression",
						     "You must provide a value expression on the right-hand side of the '%s' operator.",
						     a.text);
						tok_free(&e);
					}
					tok_free(&a);
					ast_free(el);
					return NULL;
				}
				ast *as = ast_new(N_ASSIGN, el->pos, rhs->pos + rhs->len - el->pos);
				as->str = a.text;
				a.text = NULL;
				as->op = strcmp(as->str, "=") ? ast_op_from_text(as->str, false, NULL) : OP_NONE;
				tok_free(&a);
				ast_add(as, el);
				ast_add(as, rhs);
				return as;
			}
		} else {
			el = parse_command(p);
		}
		if (!el) {
			ast_free(pl);
			ast_free(redirs);
			return NULL;
		}
		if (!pl)
			pl = ast_new(N_PIPELINE, el->pos, el->len);
		ast_add(pl, el);
		pl->len = el->pos + el->len - pl->pos;
		if (el->kind != N_COMMAND && peek_kind(p, LX_ARG) == TK_REDIR) {
			/* "text" > file: an expression's redirections are the pipeline's
			 * (N_REDIR kids after its elements) */
			while (peek_kind(p, LX_ARG) == TK_REDIR) {
				ast *r = parse_redirection(p);
				if (!r) {
					ast_free(pl);
					ast_free(redirs);
					return NULL;
				}
				if (!redirs)
					redirs = ast_new(N_BLOCK, r->pos, 0);
				ast_add(redirs, r);
			}
		}
		if (peek_kind(p, LX_ARG) != TK_PIPE)
			break;
		token bar = next(p, LX_ARG);
		skip_newlines(p);
		tok_kind k = peek_kind(p, LX_ARG);
		if (arg_end(k) && k != TK_AMP) {
			fail(p, bar.pos, 1, k == TK_EOF, "EmptyPipeElement", "An empty pipe element is not allowed.");
			tok_free(&bar);
			ast_free(pl);
			ast_free(redirs);
			return NULL;
		}
		tok_free(&bar);
	}
	if (redirs) {
		for (size_t i = 0; i < redirs->nkids; i++)
			ast_add(pl, redirs->kids[i]);
		redirs->nkids = 0;
		ast_free(redirs);
	}
	return pl;
}

/* ---------- statements ---------- */

/* Is the next word (argument mode) the keyword kw?  Does not consume. */
static bool next_is_keyword(parser *p, const char *kw)
{
	token t = peek(p, LX_ARG);
	bool r = t.kind == TK_WORD && !t.quoted_word && str_ieq(t.text, kw);
	tok_free(&t);
	return r;
}

static void consume(parser *p, lx_mode m)
{
	token t = next(p, m);
	tok_free(&t);
}

static ast *parse_braced_block(parser *p, const char *what)
{
	skip_newlines(p);
	token t = next(p, LX_EXPR);
	if (t.kind != TK_LBRACE) {
		fail_tok(p, &t, "MissingStatementBlock", "Missing statement block after %s.", what);
		tok_free(&t);
		return NULL;
	}
	size_t open = t.pos;
	tok_free(&t);
	return parse_block_until(p, TK_RBRACE, open);
}

static ast *parse_condition(parser *p, const char *kw)
{
	skip_newlines(p);
	token t = next(p, LX_EXPR);
	if (t.kind != TK_LPAREN) {
		fail_tok(p, &t, "MissingOpenParenthesisInIfStatement", "Missing '(' after '%s' in if statement.", kw);
		tok_free(&t);
		return NULL;
	}
	size_t open = t.pos;
	tok_free(&t);
	skip_newlines(p);
	ast *c = parse_pipeline(p);
	if (!c) {
		if (!p->failed) {
			token e = peek(p, LX_EXPR);
			fail_tok(p, &e, "IfStatementMissingCondition", "Missing condition in if statement after '%s ('.", kw);
			tok_free(&e);
		}
		return NULL;
	}
	skip_newlines(p);
	token r = next(p, LX_EXPR);
	if (r.kind != TK_RPAREN) {
		if (r.kind == TK_EOF)
			fail(p, open, 1, true, "MissingEndParenthesisAfterStatement", "Missing closing ')' after the condition.");
		else
			fail_tok(p, &r, "MissingEndParenthesisAfterStatement", "Missing closing ')' after the condition.");
		tok_free(&r);
		ast_free(c);
		return NULL;
	}
	tok_free(&r);
	return c;
}

static ast *parse_if(parser *p)
{
	token kw = next(p, LX_ARG);
	ast *n = ast_new(N_IF, kw.pos, kw.len);
	tok_free(&kw);
	const char *which = "if";
	for (;;) {
		ast *c = parse_condition(p, which);
		if (!c)
			goto fail;
		ast_add(n, c);
		ast *b = parse_braced_block(p, which);
		if (!b)
			goto fail;
		ast_add(n, b);
		n->len = p->lx.pos - n->pos;
		size_t save = lx_save(&p->lx);
		skip_newlines(p);
		if (next_is_keyword(p, "elseif")) {
			consume(p, LX_ARG);
			which = "elseif";
			continue;
		}
		if (next_is_keyword(p, "else")) {
			consume(p, LX_ARG);
			ast *e = parse_braced_block(p, "else");
			if (!e)
				goto fail;
			ast_add(n, e);
			n->flags |= AF_ELSE;
			n->len = p->lx.pos - n->pos;
			break;
		}
		lx_restore(&p->lx, save);
		break;
	}
	return n;
fail:
	ast_free(n);
	return NULL;
}

/* switch [-Wildcard|-Regex|-Exact|-CaseSensitive] (value) { cond { ... } ... default { ... } } */
static ast *parse_switch(parser *p)
{
	token kw = next(p, LX_ARG);
	ast *n = ast_new(N_SWITCH, kw.pos, kw.len);
	tok_free(&kw);
	for (;;) {
		token o = peek(p, LX_ARG);
		if (o.kind != TK_PARAM) {
			tok_free(&o);
			break;
		}
		const char *name = o.text && o.text[0] == '-' ? o.text + 1 : o.text ? o.text : "";
		if (str_ieq(name, "Wildcard"))
			n->flags |= AF_SW_WILDCARD;
		else if (str_ieq(name, "Regex"))
			n->flags |= AF_SW_REGEX;
		else if (str_ieq(name, "CaseSensitive"))
			n->flags |= AF_SW_CASE;
		else if (str_ieq(name, "File")) {
			fail_tok(p, &o, "SwitchFileNotSupported", "switch -File is not supported by migsh: write "
			         "switch (Get-Content path) { ... }.");
			tok_free(&o);
			goto fail;
		} else if (!str_ieq(name, "Exact")) {
			fail_tok(p, &o, "InvalidSwitchFlag", "Invalid switch statement option '%s': use "
			         "-Wildcard, -Regex, -Exact or -CaseSensitive.", o.text ? o.text : "");
			tok_free(&o);
			goto fail;
		}
		tok_free(&o);
		consume(p, LX_ARG);
	}
	ast *v = parse_condition(p, "switch");
	if (!v)
		goto fail;
	ast_add(n, v);
	skip_newlines(p);
	token lb = next(p, LX_EXPR);
	if (lb.kind != TK_LBRACE) {
		fail_tok(p, &lb, "MissingCurlyBraceInSwitchStatement",
		         "Missing '{' in the switch statement: write its clauses as value { ... }.");
		tok_free(&lb);
		goto fail;
	}
	size_t open = lb.pos;
	tok_free(&lb);
	for (;;) {
		tok_kind k;
		while ((k = peek_kind(p, LX_ARG)) == TK_NEWLINE || k == TK_SEMI)
			consume(p, LX_ARG);
		if (k == TK_RBRACE) {
			consume(p, LX_ARG);
			break;
		}
		if (k == TK_EOF) {
			fail(p, open, 1, true, "MissingEndCurlyBrace",
			     "Missing closing '}' in statement block or type definition.");
			goto fail;
		}
		ast *cond;
		if (next_is_keyword(p, "default")) {
			token d = next(p, LX_ARG);
			cond = ast_new(N_STRING, d.pos, d.len);
			cond->str = xstrdup("default");
			cond->flags |= AF_SW_DEFAULT;
			tok_free(&d);
		} else if (!(cond = parse_arg_primary(p))) {
			goto fail;
		}
		ast_add(n, cond);
		ast *b = parse_braced_block(p, "the switch clause");
		if (!b)
			goto fail;
		ast_add(n, b);
	}
	n->len = p->lx.pos - n->pos;
	return n;
fail:
	ast_free(n);
	return NULL;
}

static ast *parse_foreach(parser *p)
{
	token kw = next(p, LX_ARG);
	ast *n = ast_new(N_FOREACH, kw.pos, kw.len);
	tok_free(&kw);
	skip_newlines(p);
	token t = next(p, LX_EXPR);
	if (t.kind != TK_LPAREN) {
		fail_tok(p, &t, "MissingOpenParenthesisAfterKeyword", "Missing '(' after 'foreach'.");
		tok_free(&t);
		goto fail;
	}
	tok_free(&t);
	skip_newlines(p);
	t = next(p, LX_EXPR);
	if (t.kind != TK_VAR) {
		fail_tok(p, &t, "MissingVariableNameAfterForeach", "Missing variable name after foreach.");
		tok_free(&t);
		goto fail;
	}
	n->str = t.text;
	t.text = NULL;
	tok_free(&t);
	skip_newlines(p);
	if (!next_is_keyword(p, "in")) {
		token e = peek(p, LX_ARG);
		fail_tok(p, &e, "MissingInInForeach", "Missing 'in' after variable in foreach loop.");
		tok_free(&e);
		goto fail;
	}
	consume(p, LX_ARG);
	skip_newlines(p);
	ast *coll = parse_pipeline(p);
	if (!coll) {
		if (!p->failed) {
			token e = peek(p, LX_EXPR);
			fail_tok(p, &e, "MissingForeachExpression", "Missing expression after 'in' in foreach loop.");
			tok_free(&e);
		}
		goto fail;
	}
	ast_add(n, coll);
	skip_newlines(p);
	t = next(p, LX_EXPR);
	if (t.kind != TK_RPAREN) {
		fail_tok(p, &t, "MissingEndParenthesisAfterForeach", "Missing closing ')' after expression in 'foreach' statement.");
		tok_free(&t);
		goto fail;
	}
	tok_free(&t);
	ast *b = parse_braced_block(p, "foreach");
	if (!b)
		goto fail;
	ast_add(n, b);
	n->len = p->lx.pos - n->pos;
	return n;
fail:
	ast_free(n);
	return NULL;
}

/* while (cond) { }   do { } while (cond)   do { } until (cond) */
static ast *parse_while(parser *p, bool is_do)
{
	token kw = next(p, LX_ARG);
	ast *n = ast_new(N_WHILE, kw.pos, kw.len);
	tok_free(&kw);
	if (is_do) {
		n->flags |= AF_DO;
		ast *body = parse_braced_block(p, "do");
		if (!body)
			goto fail;
		skip_newlines(p);
		bool w = next_is_keyword(p, "while"), u = next_is_keyword(p, "until");
		if (!w && !u) {
			token e = peek(p, LX_ARG);
			fail_tok(p, &e, "MissingWhileOrUntilInDoWhile", "Missing 'while' or 'until' after the do block.");
			tok_free(&e);
			ast_free(body);
			goto fail;
		}
		if (u)
			n->flags |= AF_UNTIL;
		consume(p, LX_ARG);
		ast *c = parse_condition(p, u ? "until" : "while");
		if (!c) {
			ast_free(body);
			goto fail;
		}
		ast_add(n, c);
		ast_add(n, body);
	} else {
		ast *c = parse_condition(p, "while");
		if (!c)
			goto fail;
		ast_add(n, c);
		ast *body = parse_braced_block(p, "while");
		if (!body)
			goto fail;
		ast_add(n, body);
	}
	n->len = p->lx.pos - n->pos;
	return n;
fail:
	ast_free(n);
	return NULL;
}

/* for (init; cond; step) { } - each part may be empty */
static ast *parse_for(parser *p)
{
	token kw = next(p, LX_ARG);
	ast *n = ast_new(N_FOR, kw.pos, kw.len);
	tok_free(&kw);
	skip_newlines(p);
	token t = next(p, LX_EXPR);
	if (t.kind != TK_LPAREN) {
		fail_tok(p, &t, "MissingOpenParenthesisAfterKeyword", "Missing '(' after 'for'.");
		tok_free(&t);
		goto fail;
	}
	size_t open = t.pos;
	tok_free(&t);
	for (int part = 0; part < 3; part++) {
		ast *blk = ast_new(N_BLOCK, p->lx.pos, 0);
		ast_add(n, blk);
		skip_newlines(p);
		tok_kind k = peek_kind(p, LX_EXPR);
		tok_kind want = part < 2 ? TK_SEMI : TK_RPAREN;
		if (k != want) {
			ast *st = parse_statement(p);
			if (!st)
				goto fail;
			ast_add(blk, st);
			skip_newlines(p);
		}
		token sep = next(p, LX_EXPR);
		if (sep.kind != want) {
			if (sep.kind == TK_EOF)
				fail(p, open, 1, true, "MissingEndParenthesisAfterFor", "Missing closing ')' in the for statement.");
			else
				fail_tok(p, &sep, "MissingSemicolonInFor", "Missing '%s' in the for statement.",
				         part < 2 ? ";" : ")");
			tok_free(&sep);
			goto fail;
		}
		tok_free(&sep);
	}
	ast *body = parse_braced_block(p, "for");
	if (!body)
		goto fail;
	ast_add(n, body);
	n->len = p->lx.pos - n->pos;
	return n;
fail:
	ast_free(n);
	return NULL;
}

/* try { } catch [ [Type] ] { } finally { } */
static ast *parse_try(parser *p)
{
	token kw = next(p, LX_ARG);
	ast *n = ast_new(N_TRY, kw.pos, kw.len);
	tok_free(&kw);
	ast *body = parse_braced_block(p, "try");
	if (!body)
		goto fail;
	ast_add(n, body);
	size_t save = lx_save(&p->lx);
	skip_newlines(p);
	/* catch clauses, in order: each body's str lists its exception types
	 * ("IO.IOException,Exception"), NULL for a clause that catches all */
	while (next_is_keyword(p, "catch")) {
		consume(p, LX_ARG);
		strbuf types = STRBUF_INIT;
		while (lx_peekc(&p->lx) == '[') {
			p->lx.pos++;
			char *tn = lx_type_name(&p->lx);
			if (!tn) {
				strbuf_free(&types);
				fail(p, p->lx.pos, 1, p->lx.pos >= p->lx.len, "InvalidTypeName", "Missing ']' after the exception type.");
				goto fail;
			}
			strbuf_addf(&types, "%s%s", types.len ? "," : "", tn);
			free(tn);
			lx_skip_space(&p->lx);
			if (lx_peekc(&p->lx) == ',') {
				p->lx.pos++;
				lx_skip_space(&p->lx);
			}
		}
		ast *c = parse_braced_block(p, "catch");
		if (!c) {
			strbuf_free(&types);
			goto fail;
		}
		c->str = types.len ? strbuf_detach(&types, NULL) : NULL;
		strbuf_free(&types);
		ast_add(n, c);
		n->flags |= AF_CATCH;
		save = lx_save(&p->lx);
		skip_newlines(p);
	}
	if (next_is_keyword(p, "finally")) {
		consume(p, LX_ARG);
		ast *f = parse_braced_block(p, "finally");
		if (!f)
			goto fail;
		ast_add(n, f);
		n->flags |= AF_FINALLY;
	} else {
		lx_restore(&p->lx, save);
	}
	if (!(n->flags & (AF_CATCH | AF_FINALLY))) {
		token e = peek(p, LX_ARG);
		fail(p, e.kind == TK_EOF ? n->pos : e.pos, e.len, e.kind == TK_EOF, "MissingCatchOrFinally",
		     "The try statement is missing its catch or finally block.");
		tok_free(&e);
		goto fail;
	}
	n->len = p->lx.pos - n->pos;
	return n;
fail:
	ast_free(n);
	return NULL;
}

/* One [Attribute(arguments)] or [type] at the current position (a '['):
 * an N_ATTR (str = the attribute's name; kids = positional argument
 * expressions and N_CMDPARAM named ones: Mandatory, Position = 0) or an
 * N_TYPE (str = the type name: "string", "int[]").  NULL on error. */
static ast *parse_attribute(parser *p)
{
	size_t open = p->lx.pos;
	const char *src = p->lx.src;
	size_t len = p->lx.len;
	p->lx.pos++;
	lx_skip_space(&p->lx);
	size_t q = p->lx.pos;
	while (q < len && (isalnum((unsigned char)src[q]) || src[q] == '.' || src[q] == '_'))
		q++;
	if (q == p->lx.pos || q >= len || src[q] != '(') {
		char *tn = lx_type_name(&p->lx);
		if (!tn) {
			fail(p, open, 1, p->lx.pos >= len, "MissingEndSquareBracket",
			     "Missing ']' after the attribute or type name.");
			return NULL;
		}
		ast *t = ast_new(N_TYPE, open, p->lx.pos - open);
		t->str = tn;
		return t;
	}
	ast *a = ast_new(N_ATTR, open, 0);
	a->str = xstrndup(src + p->lx.pos, q - p->lx.pos);
	p->lx.pos = q + 1;
	p->no_comma++;
	for (;;) {
		skip_newlines(p);
		if (lx_peekc(&p->lx) == ')') {
			p->lx.pos++;
			break;
		}
		/* a named argument: Name = value, or a bare Name (Mandatory) */
		size_t s0 = p->lx.pos, r = s0;
		while (r < len && (isalnum((unsigned char)src[r]) || src[r] == '_'))
			r++;
		size_t after = r;
		while (after < len && (src[after] == ' ' || src[after] == '\t'))
			after++;
		char c = after < len ? src[after] : 0;
		bool named = r > s0 && (isalpha((unsigned char)src[s0]) || src[s0] == '_') &&
		             ((c == '=' && (after + 1 >= len || src[after + 1] != '=')) || c == ',' || c == ')' ||
		              c == '\n' || c == '\r');
		if (named) {
			ast *np = ast_new(N_CMDPARAM, s0, r - s0);
			np->str = xstrndup(src + s0, r - s0);
			ast_add(a, np);
			p->lx.pos = after;
			if (c == '=') {
				p->lx.pos++;
				skip_newlines(p);
				ast *v = parse_expression(p);
				if (!v)
					goto fail;
				ast_add(np, v);
			}
		} else {
			ast *v = parse_expression(p);
			if (!v)
				goto fail;
			ast_add(a, v);
		}
		skip_newlines(p);
		int c2 = lx_peekc(&p->lx);
		if (c2 == ',') {
			p->lx.pos++;
			continue;
		}
		if (c2 == ')') {
			p->lx.pos++;
			break;
		}
		fail(p, p->lx.pos, 1, p->lx.pos >= len, "MissingEndParenthesisInMethodCall",
		     "Missing ')' after the arguments of the attribute [%s(...)].", a->str);
		goto fail;
	}
	p->no_comma--;
	if (lx_peekc(&p->lx) != ']') {
		fail(p, p->lx.pos, 1, p->lx.pos >= len, "MissingEndSquareBracket",
		     "Missing ']' after the attribute [%s(...)].", a->str);
		ast_free(a);
		return NULL;
	}
	p->lx.pos++;
	a->len = p->lx.pos - open;
	return a;
fail:
	p->no_comma--;
	if (!p->failed)
		fail(p, p->lx.pos, 1, p->lx.pos >= len, "InvalidAttributeArgument",
		     "The arguments of the attribute [%s(...)] are not valid.", a->str);
	ast_free(a);
	return NULL;
}

/* [CmdletBinding(...)] before a param( ) block: marks blk (the parameter
 * list) AF_CMDLETBINDING, and PositionalBinding = $false, and takes
 * DefaultParameterSetName into blk->str */
static void note_block_attribute(ast *blk, const ast *attr)
{
	if (!str_ieq(attr->str, "CmdletBinding"))
		return;
	blk->flags |= AF_CMDLETBINDING;
	for (size_t i = 0; i < attr->nkids; i++) {
		const ast *k = attr->kids[i];
		if (k->kind == N_CMDPARAM && str_ieq(k->str, "SupportsShouldProcess") &&
		    (!k->nkids || !(k->kids[0]->kind == N_VAR && str_ieq(k->kids[0]->str, "false"))))
			blk->flags |= AF_SHOULDPROCESS;
		if (k->kind != N_CMDPARAM || !k->nkids)
			continue;
		const ast *v = k->kids[0];
		if (str_ieq(k->str, "PositionalBinding") && v->kind == N_VAR && str_ieq(v->str, "false"))
			blk->flags |= AF_NOPOSITIONAL;
		if (str_ieq(k->str, "DefaultParameterSetName") && v->kind == N_STRING && !blk->str)
			blk->str = xstrdup(v->str);
	}
}

/* Function parameters: ( [type] $name [= default], ... ) - the '(' is consumed. */
static bool parse_param_list(parser *p, ast *into, size_t open)
{
	for (;;) {
		skip_newlines(p);
		token t = peek(p, LX_EXPR);
		if (t.kind == TK_RPAREN) {
			tok_free(&t);
			consume(p, LX_EXPR);
			return true;
		}
		tok_free(&t);
		bool sw = false;
		char *type = NULL;
		ast *attrs = ast_new(N_BLOCK, p->lx.pos, 0);
		while (lx_peekc(&p->lx) == '[') {
			ast *at = parse_attribute(p);
			if (!at) {
				free(type);
				ast_free(attrs);
				return false;
			}
			if (at->kind == N_TYPE && str_ieq(at->str, "switch")) {
				sw = true;
				ast_free(at);
			} else if (at->kind == N_TYPE) {
				free(type);
				type = at->str;
				at->str = NULL;
				ast_free(at);
			} else {
				ast_add(attrs, at);
			}
			skip_newlines(p);
		}
		token v = next(p, LX_EXPR);
		if (v.kind != TK_VAR) {
			ast_free(attrs);
			if (v.kind == TK_EOF)
				fail(p, open, 1, true, "MissingEndParenthesisInFunctionParameterList",
				     "Missing ')' in the function parameter list.");
			else
				fail_tok(p, &v, "InvalidFunctionParameter", "A parameter name ($name) was expected in the parameter list.");
			tok_free(&v);
			free(type);
			return false;
		}
		ast *prm = ast_new(N_VAR, v.pos, v.len);
		prm->str = v.text;
		v.text = NULL;
		tok_free(&v);
		if (sw)
			prm->flags |= AF_SWITCHPARAM;
		ast_add(into, prm);
		/* kids: the default value (if any), then the type (N_TYPE), then the
		 * attributes (N_ATTR) */
		token a = peek(p, LX_EXPR);
		bool has_default = a.kind == TK_ASSIGN && !strcmp(a.text, "=");
		tok_free(&a);
		if (has_default) {
			consume(p, LX_EXPR);
			p->no_comma++;
			ast *d = parse_expression(p);
			p->no_comma--;
			if (!d) {
				free(type);
				ast_free(attrs);
				return false;
			}
			ast_add(prm, d);
		}
		if (type) {
			ast *ty = ast_new(N_TYPE, prm->pos, 0);
			ty->str = type;
			ast_add(prm, ty);
		}
		for (size_t i = 0; i < attrs->nkids; i++)
			ast_add(prm, attrs->kids[i]);
		attrs->nkids = 0;
		ast_free(attrs);
		skip_newlines(p);
		token sep = next(p, LX_EXPR);
		if (sep.kind == TK_COMMA) {
			tok_free(&sep);
			continue;
		}
		if (sep.kind == TK_RPAREN) {
			tok_free(&sep);
			return true;
		}
		if (sep.kind == TK_EOF)
			fail(p, open, 1, true, "MissingEndParenthesisInFunctionParameterList",
			     "Missing ')' in the function parameter list.");
		else
			fail_tok(p, &sep, "MissingEndParenthesisInFunctionParameterList",
			         "Missing ')' in the function parameter list.");
		tok_free(&sep);
		return false;
	}
}

/* function Name [(params)] { [param(params)] statements } */
/* At the start of a function body or script block: attributes such as
 * [CmdletBinding()] and a param( ) block, if there is one (else nothing is
 * consumed: `{ [int]$x = 1 }` starts with a cast). */
static bool parse_body_params(parser *p, ast *into)
{
	skip_newlines(p);
	size_t save = lx_save(&p->lx);
	ast *attrs = ast_new(N_BLOCK, p->lx.pos, 0);
	while (lx_peekc(&p->lx) == '[') {
		ast *at = parse_attribute(p);
		if (!at || at->kind != N_ATTR) {
			/* a cast or a type ([int]$x = 1): the body's first statement */
			ast_free(at);
			ast_free(attrs);
			lx_restore(&p->lx, save);
			if (p->failed)
				return false;
			return true;
		}
		ast_add(attrs, at);
		skip_newlines(p);
	}
	if (!next_is_keyword(p, "param")) {
		ast_free(attrs);
		lx_restore(&p->lx, save);
		return true;
	}
	consume(p, LX_ARG);
	if (lx_peekc(&p->lx) != '(') {
		ast_free(attrs);
		lx_restore(&p->lx, save);
		return true;
	}
	for (size_t i = 0; i < attrs->nkids; i++)
		note_block_attribute(into, attrs->kids[i]);
	ast_free(attrs);
	size_t po = p->lx.pos;
	p->lx.pos++;
	return parse_param_list(p, into, po);
}

/* Is the next thing `begin {`, `process {`, `end {` (or dynamicparam)? */
static bool at_named_block(parser *p)
{
	size_t save = lx_save(&p->lx);
	token t = peek(p, LX_ARG);
	bool named = t.kind == TK_WORD && !t.quoted_word &&
	             (str_ieq(t.text, "begin") || str_ieq(t.text, "process") || str_ieq(t.text, "end") ||
	              str_ieq(t.text, "dynamicparam"));
	tok_free(&t);
	if (named) {
		consume(p, LX_ARG);
		skip_newlines(p);
		named = lx_peekc(&p->lx) == '{';
	}
	lx_restore(&p->lx, save);
	return named;
}

/* The body of a function or script block up to its '}': statements, or
 * begin / process / end blocks (an N_BLOCK marked AF_NAMEDBLOCKS whose kids
 * are N_NAMEDBLOCK). */
static ast *parse_body(parser *p, size_t open)
{
	skip_newlines(p);
	if (!at_named_block(p))
		return parse_block_until(p, TK_RBRACE, open);
	ast *blk = ast_new(N_BLOCK, p->lx.pos, 0);
	blk->flags |= AF_NAMEDBLOCKS;
	for (;;) {
		tok_kind k;
		while ((k = peek_kind(p, LX_ARG)) == TK_NEWLINE || k == TK_SEMI)
			consume(p, LX_ARG);
		if (k == TK_RBRACE) {
			consume(p, LX_ARG);
			break;
		}
		token t = peek(p, LX_ARG);
		if (t.kind == TK_EOF) {
			fail(p, open, 1, true, "MissingEndCurlyBrace", "Missing closing '}' in statement block or type definition.");
			tok_free(&t);
			goto fail;
		}
		bool known = t.kind == TK_WORD && !t.quoted_word &&
		             (str_ieq(t.text, "begin") || str_ieq(t.text, "process") || str_ieq(t.text, "end"));
		if (t.kind == TK_WORD && !t.quoted_word && str_ieq(t.text, "dynamicparam")) {
			fail_tok(p, &t, "DynamicParamNotSupported",
			         "dynamicparam blocks are not supported by migsh: declare the parameters in param( ).");
			tok_free(&t);
			goto fail;
		}
		if (!known) {
			fail_tok(p, &t, "UnexpectedToken", "Unexpected token '%.*s': a body with begin, process or end "
			         "blocks can contain only such blocks.", (int)(t.len ? t.len : 1), p->lx.src + t.pos);
			tok_free(&t);
			goto fail;
		}
		consume(p, LX_ARG);
		ast *nb = ast_new(N_NAMEDBLOCK, t.pos, t.len);
		nb->str = xstrdup(str_ieq(t.text, "begin") ? "begin" : str_ieq(t.text, "process") ? "process" : "end");
		tok_free(&t);
		ast *b = parse_braced_block(p, nb->str);
		if (!b) {
			ast_free(nb);
			goto fail;
		}
		ast_add(nb, b);
		nb->len = p->lx.pos - nb->pos;
		ast_add(blk, nb);
	}
	blk->len = p->lx.pos - blk->pos;
	return blk;
fail:
	ast_free(blk);
	return NULL;
}

static ast *parse_function(parser *p)
{
	token kw = next(p, LX_ARG);
	ast *n = ast_new(N_FUNCDEF, kw.pos, kw.len);
	if (kw.text && str_ieq(kw.text, "filter"))
		n->flags |= AF_FILTER;
	tok_free(&kw);
	ast *params = ast_new(N_BLOCK, 0, 0);
	token name = next(p, LX_ARG);
	if (name.kind != TK_WORD) {
		fail_tok(p, &name, "MissingNameAfterKeyword", "Missing name after the function keyword.");
		tok_free(&name);
		goto fail;
	}
	n->str = name.text;
	name.text = NULL;
	tok_free(&name);
	if (lx_peekc(&p->lx) == '(') {
		size_t open = p->lx.pos;
		p->lx.pos++;
		if (!parse_param_list(p, params, open))
			goto fail;
	}
	skip_newlines(p);
	token lb = next(p, LX_EXPR);
	if (lb.kind != TK_LBRACE) {
		fail_tok(p, &lb, "MissingFunctionBody", "Missing '{' of the function body.");
		tok_free(&lb);
		goto fail;
	}
	size_t open = lb.pos;
	tok_free(&lb);
	if (!parse_body_params(p, params))
		goto fail;
	ast *blk = parse_body(p, open);
	if (!blk)
		goto fail;
	ast *sb = ast_new(N_SCRIPTBLOCK, open + 1, p->lx.pos - 1 - (open + 1));
	sb->flags |= params->flags & (AF_CMDLETBINDING | AF_NOPOSITIONAL | AF_SHOULDPROCESS);
	sb->str = params->str;
	params->str = NULL;
	ast_add(sb, blk);
	ast_add(n, sb);
	for (size_t i = 0; i < params->nkids; i++)
		ast_add(n, params->kids[i]);
	params->nkids = 0;
	ast_free(params);
	n->len = p->lx.pos - n->pos;
	return n;
fail:
	ast_free(params);
	ast_free(n);
	return NULL;
}

/* PowerShell statements migsh does not run: a parse error that names them
 * (never "not recognized as a cmdlet") */
static const struct { const char *kw; const char *id; const char *msg; } unsupported_kw[] = {
	{ "class", "ClassNotSupported", "PowerShell classes (class Name { ... }) are not supported by migsh: "
	  "use [pscustomobject]@{ ... } for records and functions for behaviour." },
	{ "enum", "EnumNotSupported", "enum definitions are not supported by migsh: use strings, and "
	  "[ValidateSet()] on a parameter to limit them." },
	{ "using", "UsingNotSupported", "using statements (using namespace, using module, using assembly) are not "
	  "supported by migsh: write full type names." },
	{ "trap", "TrapNotSupported", "trap statements are not supported by migsh: use try { } catch { }." },
	{ "data", "DataSectionNotSupported", "data sections are not supported by migsh: assign the values to a "
	  "variable." },
	{ "workflow", "WorkflowNotSupported", "Workflow is not supported in PowerShell 6+." },
	{ "configuration", "ConfigurationNotSupported", "DSC configurations are not supported by migsh." },
};

static bool unsupported_statement(parser *p, const token *t)
{
	if (t->kind != TK_WORD || t->quoted_word)
		return false;
	for (size_t i = 0; i < sizeof unsupported_kw / sizeof unsupported_kw[0]; i++) {
		if (!str_ieq(t->text, unsupported_kw[i].kw))
			continue;
		/* the keyword's own syntax follows: a name, a block or an attribute */
		size_t q = t->pos + t->len;
		if (q >= p->lx.len || (p->lx.src[q] != ' ' && p->lx.src[q] != '\t' && p->lx.src[q] != '{'))
			return false;
		while (q < p->lx.len && (p->lx.src[q] == ' ' || p->lx.src[q] == '\t'))
			q++;
		int c = q < p->lx.len ? (unsigned char)p->lx.src[q] : 0;
		if (!(isalpha(c) || c == '_' || c == '{' || c == '['))
			return false;
		fail(p, t->pos, t->len, false, unsupported_kw[i].id, "%s", unsupported_kw[i].msg);
		return true;
	}
	return false;
}

static ast *parse_statement(parser *p)
{
	if (!enter(p, p->lx.pos))
		return NULL;
	ast *r;
	token t = peek(p, LX_ARG);
	bool word = t.kind == TK_WORD && !t.quoted_word;
	if (unsupported_statement(p, &t)) {
		tok_free(&t);
		leave(p);
		return NULL;
	}
	if (word && str_ieq(t.text, "if")) {
		r = parse_if(p);
	} else if (word && str_ieq(t.text, "while")) {
		r = parse_while(p, false);
	} else if (word && str_ieq(t.text, "do") && (consume(p, LX_ARG), lx_peekc(&p->lx) == '{')) {
		lx_restore(&p->lx, t.pos);
		r = parse_while(p, true);
	} else if (word && str_ieq(t.text, "for") && (lx_restore(&p->lx, t.pos), consume(p, LX_ARG),
	                                              lx_peekc(&p->lx) == '(')) {
		lx_restore(&p->lx, t.pos);
		r = parse_for(p);
	} else if (word && str_ieq(t.text, "try") && (lx_restore(&p->lx, t.pos), consume(p, LX_ARG),
	                                              lx_peekc(&p->lx) == '{')) {
		lx_restore(&p->lx, t.pos);
		r = parse_try(p);
	} else if (word && str_ieq(t.text, "switch") && (lx_restore(&p->lx, t.pos), consume(p, LX_ARG),
	                                                 lx_peekc(&p->lx) == '(' || lx_peekc(&p->lx) == '-')) {
		lx_restore(&p->lx, t.pos);
		r = parse_switch(p);
	} else if (word && (str_ieq(t.text, "function") || str_ieq(t.text, "filter"))) {
		lx_restore(&p->lx, t.pos);
		r = parse_function(p);
	} else if (word && t.text[0] == ':' && t.text[1] && (isalpha((unsigned char)t.text[1]) || t.text[1] == '_')) {
		/* :outer foreach (...) { ... break outer } */
		lx_restore(&p->lx, t.pos);
		consume(p, LX_ARG);
		skip_newlines(p);
		token k = peek(p, LX_ARG);
		bool loop = k.kind == TK_WORD && !k.quoted_word &&
		            (str_ieq(k.text, "foreach") || str_ieq(k.text, "for") || str_ieq(k.text, "while") ||
		             str_ieq(k.text, "do") || str_ieq(k.text, "switch"));
		if (!loop) {
			fail_tok(p, &k, "MissingLoopStatement", "Missing a loop statement after the label '%s': a label must "
			         "be followed by foreach, for, while, do or switch.", t.text);
			r = NULL;
		} else {
			r = parse_statement(p);
			if (r)
				r->label = xstrdup(t.text + 1);
		}
		tok_free(&k);
	} else if (word && (str_ieq(t.text, "break") || str_ieq(t.text, "continue"))) {
		lx_restore(&p->lx, t.pos);
		token kw = next(p, LX_ARG);
		r = ast_new(N_BREAK, kw.pos, kw.len);
		if (str_ieq(kw.text, "continue"))
			r->flags |= AF_CONTINUE;
		tok_free(&kw);
		/* break outer: the label of the loop to leave */
		token lb = peek(p, LX_ARG);
		if (lb.kind == TK_WORD && !lb.quoted_word && lb.text[0] != ':' &&
		    (isalpha((unsigned char)lb.text[0]) || lb.text[0] == '_')) {
			consume(p, LX_ARG);
			r->str = lb.text;
			lb.text = NULL;
			r->len = lb.pos + lb.len - r->pos;
		}
		tok_free(&lb);
	} else if (word && str_ieq(t.text, "throw")) {
		lx_restore(&p->lx, t.pos);
		token kw = next(p, LX_ARG);
		r = ast_new(N_THROW, kw.pos, kw.len);
		tok_free(&kw);
		if (!arg_end(peek_kind(p, LX_EXPR))) {
			ast *v = parse_pipeline(p);
			if (!v) {
				ast_free(r);
				r = NULL;
			} else {
				ast_add(r, v);
				r->len = v->pos + v->len - r->pos;
			}
		}
	} else if (word && (str_ieq(t.text, "do") || str_ieq(t.text, "for") || str_ieq(t.text, "try") ||
	                    str_ieq(t.text, "switch"))) {
		/* not followed by a block / parenthesis: an ordinary command name */
		lx_restore(&p->lx, t.pos);
		r = parse_pipeline(p);
	} else if (t.kind == TK_WORD && !t.quoted_word && str_ieq(t.text, "foreach") &&
	           (consume(p, LX_ARG), lx_peekc(&p->lx) == '(')) {
		lx_restore(&p->lx, t.pos);
		r = parse_foreach(p);
	} else if (t.kind == TK_WORD && !t.quoted_word && (str_ieq(t.text, "exit") || str_ieq(t.text, "return"))) {
		token kw = next(p, LX_ARG);
		r = ast_new(N_EXIT, kw.pos, kw.len);
		if (str_ieq(kw.text, "return"))
			r->flags |= AF_RETURN;
		tok_free(&kw);
		tok_kind k = peek_kind(p, LX_EXPR);
		if (!arg_end(k)) {
			ast *v = parse_pipeline(p);
			if (!v) {
				ast_free(r);
				r = NULL;
			} else {
				ast_add(r, v);
				r->len = v->pos + v->len - r->pos;
			}
		}
	} else if (t.kind == TK_WORD && !t.quoted_word &&
	           (str_ieq(t.text, "else") || str_ieq(t.text, "elseif") || str_ieq(t.text, "catch") ||
	            str_ieq(t.text, "finally"))) {
		fail_tok(p, &t, "UnexpectedToken", "Unexpected token '%s': it must follow the '}' of an if or try statement.", t.text);
		r = NULL;
	} else {
		if (t.kind == TK_WORD && !t.quoted_word && str_ieq(t.text, "foreach"))
			lx_restore(&p->lx, t.pos);
		r = parse_pipeline(p);
	}
	tok_free(&t);
	leave(p);
	return r;
}

/* Statements up to `end` (TK_EOF, TK_RBRACE or TK_RPAREN), consuming the
 * closing token.  open_pos: position of the opening bracket for messages. */
static ast *parse_block_until_inner(parser *p, tok_kind end, size_t open_pos);

static ast *parse_block_until(parser *p, tok_kind end, size_t open_pos)
{
	int saved_no_comma = p->no_comma;
	p->no_comma = 0;
	ast *blk = parse_block_until_inner(p, end, open_pos);
	p->no_comma = saved_no_comma;
	return blk;
}

static ast *parse_block_until_inner(parser *p, tok_kind end, size_t open_pos)
{
	if (!enter(p, open_pos))
		return NULL;
	ast *blk = ast_new(N_BLOCK, p->lx.pos, 0);
	for (;;) {
		token t = peek(p, LX_EXPR);
		if (t.kind == TK_ERROR) {
			/* peek in argument mode too: bare words are fine at statement start */
			token a = peek(p, LX_ARG);
			tok_free(&t);
			t = a;
		}
		if (t.kind == TK_NEWLINE || t.kind == TK_SEMI) {
			tok_free(&t);
			consume(p, LX_EXPR);
			continue;
		}
		if (t.kind == end) {
			tok_free(&t);
			consume(p, LX_EXPR);
			break;
		}
		if (t.kind == TK_EOF) {
			if (end == TK_RBRACE)
				fail(p, open_pos, 1, true, "MissingEndCurlyBrace",
				     "Missing closing '}' in statement block or type definition.");
			else
				fail(p, open_pos, 1, true, "MissingEndParenthesisInSubexpression",
				     "Missing closing ')' in subexpression.");
			tok_free(&t);
			goto fail;
		}
		if (t.kind == TK_RBRACE || t.kind == TK_RPAREN) {
			fail_tok(p, &t, "UnexpectedToken", "Unexpected token '%s' in expression or statement.",
			         t.kind == TK_RBRACE ? "}" : ")");
			tok_free(&t);
			goto fail;
		}
		tok_free(&t);
		ast *st = parse_statement(p);
		if (!st) {
			if (!p->failed) {
				token e = peek(p, LX_ARG);
				fail_tok(p, &e, "UnexpectedToken", "Unexpected token '%.*s' in expression or statement.",
				         (int)(e.len ? e.len : 1), p->lx.src + e.pos);
				tok_free(&e);
			}
			goto fail;
		}
		ast_add(blk, st);
		/* a statement must be followed by a separator or the end */
		token s = peek(p, LX_ARG);
		tok_kind k = s.kind;
		if (!(k == TK_NEWLINE || k == TK_SEMI || k == TK_EOF || k == end ||
		      (end != TK_EOF && (k == TK_RBRACE || k == TK_RPAREN)))) {
			fail_tok(p, &s, "UnexpectedToken", "Unexpected token '%.*s' in expression or statement.",
			         (int)(s.len ? s.len : 1), p->lx.src + s.pos);
			tok_free(&s);
			goto fail;
		}
		tok_free(&s);
	}
	blk->len = p->lx.pos - blk->pos;
	leave(p);
	return blk;
fail:
	ast_free(blk);
	leave(p);
	return NULL;
}

/* An unexpected token that is a PowerShell operator migsh does not have:
 * the error names it instead of calling it unexpected. */
static const struct { const char *op; const char *id; const char *msg; } unsupported_ops[] = {
	{ "?\?=", "NullCoalescingNotSupported", "The null-coalescing assignment operator ?\?= is not supported by "
	  "migsh: write if ($null -eq $x) { $x = ... }." },
	{ "??", "NullCoalescingNotSupported", "The null-coalescing operator ?? is not supported by migsh: write "
	  "if ($null -ne $a) { $a } else { $b }." },
	{ "?.", "NullConditionalNotSupported", "The null-conditional operator ?. is not supported by migsh: test "
	  "for $null with if first." },
	{ "?[", "NullConditionalNotSupported", "The null-conditional operator ?[] is not supported by migsh: test "
	  "for $null with if first." },
	{ "?", "TernaryNotSupported", "The ternary operator ? : is not supported by migsh: write "
	  "if (condition) { a } else { b }." },
	{ "&&", "PipelineChainNotSupported", "The pipeline chain operator && is not supported by migsh: write "
	  "the second command in if ($?) { ... }." },
	{ "||", "PipelineChainNotSupported", "The pipeline chain operator || is not supported by migsh: write "
	  "the second command in if (-not $?) { ... }." },
	{ "&", "BackgroundNotSupported", "The background operator & is not supported by migsh: long syncs run in "
	  "the migration service (Start-MigrationService)." },
	{ "++", "PrefixIncrementNotSupported", "The prefix operator ++ is not supported by migsh: write $i++ or "
	  "$i += 1." },
	{ "--", "PrefixIncrementNotSupported", "The prefix operator -- is not supported by migsh: write $i-- or "
	  "$i -= 1." },
	{ "-bxor", "OperatorNotSupported", "The operator -bxor is not supported by migsh." },
	{ "-bnot", "OperatorNotSupported", "The operator -bnot is not supported by migsh." },
	{ "-shl", "OperatorNotSupported", "The operator -shl is not supported by migsh." },
	{ "-shr", "OperatorNotSupported", "The operator -shr is not supported by migsh." },
};

static void name_unsupported(const char *src, size_t len, mg_parse_error *pe)
{
	if (!pe->unexpected)
		return;
	if (pe->pos >= len)
		return;
	const char *at = src + pe->pos;
	size_t left = len - pe->pos;
	for (size_t i = 0; i < sizeof unsupported_ops / sizeof unsupported_ops[0]; i++) {
		size_t ol = strlen(unsupported_ops[i].op);
		if (ol > left || strncasecmp(at, unsupported_ops[i].op, ol))
			continue;
		/* -shl is a whole word; "--" only before a variable */
		if (isalpha((unsigned char)at[ol - 1]) && ol < left && isalnum((unsigned char)at[ol]))
			continue;
		if (!strcmp(unsupported_ops[i].op, "--") && (ol >= left || at[ol] != '$'))
			continue;
		snprintf(pe->id, sizeof pe->id, "%s", unsupported_ops[i].id);
		snprintf(pe->msg, sizeof pe->msg, "%s", unsupported_ops[i].msg);
		pe->len = ol;
		return;
	}
}

ast_tree *mg_parse(const char *src, size_t len, const char *origin, mg_parse_error *pe)
{
	mg_parse_error dummy;
	if (!pe)
		pe = &dummy;
	memset(pe, 0, sizeof *pe);
	ast_tree *t = xcalloc(1, sizeof *t);
	t->refs = 1;
	t->src = xstrndup(src, len);
	t->len = len;
	t->origin = xstrdup(origin);
	parser p;
	memset(&p, 0, sizeof p);
	p.pe = pe;
	lx_init(&p.lx, t->src, len);
	/* a UTF-8 byte order mark (scripts saved on Windows) is not part of the text */
	if (len >= 3 && !memcmp(t->src, "\xEF\xBB\xBF", 3))
		p.lx.pos = 3;
	/* a script may start with [CmdletBinding()] param( ... ) */
	skip_newlines(&p);
	ast *params = ast_new(N_BLOCK, p.lx.pos, 0);
	if (!parse_body_params(&p, params) || !params->nkids) {
		if (!p.failed && (params->flags & AF_CMDLETBINDING))
			t->params = params;   /* param( ) with no parameters */
		else
			ast_free(params);
	} else {
		t->params = params;
	}
	if (!p.failed)
		t->root = parse_block_until(&p, TK_EOF, 0);
	if (!t->root || p.failed) {
		name_unsupported(t->src, len, pe);
		ast_free(t->root);
		t->root = NULL;
		ast_tree_unref(t);
		return NULL;
	}
	return t;
}
