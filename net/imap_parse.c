/*
 * imap_parse.c - incremental, bounded parser for IMAP server responses.
 *
 * Bytes are collected per response: line text (bounded by max_line) and
 * literal data (kept inline after their "{n}\r\n" marker, or handed to the
 * stream hook).  When the final CRLF arrives the collected response is
 * tokenized into mg_imap_val trees.  For the stream hook the text collected
 * so far is tokenized in "partial" mode to show the enclosing list.
 */
#include "config.h"
#include "net/imap_parse.h"
#include "common/mem.h"
#include "common/str.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

typedef struct lit_rec {
	size_t data_off;    /* offset in raw where the literal data starts (after the marker CRLF) */
	uint64_t size;
	bool streamed;
} lit_rec;

struct mg_imap_parser {
	mg_imap_parse_limits lim;
	const mg_imap_stream_ops *ops;
	void *ops_arg;
	strbuf raw;
	size_t seg_start;     /* start of the current line segment in raw */
	size_t line_len;      /* line text bytes of this response (no literal data) */
	lit_rec *lits; size_t nlits, caplits;
	bool in_lit;
	uint64_t lit_left;
	bool done;            /* resp holds a complete response: reset on next feed */
	bool failed;
	mg_imap_resp resp;
	void **allocs; size_t nallocs, capallocs;
};

static void *track(mg_imap_parser *p, void *ptr)
{
	GROW(p->allocs, p->capallocs, p->nallocs + 1);
	p->allocs[p->nallocs++] = ptr;
	return ptr;
}

static char *pstrndup(mg_imap_parser *p, const char *s, size_t n)
{
	char *r = xmalloc(n + 1);
	memcpy(r, s, n);
	r[n] = 0;
	return track(p, r);
}

static void reset(mg_imap_parser *p)
{
	for (size_t i = 0; i < p->nallocs; i++)
		free(p->allocs[i]);
	p->nallocs = 0;
	strbuf_reset(&p->raw);
	p->seg_start = 0;
	p->line_len = 0;
	p->nlits = 0;
	p->in_lit = false;
	p->lit_left = 0;
	p->done = false;
	memset(&p->resp, 0, sizeof p->resp);
}

mg_imap_parser *mg_imap_parser_new(const mg_imap_parse_limits *lim)
{
	mg_imap_parser *p = xcalloc(1, sizeof *p);
	if (lim)
		p->lim = *lim;
	if (!p->lim.max_line) p->lim.max_line = 1024 * 1024;
	if (!p->lim.max_literal) p->lim.max_literal = 2ULL * 1024 * 1024 * 1024;
	if (!p->lim.max_buffered) p->lim.max_buffered = 64ULL * 1024 * 1024;
	if (!p->lim.stream_min) p->lim.stream_min = 4096;
	return p;
}

void mg_imap_parser_free(mg_imap_parser *p)
{
	if (!p)
		return;
	reset(p);
	free(p->allocs);
	free(p->lits);
	strbuf_free(&p->raw);
	free(p);
}

void mg_imap_parser_set_stream(mg_imap_parser *p, const mg_imap_stream_ops *ops, void *arg)
{
	p->ops = ops;
	p->ops_arg = arg;
}

bool mg_imap_parser_busy(const mg_imap_parser *p)
{
	return !p->done && (p->raw.len > 0 || p->in_lit);
}

/* ------------------------------------------------------------------ */
/* tokenizer                                                           */

typedef struct cur {
	mg_imap_parser *p;
	const char *b;
	size_t pos, end;
	size_t stop;            /* partial mode: stop when a value would start here */
	bool partial;
	bool stopped;
	mg_imap_val innermost;  /* partial mode: items of the innermost open list */
	size_t lit_i;           /* next literal record (literals are met in order) */
	mg_err *err;
} cur;

static int tok_err(cur *c, const char *what)
{
	return mg_err_set(c->err, MGC_PROTOCOL, "ImapParseError",
	                  "malformed IMAP response from the server: %s (at byte %zu)", what, c->pos);
}


static bool at_eol(const cur *c)
{
	return c->pos >= c->end || (c->b[c->pos] == '\r' && c->pos + 1 < c->end && c->b[c->pos + 1] == '\n' &&
	                            c->pos + 2 == c->end);
}

