/* secret_mask.c - secret tokens of a command line and their masking (see secret_mask.h). */
#include "config.h"
#include "shell/secret_mask.h"
#include "shell/binder.h"
#include "shell/lexer.h"
#include "shell/session.h"
#include "common/mem.h"
#include "common/str.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_DEPTH 64

/* What the next value token of a command is. */
enum want { W_NONE, W_SECRET, W_CRED_USER, W_CRED_PASS };

/* One command (or group) being read: the frames nest with ( ), { }, $( ), @( ), @{ }. */
typedef struct frame {
	const mg_cmdlet *cmd;
	bool expect_cmd;          /* the next word names a command */
	const mg_param *pending;  /* a named parameter waiting for its value */
	unsigned bound_pos;       /* positions of the parameters bound by name */
	int posidx;               /* positional values seen so far */
	enum want cont;           /* after a comma: the value list goes on like this */
	bool cont_armed;          /* a comma was just read */
	bool cred_hash;           /* a hashtable given to a credential parameter */
	bool key_is_user;         /* ... its last key names the user */
	bool in_value;            /* ... after its '=' */
	enum want inherit;        /* a group given to a secret parameter: its literals are secret */
	bool inherit_comma;       /* ... a comma was seen in it (the password part of a credential) */
} frame;

void mg_spans_add(mg_spans *sp, size_t pos, size_t len)
{
	if (!len)
		return;
	if (sp->n == sp->cap) {
		sp->cap = sp->cap ? sp->cap * 2 : 8;
		sp->v = xrealloc(sp->v, sp->cap * sizeof *sp->v);
	}
	sp->v[sp->n].pos = pos;
	sp->v[sp->n].len = len;
	sp->n++;
}