static bool atom_char(unsigned char ch, bool in_code)
{
	if (ch <= 0x20 || ch == 0x7F || ch == '(' || ch == ')' || ch == '"' || ch == '{')
		return false;
	if (in_code && ch == ']')
		return false;
	return true;
}

static int parse_value(cur *c, mg_imap_val *v, bool in_code);

/* items until `close` (')' or ']' for codes) or end of line when close == 0 */
static int parse_items(cur *c, mg_imap_val *list, char close, bool in_code)
{
	mg_imap_val *items = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;
	list->type = MG_IMAP_LIST;
	for (;;) {
		while (c->pos < c->end && c->b[c->pos] == ' ')
			c->pos++;
		if (c->partial && c->pos >= c->stop) {
			c->stopped = true;
			c->innermost.type = MG_IMAP_LIST;
			c->innermost.items = items;
			c->innermost.n = n;
			if (items) track(c->p, items);
			list->items = items;
			list->n = n;
			return 1;
		}
		if (close == 0) {
			if (at_eol(c))
				break;
		} else {
			if (c->pos >= c->end || at_eol(c)) {
				rc = tok_err(c, close == ')' ? "unterminated list" : "unterminated response code");
				break;
			}
			if (c->b[c->pos] == close) {
				c->pos++;
				break;
			}
		}
		GROW(items, cap, n + 1);
		memset(&items[n], 0, sizeof items[n]);
		rc = parse_value(c, &items[n], in_code);
		if (rc == 1) {
			/* a nested list stopped: our items are not the innermost */
			n++;
			if (items) track(c->p, items);
			list->items = items;
			list->n = n;
			return 1;
		}
		if (rc < 0)
			break;
		n++;
		/* a value must be followed by SP, the closer or the end */
		if (c->pos < c->end && !at_eol(c) && c->b[c->pos] != ' ' && c->b[c->pos] != close &&
		    !(c->b[c->pos] == '(' )) {
			rc = tok_err(c, "missing space between values");
			break;
		}
	}
	if (items)
		track(c->p, items);
	list->items = items;
	list->n = n;
	return rc;
}

static int parse_literal(cur *c, mg_imap_val *v)
{
	bool l8 = false;
	if (c->b[c->pos] == '~') { l8 = true; c->pos++; }
	if (c->pos >= c->end || c->b[c->pos] != '{')
		return tok_err(c, "bad literal8");
	c->pos++;
	uint64_t size = 0; int digits = 0;
	while (c->pos < c->end && isdigit((unsigned char)c->b[c->pos])) {
		size = size * 10 + (uint64_t)(c->b[c->pos++] - '0');
		if (++digits > 19)
			return tok_err(c, "literal size too long");
	}
	if (!digits)
		return tok_err(c, "literal without a size");
	if (c->pos < c->end && c->b[c->pos] == '+')
		c->pos++;
	if (c->pos + 3 > c->end || c->b[c->pos] != '}' || c->b[c->pos + 1] != '\r' || c->b[c->pos + 2] != '\n')
		return tok_err(c, "literal marker not at the end of a line");
	c->pos += 3;
	const lit_rec *L = c->lit_i < c->p->nlits && c->p->lits[c->lit_i].data_off == c->pos
	                   ? &c->p->lits[c->lit_i++] : NULL;
	if (!L || L->size != size)
		return tok_err(c, "literal bookkeeping mismatch");
	v->literal8 = l8;
	v->size = size;
	if (L->streamed) {
		v->type = MG_IMAP_STREAMED;
		return 0;
	}
	if (c->pos + size > c->end)
		return tok_err(c, "literal data truncated");
	v->type = MG_IMAP_LITERAL;
	v->s = pstrndup(c->p, c->b + c->pos, (size_t)size);
	v->len = (size_t)size;
	c->pos += (size_t)size;
	return 0;
}

static int parse_value(cur *c, mg_imap_val *v, bool in_code)
{
	if (c->pos >= c->end || at_eol(c))
		return tok_err(c, "value expected");
	unsigned char ch = (unsigned char)c->b[c->pos];
	if (ch == '(') {
		c->pos++;
		return parse_items(c, v, ')', in_code);
	}
	if (ch == '"') {
		strbuf sb = STRBUF_INIT;
		strbuf_adds(&sb, "");
		c->pos++;
		for (;;) {
			if (c->pos >= c->end || c->b[c->pos] == '\r' || c->b[c->pos] == '\n') {
				strbuf_free(&sb);
				return tok_err(c, "unterminated quoted string");
			}
			char q = c->b[c->pos++];
			if (q == '"')
				break;
			if (q == '\\') {
				if (c->pos >= c->end || (c->b[c->pos] != '"' && c->b[c->pos] != '\\')) {
					strbuf_free(&sb);
					return tok_err(c, "invalid escape in quoted string");
				}
				q = c->b[c->pos++];
			}
			strbuf_addc(&sb, q);
		}
		v->type = MG_IMAP_QUOTED;
		v->len = sb.len;
		v->s = track(c->p, strbuf_detach(&sb, NULL));
		return 0;
	}
	if (ch == '{' || (ch == '~' && c->pos + 1 < c->end && c->b[c->pos + 1] == '{'))
		return parse_literal(c, v);
	if (!atom_char(ch, in_code))
		return tok_err(c, "unexpected character");
	size_t start = c->pos;
	while (c->pos < c->end) {
		ch = (unsigned char)c->b[c->pos];
		if (ch == '[' && !in_code) {
			/* section: BODY[HEADER.FIELDS (A B)] - up to the matching ']' */
			c->pos++;
			while (c->pos < c->end && c->b[c->pos] != ']' && c->b[c->pos] != '\r' && c->b[c->pos] != '\n')
				c->pos++;
			if (c->pos >= c->end || c->b[c->pos] != ']')
				return tok_err(c, "unterminated section");
			c->pos++;
			continue;
		}
		if (!atom_char(ch, in_code))
			break;
		c->pos++;
	}
	size_t len = c->pos - start;
	if (len == 3 && strncasecmp(c->b + start, "NIL", 3) == 0) {
		v->type = MG_IMAP_NIL;
		return 0;
	}
	v->type = MG_IMAP_ATOM;
	v->s = pstrndup(c->p, c->b + start, len);
	v->len = len;
	return 0;
}

static char *upper_dup(mg_imap_parser *p, const char *s, size_t n)
{
	char *r = pstrndup(p, s, n);
	for (char *q = r; *q; q++)
		*q = (char)toupper((unsigned char)*q);
	return r;
}

/* read a word of non-space, non-CR chars */
static size_t word(cur *c, size_t *start)
{
	*start = c->pos;
	while (c->pos < c->end && c->b[c->pos] != ' ' && c->b[c->pos] != '\r' && c->b[c->pos] != '\n')
		c->pos++;
	return c->pos - *start;
}

static void rest_text(cur *c, const char **text)
{
	size_t s = c->pos, e = c->end;
	if (e >= s + 2 && c->b[e - 2] == '\r' && c->b[e - 1] == '\n')
		e -= 2;
	if (e < s) e = s;
	*text = pstrndup(c->p, c->b + s, e - s);
	c->pos = c->end;
}

static int parse_resp_text(cur *c, mg_imap_resp *r)
{
	if (c->pos < c->end && c->b[c->pos] == ' ')
		c->pos++;
	r->code_args.type = MG_IMAP_LIST;
	if (c->pos < c->end && c->b[c->pos] == '[') {
		c->pos++;
		size_t s = c->pos;
		while (c->pos < c->end && c->b[c->pos] != ' ' && c->b[c->pos] != ']' &&
		       c->b[c->pos] != '\r' && c->b[c->pos] != '\n')
			c->pos++;
		if (c->pos == s)
			return tok_err(c, "empty response code");
		r->code = upper_dup(c->p, c->b + s, c->pos - s);
		if (c->pos < c->end && c->b[c->pos] == ' ') {
			c->pos++;
			size_t save = c->pos;
			mg_err tmp = { 0 };
			mg_err *olderr = c->err;
			c->err = &tmp;
			int rc = parse_items(c, &r->code_args, ']', true);
			c->err = olderr;
			if (rc != 0) {
				/* free-form code text: keep it as one atom */
				c->pos = save;
				while (c->pos < c->end && c->b[c->pos] != ']' && c->b[c->pos] != '\r')
					c->pos++;
				if (c->pos >= c->end || c->b[c->pos] != ']')
					return tok_err(c, "unterminated response code");
				mg_imap_val *one = track(c->p, xcalloc(1, sizeof *one));
				one->type = MG_IMAP_ATOM;
				one->s = pstrndup(c->p, c->b + save, c->pos - save);
				one->len = c->pos - save;
				r->code_args.type = MG_IMAP_LIST;
				r->code_args.items = one;
				r->code_args.n = 1;
				c->pos++;
			}
		} else if (c->pos < c->end && c->b[c->pos] == ']') {
			c->pos++;
		} else {
			return tok_err(c, "unterminated response code");
		}
		if (c->pos < c->end && c->b[c->pos] == ' ')
			c->pos++;
	}
	rest_text(c, &r->text);
	return 0;
}