static int span_cmp(const void *a, const void *b)
{
	const mg_span *x = a, *y = b;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* Sort and merge overlapping spans. */
static void normalize(mg_spans *sp)
{
	if (sp->n < 2)
		return;
	qsort(sp->v, sp->n, sizeof *sp->v, span_cmp);
	size_t w = 0;
	for (size_t i = 1; i < sp->n; i++) {
		mg_span *last = &sp->v[w];
		if (sp->v[i].pos <= last->pos + last->len) {
			size_t end = sp->v[i].pos + sp->v[i].len;
			if (end > last->pos + last->len)
				last->len = end - last->pos;
		} else {
			sp->v[++w] = sp->v[i];
		}
	}
	sp->n = w + 1;
}

static bool is_literal(tok_kind k)
{
	return k == TK_WORD || k == TK_SQSTRING || k == TK_DQSTRING || k == TK_NUMBER;
}

static bool is_open(tok_kind k)
{
	return k == TK_LPAREN || k == TK_LBRACE || k == TK_SUBEXPR || k == TK_ARRAYEXPR || k == TK_HASH;
}

/* In argument mode '=' is a word, and so is "key=" in a hashtable. */
static bool is_assign_word(const token *t)
{
	if (t->kind != TK_WORD || !t->text)
		return false;
	const char *x = t->text;
	return !strcmp(x, "=") || !strcmp(x, "+=") || !strcmp(x, "-=") || !strcmp(x, "*=") || !strcmp(x, "/=") ||
	       !strcmp(x, "%=") || !strcmp(x, "?\?=");
}

static bool is_user_key(const char *k, size_t n)
{
	return (n == 8 && !strncasecmp(k, "UserName", 8)) || (n == 4 && !strncasecmp(k, "User", 4));
}

static void reset_cmd(frame *f)
{
	f->cmd = NULL;
	f->expect_cmd = true;
	f->pending = NULL;
	f->bound_pos = 0;
	f->posidx = 0;
	f->cont = W_NONE;
	f->cont_armed = false;
}

static enum want want_of(const mg_param *p)
{
	if (!p || !(p->flags & MPF_SECRET))
		return W_NONE;
	return p->type == MPT_CREDENTIAL ? W_CRED_USER : W_SECRET;
}

/* The parameter the next positional value of f binds to, or NULL. */
static const mg_param *positional_param(const frame *f)
{
	if (!f->cmd)
		return NULL;
	int k = 0;
	for (int pos = 0; pos < 32; pos++) {
		if (f->bound_pos & (1u << pos))
			continue;
		const mg_param *at = NULL, *secret = NULL;
		size_t i = 0;
		const mg_param *p;
		while ((p = mg_param_iter(f->cmd, &i)))
			if (p->position == pos) {
				at = p;
				if (p->flags & MPF_SECRET)
					secret = p;
			}
		if (!at)
			continue;
		if (k++ == f->posidx)
			return secret ? secret : at;   /* parameter sets may share a position: mask if any is secret */
	}
	return NULL;
}

/* Mask the password part of a quoted 'user,password' token. */
static void mask_after_comma(const char *src, const token *t, mg_spans *out)
{
	const char *c = memchr(src + t->pos, ',', t->len);
	if (!c)
		return;
	size_t start = (size_t)(c - src) + 1;
	size_t end = t->pos + t->len;
	if (t->kind != TK_WORD && end > start && src[end - 1] == src[t->pos])
		end--;   /* keep the closing quote */
	if (end > start)
		mg_spans_add(out, start, end - start);
}

/* A value token (or group) of frame f: is it a secret, given what f waits for? */
static enum want value_token(frame *f, bool armed, const char *src, const token *t, mg_spans *out)
{
	enum want w;
	if (armed) {
		w = f->cont;
	} else if (f->pending) {
		w = want_of(f->pending);
		f->pending = NULL;
	} else {
		w = want_of(positional_param(f));
		f->posidx++;
	}
	bool lit = is_literal(t->kind);
	if (lit && w == W_SECRET)
		mg_spans_add(out, t->pos, t->len);
	else if (lit && w == W_CRED_PASS)
		mg_spans_add(out, t->pos, t->len);
	else if (lit && w == W_CRED_USER && t->kind != TK_WORD)
		mask_after_comma(src, t, out);
	/* what a comma right after this value continues */
	f->cont = w == W_CRED_USER ? W_CRED_PASS : w;
	return w;
}

void mg_secret_spans(mg_session *s, const char *src, size_t len, mg_spans *out)
{
	out->n = 0;
	if (!src || !len)
		return;
	frame fr[MAX_DEPTH];
	int d = 0;
	memset(&fr[0], 0, sizeof fr[0]);
	reset_cmd(&fr[0]);
	int overflow = 0;   /* groups deeper than MAX_DEPTH, read as one frame */
	lexer lx;
	lx_init(&lx, src, len);
	for (;;) {
		token t = lx_next(&lx, LX_ARG);
		frame *f = &fr[d];
		tok_kind k = t.kind;
		if (k == TK_EOF) {
			tok_free(&t);
			break;
		}
		if (k == TK_ERROR) {
			/* an unterminated string after a secret parameter: the rest of its line */
			bool secret = f->pending ? want_of(f->pending) != W_NONE
			                         : (f->cont_armed && f->cont != W_NONE);
			if (!f->pending && !f->cont_armed && f->cmd && !f->expect_cmd)
				secret = want_of(positional_param(f)) != W_NONE;
			if (secret || f->cred_hash) {
				size_t e = t.pos;
				while (e < len && src[e] != '\n')
					e++;
				mg_spans_add(out, t.pos, e - t.pos);
			}
			tok_free(&t);
			break;
		}
		bool armed = f->cont_armed;   /* a comma before this token continues a value list */
		f->cont_armed = false;
		if (f->inherit != W_NONE && !f->cred_hash) {
			/* -Password ('x'), -Credentials @('u', 'p'): a literal of the group,
			 * not the name of a command it runs */
			if (is_literal(k) && !(k == TK_WORD && f->expect_cmd)) {
				if (f->inherit != W_CRED_USER || f->inherit_comma)
					mg_spans_add(out, t.pos, t.len);
				else if (k != TK_WORD)
					mask_after_comma(src, &t, out);
			} else if (k == TK_COMMA) {
				f->inherit_comma = true;
			}
		}
		if (f->cred_hash) {
			/* @{ UserName = 'u'; Password = 'p' } given to -Credential */
			size_t tl = t.text ? strlen(t.text) : 0;
			if (k == TK_ASSIGN || is_assign_word(&t)) {
				f->in_value = true;
			} else if (k == TK_SEMI || k == TK_NEWLINE) {
				f->in_value = false;
			} else if (is_literal(k) && !f->in_value) {
				bool eq = k == TK_WORD && tl > 1 && t.text[tl - 1] == '=';   /* UserName= */
				f->key_is_user = t.text && is_user_key(t.text, eq ? tl - 1 : tl);
				f->in_value = eq;
			} else if (is_literal(k) && f->in_value) {
				if (!f->key_is_user)
					mg_spans_add(out, t.pos, t.len);
				f->in_value = false;
			}
		} else if (k == TK_NEWLINE || k == TK_SEMI || k == TK_PIPE || k == TK_ASSIGN || k == TK_AMP ||
		           is_assign_word(&t)) {
			reset_cmd(f);
		} else if (k == TK_COMMA) {
			f->cont_armed = f->cont != W_NONE;
		} else if (k == TK_PARAM) {
			f->expect_cmd = false;
			f->pending = NULL;
			f->cont = W_NONE;
			mg_err e = { 0 };
			const mg_param *p = f->cmd && t.text ? mg_find_param(f->cmd, t.text, &e) : NULL;
			if (p && p->position >= 0 && p->position < 32)
				f->bound_pos |= 1u << p->position;
			if (p && (p->type != MPT_SWITCH || t.colon))
				f->pending = p;
		} else if (f->expect_cmd && k == TK_WORD) {
			f->expect_cmd = false;
			f->cmd = s && t.text ? mg_session_find_cmdlet(s, t.text) : NULL;
		} else if (is_open(k)) {
			enum want w = f->inherit;   /* a group inside a secret group is secret too */
			if (!f->expect_cmd && f->cmd) {
				/* the group is a value of the command */
				token none = t;
				none.kind = TK_VAR;   /* not a literal: nothing masked here, the value is used up */
				w = value_token(f, armed, src, &none, out);
				f->cont = W_NONE;
			}
			f->expect_cmd = false;
			if (d + 1 < MAX_DEPTH) {
				d++;
				memset(&fr[d], 0, sizeof fr[d]);
				reset_cmd(&fr[d]);
				fr[d].cred_hash = k == TK_HASH && w == W_CRED_USER;
				fr[d].inherit = w;
			} else {
				overflow++;
			}
		} else if (k == TK_RPAREN || k == TK_RBRACE) {
			if (overflow)
				overflow--;
			else if (d > 0)
				d--;
		} else if (f->expect_cmd) {
			f->expect_cmd = false;   /* an expression statement: no command */
		} else if (f->cmd && (is_literal(k) || k == TK_VAR)) {
			value_token(f, armed, src, &t, out);
		}
		tok_free(&t);
	}
	normalize(out);
}

void mg_spans_free(mg_spans *sp)
{
	free(sp->v);
	sp->v = NULL;
	sp->n = sp->cap = 0;
}

char *mg_spans_apply(const char *src, size_t len, const mg_spans *sp, size_t *outlen)
{
	strbuf sb = STRBUF_INIT;
	size_t at = 0;
	for (size_t i = 0; i < sp->n; i++) {
		if (sp->v[i].pos < at || sp->v[i].pos > len)
			continue;
		strbuf_add(&sb, src + at, sp->v[i].pos - at);
		strbuf_adds(&sb, MG_SECRET_MASK);
		at = sp->v[i].pos + sp->v[i].len;
		if (at > len)
			at = len;
	}
	strbuf_add(&sb, src + at, len - at);
	return strbuf_detach(&sb, outlen);
}

size_t mg_masked_offset(const mg_spans *sp, size_t pos)
{
	size_t shift_add = 0, shift_sub = 0;
	for (size_t i = 0; i < sp->n; i++) {
		const mg_span *x = &sp->v[i];
		if (x->pos >= pos)
			break;
		if (pos < x->pos + x->len)
			pos = x->pos;   /* inside the span: its mask's start */
		else {
			shift_add += strlen(MG_SECRET_MASK);
			shift_sub += x->len;
		}
	}
	return pos + shift_add - shift_sub;
}

size_t mg_masked_len(const mg_spans *sp, size_t pos, size_t len)
{
	size_t a = mg_masked_offset(sp, pos);
	size_t b = mg_masked_offset(sp, pos + len);
	/* a range that ends inside a span covers its whole mask */
	for (size_t i = 0; i < sp->n; i++)
		if (sp->v[i].pos < pos + len && pos + len < sp->v[i].pos + sp->v[i].len)
			b += strlen(MG_SECRET_MASK);
	return b > a ? b - a : 0;
}

char *mg_mask_secrets(mg_session *s, const char *src, size_t len)
{
	mg_spans sp = { 0 };
	mg_secret_spans(s, src, len, &sp);
	char *r = mg_spans_apply(src, len, &sp, NULL);
	mg_spans_free(&sp);
	return r;
}

/* ASCII case-insensitive search of word in line[0..len). */
static bool has_word_ci(const char *line, size_t len, const char *word)
{
	size_t n = strlen(word);
	for (size_t i = 0; i + n <= len; i++) {
		size_t j = 0;
		while (j < n && tolower((unsigned char)line[i + j]) == word[j])
			j++;
		if (j == n)
			return true;
	}
	return false;
}

bool mg_line_is_sensitive(mg_session *s, const char *line, size_t len)
{
	static const char *const words[] = { "password", "asplaintext", "token", "apikey", "secret", NULL };
	for (size_t i = 0; words[i]; i++)
		if (has_word_ci(line, len, words[i]))
			return true;
	mg_spans sp = { 0 };
	mg_secret_spans(s, line, len, &sp);
	bool any = sp.n > 0;
	mg_spans_free(&sp);
	return any;
}