static mg_imap_resp_status status_of(const char *name)
{
	if (!strcmp(name, "OK")) return MG_IMAP_ST_OK;
	if (!strcmp(name, "NO")) return MG_IMAP_ST_NO;
	if (!strcmp(name, "BAD")) return MG_IMAP_ST_BAD;
	if (!strcmp(name, "PREAUTH")) return MG_IMAP_ST_PREAUTH;
	if (!strcmp(name, "BYE")) return MG_IMAP_ST_BYE;
	return MG_IMAP_ST_NONE;
}

/* Tokenize raw[0..end).  partial: stop at `stop` (start of a literal marker). */
static int tokenize(mg_imap_parser *p, size_t end, bool partial, size_t stop,
                    mg_imap_resp *r, mg_imap_val *innermost, mg_err *err)
{
	cur c = { .p = p, .b = p->raw.buf, .pos = 0, .end = end, .stop = stop, .partial = partial, .err = err };
	memset(r, 0, sizeof *r);
	r->args.type = MG_IMAP_LIST;
	r->code_args.type = MG_IMAP_LIST;
	r->text = "";
	if (end == 0)
		return tok_err(&c, "empty response");
	if (c.b[0] == '+') {
		r->kind = MG_IMAP_R_CONTINUE;
		c.pos = 1;
		if (c.pos < c.end && c.b[c.pos] == ' ')
			c.pos++;
		rest_text(&c, &r->text);
		return 0;
	}
	size_t s, n;
	if (c.b[0] == '*') {
		r->kind = MG_IMAP_R_UNTAGGED;
		c.pos = 1;
	} else {
		r->kind = MG_IMAP_R_TAGGED;
		n = word(&c, &s);
		for (size_t i = s; i < s + n; i++)
			if (!atom_char((unsigned char)c.b[i], true) || c.b[i] == '+')
				return tok_err(&c, "invalid tag");
		r->tag = pstrndup(p, c.b + s, n);
	}
	if (c.pos >= c.end || c.b[c.pos] != ' ')
		return tok_err(&c, "missing space after the tag");
	c.pos++;
	n = word(&c, &s);
	if (!n)
		return tok_err(&c, "missing response name");
	if (r->kind == MG_IMAP_R_UNTAGGED && isdigit((unsigned char)c.b[s])) {
		uint64_t num = 0;
		for (size_t i = s; i < s + n; i++) {
			if (!isdigit((unsigned char)c.b[i]) || num > 0xFFFFFFFFFFFFULL)
				return tok_err(&c, "bad message number");
			num = num * 10 + (uint64_t)(c.b[i] - '0');
		}
		r->has_num = true;
		r->num = num;
		if (c.pos >= c.end || c.b[c.pos] != ' ')
			return tok_err(&c, "missing keyword after the message number");
		c.pos++;
		n = word(&c, &s);
		if (!n)
			return tok_err(&c, "missing keyword after the message number");
	}
	r->name = upper_dup(p, c.b + s, n);
	r->status = r->has_num ? MG_IMAP_ST_NONE : status_of(r->name);
	if (r->kind == MG_IMAP_R_TAGGED && r->status != MG_IMAP_ST_OK && r->status != MG_IMAP_ST_NO &&
	    r->status != MG_IMAP_ST_BAD)
		return tok_err(&c, "tagged response is not OK, NO or BAD");
	if (r->status != MG_IMAP_ST_NONE) {
		if (partial)
			return 0;   /* a literal inside resp-text: nothing to show */
		return parse_resp_text(&c, r);
	}
	if (c.pos < c.end && c.b[c.pos] == ' ')
		c.pos++;
	int rc = parse_items(&c, &r->args, 0, false);
	if (rc < 0)
		return -1;
	if (partial) {
		if (innermost)
			*innermost = c.stopped ? c.innermost : r->args;
		return 0;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* byte collection                                                     */

static int fail(mg_imap_parser *p, mg_err *err, mg_err_cat cat, const char *id, const char *what)
{
	p->failed = true;
	return mg_err_set(err, cat, id, "%s", what);
}

/* The segment raw[seg_start..len) ends in CRLF: literal marker?  0 no, 1 yes (fills size), -1 bad */
static int literal_marker(const mg_imap_parser *p, uint64_t *size, size_t *marker_start)
{
	const char *b = p->raw.buf;
	size_t e = p->raw.len - 2;   /* index of CR */
	if (e <= p->seg_start || b[e - 1] != '}')
		return 0;
	size_t i = e - 1;
	if (i > p->seg_start && b[i - 1] == '+')
		i--;
	size_t dend = i;
	while (i > p->seg_start && isdigit((unsigned char)b[i - 1]))
		i--;
	if (i == dend || i == p->seg_start || b[i - 1] != '{')
		return 0;
	size_t brace = i - 1;
	if (dend - i > 19)
		return -1;
	uint64_t v = 0;
	for (size_t k = i; k < dend; k++)
		v = v * 10 + (uint64_t)(b[k] - '0');
	size_t ms = brace;
	if (ms > p->seg_start && b[ms - 1] == '~')
		ms--;
	if (ms > 0 && b[ms - 1] != ' ' && b[ms - 1] != '(' && b[ms - 1] != ']')
		return 0;
	*size = v;
	*marker_start = ms;
	return 1;
}

int mg_imap_parser_feed(mg_imap_parser *p, const void *data, size_t len, size_t *used,
                        const mg_imap_resp **out, mg_err *err)
{
	const unsigned char *d = data;
	size_t u = 0;
	*used = 0;
	if (p->failed)
		return mg_err_set(err, MGC_PROTOCOL, "ImapParserFailed", "the IMAP parser already failed on this connection");
	if (p->done)
		reset(p);
	while (u < len) {
		if (p->in_lit) {
			size_t take = len - u;
			if ((uint64_t)take > p->lit_left)
				take = (size_t)p->lit_left;
			lit_rec *L = &p->lits[p->nlits - 1];
			if (L->streamed) {
				if (p->ops->data(p->ops_arg, d + u, take) < 0) {
					*used = u;
					return fail(p, err, MGC_STOPPED, "Stopped", "reading the message stopped by the caller");
				}
			} else {
				strbuf_add(&p->raw, d + u, take);
			}
			u += take;
			p->lit_left -= take;
			if (p->lit_left == 0) {
				p->in_lit = false;
				if (L->streamed && p->ops->end(p->ops_arg) < 0) {
					*used = u;
					return fail(p, err, MGC_STOPPED, "Stopped", "reading the message stopped by the caller");
				}
				p->seg_start = p->raw.len;
			}
			continue;
		}
		const unsigned char *nl = memchr(d + u, '\n', len - u);
		size_t n = nl ? (size_t)(nl - (d + u)) + 1 : len - u;
		if (p->line_len + n > p->lim.max_line) {
			*used = u;
			p->failed = true;
			return mg_err_set(err, MGC_LIMIT, "ImapLineTooLong",
			                  "the server sent a response line longer than %zu bytes; refusing it",
			                  p->lim.max_line);
		}
		size_t at = p->raw.len;
		strbuf_add(&p->raw, d + u, n);
		for (char *z = memchr(p->raw.buf + at, 0, n); z; z = memchr(z, 0, (size_t)(p->raw.buf + at + n - z)))
			*z = MG_IMAP_NUL_MARK;   /* tolerated: see imap_parse.h */
		u += n;
		p->line_len += n;
		if (!nl)
			break;
		if (p->raw.len - p->seg_start < 2 || p->raw.buf[p->raw.len - 2] != '\r') {
			*used = u;
			return fail(p, err, MGC_PROTOCOL, "ImapParseError",
			            "malformed IMAP response from the server: line not terminated by CRLF");
		}
		uint64_t size; size_t ms;
		int lm = literal_marker(p, &size, &ms);
		if (lm < 0 || (lm == 1 && size > p->lim.max_literal)) {
			*used = u;
			p->failed = true;
			return mg_err_set(err, MGC_LIMIT, "ImapLiteralTooLarge",
			                  "the server announced a literal larger than the limit of %llu bytes; refusing it",
			                  (unsigned long long)p->lim.max_literal);
		}
		if (lm == 1) {
			bool stream = false;
			/* only big literals are offered: re-tokenizing the response so far
			 * for every tiny literal would let a server make parsing quadratic */
			if (p->ops && p->ops->begin && size >= p->lim.stream_min) {
				mg_imap_resp partial;
				mg_imap_val inner = { .type = MG_IMAP_LIST };
				if (tokenize(p, ms, true, ms, &partial, &inner, err) < 0) {
					*used = u;
					p->failed = true;
					return -1;
				}
				int b = p->ops->begin(p->ops_arg, &partial, &inner, size);
				if (b < 0) {
					*used = u;
					return fail(p, err, MGC_STOPPED, "Stopped", "reading the response stopped by the caller");
				}
				stream = b == 1;
			}
			if (!stream && size > p->lim.max_buffered) {
				*used = u;
				p->failed = true;
				return mg_err_set(err, MGC_LIMIT, "ImapLiteralTooLarge",
				                  "the server sent a %llu-byte literal where at most %llu bytes are expected; refusing it",
				                  (unsigned long long)size, (unsigned long long)p->lim.max_buffered);
			}
			GROW(p->lits, p->caplits, p->nlits + 1);
			p->lits[p->nlits++] = (lit_rec){ .data_off = p->raw.len, .size = size, .streamed = stream };
			p->in_lit = true;
			p->lit_left = size;
			if (size == 0) {
				p->in_lit = false;
				if (stream && p->ops->end(p->ops_arg) < 0) {
					*used = u;
					return fail(p, err, MGC_STOPPED, "Stopped", "reading the message stopped by the caller");
				}
				p->seg_start = p->raw.len;
			}
			continue;
		}
		/* complete response */
		if (tokenize(p, p->raw.len, false, 0, &p->resp, NULL, err) < 0) {
			*used = u;
			p->failed = true;
			return -1;
		}
		p->done = true;
		*used = u;
		*out = &p->resp;
		return 1;
	}
	*used = u;
	return 0;
}

/* ------------------------------------------------------------------ */
bool mg_imap_has_nul_mark(const char *s, size_t len)
{
	return s && memchr(s, (unsigned char)MG_IMAP_NUL_MARK, len) != NULL;
}

const char *mg_imap_val_str(const mg_imap_val *v)
{
	if (!v)
		return NULL;
	if (v->type == MG_IMAP_ATOM || v->type == MG_IMAP_QUOTED || v->type == MG_IMAP_LITERAL)
		return v->s;
	return NULL;
}

bool mg_imap_val_is(const mg_imap_val *v, const char *w)
{
	return v && v->type == MG_IMAP_ATOM && str_ieq(v->s, w);
}

int mg_imap_val_u64(const mg_imap_val *v, uint64_t *out)
{
	if (!v || v->type != MG_IMAP_ATOM || !v->len || v->len > 20)
		return -1;
	uint64_t r = 0;
	for (size_t i = 0; i < v->len; i++) {
		if (!isdigit((unsigned char)v->s[i]))
			return -1;
		uint64_t d = (uint64_t)(v->s[i] - '0');
		if (r > (UINT64_MAX - d) / 10)
			return -1;
		r = r * 10 + d;
	}
	*out = r;
	return 0;
}

const mg_imap_val *mg_imap_val_at(const mg_imap_val *list, size_t i)
{
	if (!list || list->type != MG_IMAP_LIST || i >= list->n)
		return NULL;
	return &list->items[i];
}

const char *mg_imap_parser_last_raw(const mg_imap_parser *p, size_t *len)
{
	*len = p->done ? p->raw.len : 0;
	return p->raw.buf ? p->raw.buf : "";
}
